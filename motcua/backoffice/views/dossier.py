"""The dossier page: everything about one dossier, and a form for each action its viewer may take now.

Thin (STYLE.md): a view reads one selector (`dossier_page`), or parses one form and calls one service
(`apply_with_files`). Every refusal is the engine's, shown where the officer acted with its Vietnamese
message and rule id, with the HTTP status the API would give (400, 403, 409, 422) and nothing changed.
"""

import mimetypes
import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from motcua.backoffice.forms import ACTION_FORMS, ActionForm
from motcua.backoffice.views.common import is_htmx, officer_required, refusal
from motcua.core.errors import DomainError, NotFound
from motcua.dossiers import selectors, services
from motcua.dossiers.states import Action
from motcua.printing import services as printing

# What each action means for the officer about to take it, with the rule it answers to.
ACTION_HELP = {
    Action.RECEIVE: (
        "Kiểm tra tính pháp lý, đầy đủ của hồ sơ rồi tiếp nhận; "
        "thời hạn giải quyết tính từ lúc tiếp nhận (NĐ 118/2025 Điều 17)."
    ),
    Action.REJECT: "Hồ sơ không thuộc phạm vi hoặc không đủ điều kiện: từ chối tiếp nhận, nêu rõ lý do.",
    Action.REQUEST_SUPPLEMENT: (
        "Liệt kê đầy đủ các nội dung cần bổ sung, hoàn thiện trong một lần; chỉ yêu cầu một lần (R-17)."
    ),
    Action.SUBMIT_SUPPLEMENT: "Người nộp đã bổ sung đủ: thời hạn giải quyết được tính lại từ lúc này.",
    Action.FORWARD: (
        "Chuyển hồ sơ sang bước tiếp theo của quy trình (R-11); hồ sơ nhận thay được bàn giao "
        "cho cơ quan giải quyết, hồ sơ giấy chuyển qua bưu chính (R-03)."
    ),
    Action.RETURN_TO_STEP: "Trả hồ sơ về một bước trước của quy trình, nêu rõ lý do.",
    Action.CONSULT: (
        "Nêu rõ nội dung và thời hạn trả lời; quá hạn hệ thống nhắc, lần nhắc thứ hai gửi Sở Nội vụ (R-12)."
    ),
    Action.ANSWER_CONSULTATION: "Trả lời cơ quan chủ trì; trả lời quá hạn được thống kê để đánh giá (R-16).",
    Action.PAUSE: (
        "Chỉ tạm dừng vì lý do hợp pháp; không được tạm dừng khi đang chờ ý kiến cơ quan khác (R-13)."
    ),
    Action.RESUME: "Tiếp tục xử lý; thời gian tạm dừng không tính vào thời hạn giải quyết.",
    Action.STOP: (
        "Dừng giải quyết phải có lý do và Thông báo dừng giải quyết hồ sơ (NĐ 118/2025 Điều 21; R-14)."
    ),
    Action.REQUEST_WITHDRAWAL: "Người nộp đề nghị rút hồ sơ bằng văn bản (R-15).",
    Action.APPROVE_WITHDRAWAL: "Lãnh đạo đơn vị duyệt rút hồ sơ, kèm văn bản đồng ý có chữ ký (R-15).",
    Action.APOLOGISE: (
        "Hồ sơ trễ hạn: Phiếu xin lỗi, ngày hẹn trả mới (chỉ một lần) và giải trình của thủ trưởng (R-27)."
    ),
    Action.ISSUE_RESULT: "Chỉ kết thúc khi có văn bản kết quả, hoặc văn bản từ chối nêu rõ lý do (R-14).",
    Action.RETURN_RESULT: "Trả kết quả cho tổ chức, cá nhân; thời điểm trả được ghi vào sổ theo dõi.",
}
DANGER = frozenset({Action.REJECT, Action.STOP})
# Decided in the same sitting at the counter: opened at once on an on-the-spot dossier.
ON_THE_SPOT = frozenset({Action.ISSUE_RESULT, Action.RETURN_RESULT})
# Types a browser may show in place; anything else (XML, office files) is only downloaded, so an
# uploaded file can never run as a page of this site.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


@dataclass
class ActionPanel:
    """One collapsible action form on the page."""

    action: str
    label: str
    help: str
    form: ActionForm
    dom_id: str
    open: bool = False
    refusal: dict | None = None
    danger: bool = False


