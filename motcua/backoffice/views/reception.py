"""Placeholder until this page is built (issue 4)."""

from django.http import HttpResponse

from motcua.backoffice.views.common import officer_required


@officer_required
def choose_procedure(request, *args, **kwargs):
    return HttpResponse("Trang đang được xây dựng.", status=501)


@officer_required
def reception_form(request, *args, **kwargs):
    return HttpResponse("Trang đang được xây dựng.", status=501)
