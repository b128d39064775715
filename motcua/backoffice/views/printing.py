"""Placeholder until this page is built (issue 4)."""

from django.http import HttpResponse

from motcua.backoffice.views.common import officer_required


@officer_required
def dossier_form(request, *args, **kwargs):
    return HttpResponse("Trang đang được xây dựng.", status=501)


@officer_required
def register(request, *args, **kwargs):
    return HttpResponse("Trang đang được xây dựng.", status=501)