def _not_found(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(
        request, "backoffice/error.html", {"title": "Không tìm thấy", "message": exc.message}, status=404
    )


def _form(action: str, dossier, data=None, files=None, consultation=None) -> ActionForm:
    kwargs: dict = {"dossier": dossier}
    if action == Action.CONSULT:
        kwargs["units"] = selectors.consultable_units(dossier)
    elif action == Action.RETURN_TO_STEP:
        kwargs["steps"] = selectors.earlier_steps(dossier)
    elif action == Action.ANSWER_CONSULTATION:
        kwargs["consultation"] = consultation
    return ACTION_FORMS[action](data, files, **kwargs)


def _panel(action: str, form: ActionForm, *, open_: bool = False) -> ActionPanel:
    return ActionPanel(
        action=action,
        label=Action(action).label,
        help=ACTION_HELP[action],
        form=form,
        dom_id=f"action-{form.dom_id}",
        open=open_,
        danger=action in DANGER,
    )


def _panels(page: selectors.DossierPage, failed: ActionPanel | None) -> tuple[list[ActionPanel], dict]:
    """The action forms of the page (the failed one bound to what the officer sent, opened, with
    the engine's refusal) and the answer forms by consultation id."""
    d = page.dossier
    on_the_spot = d.procedure.on_the_spot
    panels = [
        _panel(a, _form(a, d), open_=on_the_spot and a in ON_THE_SPOT)
        for a in page.actions
        if a != Action.ANSWER_CONSULTATION
    ]
    consultations = {c.pk: c for c in d.consultations.all()}
    answers = {
        pk: _panel(
            Action.ANSWER_CONSULTATION,
            _form(Action.ANSWER_CONSULTATION, d, consultation=consultations[pk]),
            open_=True,  # the consulted unit's one task on this dossier
        )
        for pk in page.answerable
    }
    if failed is not None:
        if failed.action == Action.ANSWER_CONSULTATION and failed.form.dom_id in {
            p.form.dom_id for p in answers.values()
        }:
            answers = {pk: failed if p.form.dom_id == failed.form.dom_id else p for pk, p in answers.items()}
        elif any(p.dom_id == failed.dom_id for p in panels):
            panels = [failed if p.dom_id == failed.dom_id else p for p in panels]
        else:  # an action the page did not offer (another tab, a stale page): still show why not
            panels.insert(0, failed)
    return panels, answers


def _render_page(
    request: HttpRequest, page: selectors.DossierPage, failed: ActionPanel | None = None, status: int = 200
) -> HttpResponse:
    panels, answers = _panels(page, failed)
    d = page.dossier
    context = {
        "page": page,
        "d": d,
        "panels": panels,
        "answers": answers,
        "failed": failed,
        "fees": [(fee, f"{fee.amount:,}".replace(",", ".")) for fee in d.fees.all()],
        "on_the_spot_now": d.procedure.on_the_spot and any(a in ON_THE_SPOT for a in page.actions),
        "forms": printing.applicable_forms(d),
    }
    return render(request, "backoffice/dossier.html", context, status=status)


@officer_required
@require_GET
def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        page = selectors.dossier_page(request.user, code)
    except NotFound as exc:
        return _not_found(request, exc)
    return _render_page(request, page)


def _invalid(form: ActionForm) -> dict:
    """A form that does not even have the action's shape: 400, with what is wrong in Vietnamese."""
    names = [form.fields[name].label or name for name in form.errors if name in form.fields]
    message = "Dữ liệu nhập chưa hợp lệ" + (f": {', '.join(str(n) for n in names)}." if names else ".")
    if "version" in form.errors:
        message += " Hãy tải lại trang hồ sơ rồi thao tác lại."
    return {"message": message, "rule": None, "field": None, "status": 400}


@officer_required
@require_POST
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Parse the action's form, store its files and apply it — one service call; then back to the
    dossier (303), or the page again with the engine's refusal and its status."""
    if action not in ACTION_FORMS:
        return _not_found(request, NotFound("Không có thao tác này trên hồ sơ."))
    try:
        dossier = selectors.dossier_detail(request.user, code)
    except NotFound as exc:
        return _not_found(request, exc)
    consultation = None
    if action == Action.ANSWER_CONSULTATION:
        wanted = request.POST.get("consultation_id", "")
        consultation = next((c for c in dossier.consultations.all() if str(c.pk) == wanted), None)
    form = _form(action, dossier, request.POST, request.FILES, consultation=consultation)
    if form.is_valid():
        try:
            services.apply_with_files(code, action, request.user, form.action_input(), form.uploads())
        except DomainError as exc:
            problem = refusal(exc)
        else:
            messages.success(request, f"Đã thực hiện “{Action(action).label}” trên hồ sơ {code}.")
            url = reverse("backoffice:dossier", args=[code])
            if is_htmx(request):
                return HttpResponse(headers={"HX-Redirect": url})
            return redirect(url, permanent=False)
    else:
        problem = _invalid(form)
    failed = _panel(action, form, open_=True)
    failed.refusal = problem
    status = problem["status"]
    if is_htmx(request):
        return render(
            request, "backoffice/_dossier_action.html", {"panel": failed, "d": dossier}, status=status
        )
    return _render_page(request, selectors.dossier_page(request.user, code), failed, status)


@officer_required
@require_GET
def document_file(request: HttpRequest, code: str, document_id: uuid.UUID) -> HttpResponse:
    """A document of a dossier the user may see (R-26): shown in the browser (PDF, images) or
    downloaded (`?tai-ve=1`, and always for other types), under its own cleaned name."""
    try:
        document = selectors.document_of_dossier(request.user, code, document_id)
    except NotFound as exc:
        return _not_found(request, exc)
    try:
        handle = document.file.open("rb")
    except OSError:
        return _not_found(request, NotFound("Tệp của tài liệu này không còn trong kho lưu trữ."))
    content_type = (
        document.content_type or mimetypes.guess_type(document.name)[0] or "application/octet-stream"
    )
    download = request.GET.get("tai-ve") == "1" or content_type not in INLINE_TYPES
    response = FileResponse(handle, as_attachment=download, filename=document.name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
