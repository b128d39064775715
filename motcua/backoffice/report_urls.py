"""The leadership's pages under /bao-cao/ (DESIGN.md): the Decision 766 index and the one-stop
reports (issue 10). Their own namespace, `reports`."""

from django.urls import include, path

from motcua.backoffice.views import index

app_name = "reports"

urlpatterns = [
    path("", index.dashboard, name="index"),
    path("chi-so/<str:code>/", index.indicator_page, name="indicator"),
    path("", include("motcua.backoffice.views.reports")),
]
