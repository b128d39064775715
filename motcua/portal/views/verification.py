"""`/xac-thuc/`: anyone checks an electronic result — the PDF itself, or the verification code
printed in it (NĐ 45/2020 Điều 14; R-30). Nothing uploaded here is stored; look-ups are rate
limited like the dossier look-up (a code must not be guessable by probing)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from motcua.core.errors import DomainError
from motcua.core.net import over_rate
from motcua.documents.sealing import check_upload
from motcua.documents.services import MAX_SIZE
from motcua.dossiers.results import verify_result_code

TOO_MANY = "Bạn kiểm tra quá nhiều lần; vui lòng thử lại sau một phút."


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("ma", "").strip()[:40]
    context: dict = {"code": code, "nav": "verify", "max_mb": MAX_SIZE // (1024 * 1024)}
    status = 200
    if request.method == "POST" or code:
        if over_rate(request, "portal-verify", settings.LOOKUP_RATE):
            context["error"] = TOO_MANY
            status = 429
        else:
            try:
                if request.method == "POST":
                    upload = request.FILES.get("tep")
                    if upload is None:
                        context["error"] = "Hãy chọn tệp PDF kết quả cần kiểm tra."
                        status = 400
                    else:
                        # One byte more than allowed is enough to refuse an oversized file.
                        report = check_upload(upload.name, upload.read(MAX_SIZE + 1))
                        context.update(report=report, valid=report.valid, file_name=upload.name[:200])
                else:
                    found = verify_result_code(code, user=request.user)
                    context.update(found=found, report=found.verification, valid=found.valid)
            except DomainError as exc:
                context["error"] = exc.message
                status = exc.status_code
    return render(request, "portal/verify.html", context, status=status)


urlpatterns = [path("", verify, name="verify")]
