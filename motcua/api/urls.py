from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from motcua.api import dossier_views, index_views, national_views, verification_views, views
from motcua.api.fallback import UnknownPath

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/auth/token", dossier_views.TokenView.as_view(), name="auth-token"),
    path("v1/procedures", views.ProcedureList.as_view(), name="procedure-list"),
    path("v1/procedures/<str:code>", views.ProcedureDetail.as_view(), name="procedure-detail"),
    path("v1/units", views.UnitList.as_view(), name="unit-list"),
    path("v1/documents", dossier_views.DocumentUpload.as_view(), name="document-upload"),
    path("v1/dossiers", dossier_views.DossierCollection.as_view(), name="dossier-list"),
    path("v1/dossiers/<str:code>", dossier_views.DossierDetail.as_view(), name="dossier-detail"),
    path("v1/dossiers/<str:code>/events", dossier_views.DossierEvents.as_view(), name="dossier-events"),
    *(
        path(f"v1/dossiers/<str:code>/actions/{action}", view.as_view(), name=f"dossier-{action}")
        for action, view in dossier_views.ACTION_VIEWS.items()
    ),
    path(
        "v1/dossiers/<str:code>/actions/<str:action>",
        dossier_views.UnknownAction.as_view(),
        name="dossier-unknown-action",
    ),
    path("v1/index", index_views.IndexView.as_view(), name="index"),
    path("v1/lookup", dossier_views.Lookup.as_view(), name="lookup"),
    path("v1/verification", verification_views.Verification.as_view(), name="verification"),
    path("v1/national/dossiers", national_views.NationalDossierInbound.as_view(), name="national-dossiers"),
    path("v1/national/files/<str:token>", national_views.NationalFile.as_view(), name="national-file"),
    # Last: any other address under /api/ (/api/, /api/v1/, /api/v2/…, any method) is a JSON 404.
    re_path(r"", UnknownPath.as_view(), name="unknown-path"),
]
