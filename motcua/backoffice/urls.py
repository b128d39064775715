"""The officers' web pages under /can-bo/ (DESIGN.md "Public interfaces"). Paths are Vietnamese
without diacritics, as officers type and read them; names are English, as code is."""

from django.urls import include, path

from motcua.backoffice.views import auth, consultations, dossier, lists, printing, queues, reception, search

app_name = "backoffice"

urlpatterns = [
    path("", queues.queue_page, name="queues"),
    path("dang-nhap/", auth.SignIn.as_view(), name="login"),
    path("dang-xuat/", auth.SignOut.as_view(), name="logout"),
    path("tim-kiem/", search.search_page, name="search"),
    path("ho-so/<str:code>/", dossier.dossier_page, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", dossier.dossier_action, name="dossier-action"),
    path("ho-so/<str:code>/tai-lieu/<uuid:document_id>/", dossier.document_file, name="document"),
    path("ho-so/<str:code>/in/<str:form>.pdf", printing.dossier_form, name="dossier-pdf"),
    path("tiep-nhan/", reception.choose_procedure, name="reception"),
    path("tiep-nhan/<str:procedure_code>/", reception.reception_form, name="reception-form"),
    path("tiep-nhan/<str:procedure_code>/tu-choi/", reception.record_refusal, name="reception-refusal"),
    path("xin-y-kien/", consultations.inbox, name="consultations"),
    path("so-theo-doi/", printing.register, name="register"),
    path("thu-tuc-noi-bo/", lists.internal_procedures, name="internal-procedures"),
    path("thu-tuc-noi-bo.xlsx", lists.internal_procedures_xlsx, name="internal-procedures-xlsx"),
    path("ho-so-cu/", include("motcua.backoffice.views.legacy")),  # R-25 legacy dossiers left open
    path("dong-bo/", include("motcua.backoffice.views.sync")),  # sync health (R-22, issue 9)
    path("phan-anh-kien-nghi/", include("motcua.backoffice.views.feedback")),  # PAKN (R-30, issue 11)
    path("doi-soat-thanh-toan/", include("motcua.backoffice.views.payments")),  # reconciliation
    path("luu-tru/", include("motcua.backoffice.views.archive")),  # archive packages (TT 13/2023)
]
