"""The citizens' pages. For now only the public status look-up that the receipt's QR code opens;
the portal itself (find, submit, pay, follow) comes with its own issue."""

from django.urls import path

from motcua.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("tra-cuu/", views.lookup, name="lookup"),
]
