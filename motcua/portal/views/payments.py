"""Online payment of a dossier's fees through the national payment platform (R-29)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
