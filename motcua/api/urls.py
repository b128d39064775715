from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from motcua.api import views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/procedures", views.ProcedureList.as_view(), name="procedure-list"),
    path("v1/procedures/<str:code>", views.ProcedureDetail.as_view(), name="procedure-detail"),
    path("v1/units", views.UnitList.as_view(), name="unit-list"),
]
