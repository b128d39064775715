"""Placeholder until this page is built (issue 4)."""

from django.http import HttpResponse

from motcua.backoffice.views.common import officer_required


@officer_required
def dossier_page(request, *args, **kwargs):
    return HttpResponse("Trang đang được xây dựng.", status=501)


@officer_required
def dossier_action(request, *args, **kwargs):
    return HttpResponse("Trang đang được xây dựng.", status=501)


@officer_required
def document_file(request, *args, **kwargs):
    return HttpResponse("Trang đang được xây dựng.", status=501)
