from django.contrib import admin
from django.urls import include, path

from motcua.api import views as api_views
from motcua.backoffice.views.auth import AdminSignInForm, admin_sign_in

# The admin's password sign-in under the same lock-out, rate limit and R-26 switch as the others.
admin.site.login_form = AdminSignInForm

urlpatterns = [
    path("healthz", api_views.healthz, name="healthz"),
    path("admin/login/", admin_sign_in),
    path("admin/", admin.site.urls),
    path("api/", include("motcua.api.urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("bao-cao/", include("motcua.backoffice.report_urls")),
    path("", include("motcua.portal.urls")),
]

admin.site.site_header = "MotCua — Quản trị hệ thống"
admin.site.site_title = "MotCua"
admin.site.index_title = "Cấu hình danh mục, đơn vị, lịch làm việc"

# What people see with DEBUG off: Vietnamese pages, the API's JSON error shape under /api/ (item 6).
handler400 = "motcua.core.error_pages.bad_request"
handler403 = "motcua.core.error_pages.permission_denied"
handler404 = "motcua.core.error_pages.page_not_found"
handler500 = "motcua.core.error_pages.server_error"
