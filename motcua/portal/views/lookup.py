"""Public look-up of a dossier's status with the code and the secret printed on the receipt."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.core.errors import NotFound
from motcua.core.net import over_rate
from motcua.core.text import mask_name
from motcua.dossiers.selectors import lookup as find_dossier
from motcua.dossiers.states import NATIONAL_STATUS_NAMES, national_status


def _too_many(request: HttpRequest) -> bool:
    """The API look-up's limit (`settings.LOOKUP_RATE`, e.g. "30/min"), per client address: codes
    and secrets must not be probed through the page either."""
    return over_rate(request, "portal-lookup", settings.LOOKUP_RATE)


def lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("ma", "").strip()[:64]
    secret = request.GET.get("ma_tra_cuu", "").strip()[:16]
    context: dict = {"code": code, "secret": secret, "nav": "lookup"}
    status = 200
    if code or secret:
        if _too_many(request):
            context["error"] = "Bạn tra cứu quá nhiều lần; vui lòng thử lại sau một phút."
            status = 429
        elif not (code and secret):
            context["error"] = "Hãy nhập cả mã hồ sơ và mã tra cứu in trên Giấy tiếp nhận."
            status = 400
        else:
            try:
                dossier = find_dossier(code, secret)
            except NotFound as exc:
                context["error"] = exc.message
                status = 404
            else:
                context.update(
                    dossier=dossier,
                    applicant=mask_name(dossier.applicant_name),
                    national_status=NATIONAL_STATUS_NAMES[national_status(dossier)],
                )
    return render(request, "portal/lookup.html", context, status=status)
