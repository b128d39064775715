"""The printed forms (TT 03/2025 Phụ lục I) and the dossier register, as PDF (issue 4 item 6).

Thin: parse the request, call `motcua.printing.services`, return the PDF or a Vietnamese refusal.
"""

import datetime

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from motcua.backoffice.views.common import officer_required
from motcua.core.errors import DomainError
from motcua.printing import selectors as printing_selectors
from motcua.printing import services as printing

_REFUSAL_TITLES = {
    404: "Không tìm thấy",
    400: "Thông tin chưa hợp lệ",
}


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(
        request,
        "backoffice/error.html",
        {
            "title": _REFUSAL_TITLES.get(exc.status_code, "Không in được biểu mẫu"),
            "message": exc.message,
            "rule": exc.rule,
        },
        status=exc.status_code,
    )


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    # Inline: the browser opens it for printing; the ASCII name is what "Save" proposes.
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # personal data and the look-up secret
    return response


@officer_required
@require_GET
def dossier_form(request: HttpRequest, code: str, form: str) -> HttpResponse:
    try:
        content = printing.render_dossier_form(
            form, code, user=request.user, base_url=settings.PUBLIC_URL or request.build_absolute_uri("/")
        )
    except DomainError as exc:
        return _refused(request, exc)
    return _pdf_response(content, printing.form_filename(form, code))


class RegisterForm(forms.Form):
    noi = forms.ChoiceField(label="Nơi tiếp nhận")
    tu_ngay = forms.DateField(label="Từ ngày", input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    den_ngay = forms.DateField(label="Đến ngày", input_formats=["%Y-%m-%d", "%d/%m/%Y"])

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["noi"].choices = [(p.key, p.label) for p in places]
        self.fields["noi"].error_messages["invalid_choice"] = "Nơi tiếp nhận không thuộc các đơn vị của bạn."
        for name in ("tu_ngay", "den_ngay"):
            self.fields[name].error_messages.update(
                required="Hãy chọn ngày.", invalid="Ngày không hợp lệ (dd/mm/yyyy)."
            )


@officer_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    places = printing_selectors.register_places(request.user)
    today = timezone.localdate()
    submitted = "noi" in request.GET
    data = request.GET if submitted else None
    form = RegisterForm(
        data,
        places=places,
        initial={"noi": places[0].key if places else "", "tu_ngay": today, "den_ngay": today},
    )
    context = {"nav": "register", "form": form, "places": places, "today": today}
    status = 200
    if submitted and form.is_valid():
        place = next(p for p in places if p.key == form.cleaned_data["noi"])
        day_from, day_to = form.cleaned_data["tu_ngay"], form.cleaned_data["den_ngay"]
        try:
            if request.GET.get("format") == "pdf":
                content = printing.render_register(place, day_from, day_to, user=request.user)
                return _pdf_response(content, _register_filename(place, day_from, day_to))
            context["preview"] = printing.register_context(place, day_from, day_to, user=request.user)
        except DomainError as exc:
            context["error"] = exc.message
            status = exc.status_code
    elif submitted:
        status = 400
    return render(request, "backoffice/register.html", context, status=status)


def _register_filename(place, day_from: datetime.date, day_to: datetime.date) -> str:
    where = place.key.replace(":", "-").replace(".", "-")
    return f"so-theo-doi-{where}-{day_from:%Y%m%d}-{day_to:%Y%m%d}.pdf"
