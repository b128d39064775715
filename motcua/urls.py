from django.contrib import admin
from django.urls import include, path

from motcua.api import views as api_views

urlpatterns = [
    path("healthz", api_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("motcua.api.urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("", include("motcua.portal.urls")),
]

admin.site.site_header = "MotCua — Quản trị hệ thống"
admin.site.site_title = "MotCua"
admin.site.index_title = "Cấu hình danh mục, đơn vị, lịch làm việc"
