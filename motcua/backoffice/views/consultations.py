"""Xin ý kiến: the consultations my units must answer and those they are waiting for (R-12, R-16).

The answer form lives on the dossier page (#xin-y-kien); this page lists and links."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.backoffice.views.common import officer_required
from motcua.dossiers import queues


@officer_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/consultations.html",
        {"nav": "consultations", "inbox": queues.consultation_inbox(request.user)},
    )
