"""The citizens' portal at / (DESIGN.md "Public interfaces"): Vietnamese paths without diacritics,
as people type them; English names, as code is. Each part of the portal lists its own paths."""

from django.urls import include, path

from motcua.portal.views import catalogue, lookup

app_name = "portal"

urlpatterns = [
    path("", catalogue.home, name="home"),
    path("tra-cuu/", lookup.lookup, name="lookup"),
    path("", include("motcua.portal.views.catalogue")),  # find a procedure, submit, my dossiers
    path("", include("motcua.portal.views.signin")),  # /dang-nhap/ …
    path("thanh-toan/", include("motcua.portal.views.payments")),
    path("", include("motcua.portal.views.feedback")),  # /phan-anh-kien-nghi/, ratings
    path("xac-thuc/", include("motcua.portal.views.verification")),  # electronic results
]
