"""Guards: each checks one rule of the letters or the law and refuses with its id (STYLE.md).

A guard takes the action's Context and raises RuleViolation (→ 422 with the rule id) or
PermissionDenied (→ 403); it never changes anything.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from motcua.catalog.models import Channel, OnlineLevel
from motcua.consultations.services import validate_request
from motcua.core.errors import InvalidInput, PermissionDenied, RuleViolation
from motcua.documents.models import Document, DocumentKind, SignatureStatus
from motcua.documents.sealing import will_be_sealed
from motcua.dossiers.context import Context
from motcua.dossiers.models import ResultDelivery
from motcua.dossiers.states import Action, State
from motcua.org.models import Role, Unit
from motcua.org.selectors import roles_in_unit

Guard = Callable[[Context], None]

PROCESSING_ROLES = frozenset({Role.PROCESSING_OFFICER, Role.DIVISION_HEAD, Role.UNIT_LEADER})
HEAD_ROLES = frozenset({Role.UNIT_LEADER})
# Who may act on a step of a given role: the role itself and the roles above it in the unit
# (a division head may do an officer's appraisal; an officer may not sign in the leader's place).
STEP_ROLES = {
    Role.PROCESSING_OFFICER: PROCESSING_ROLES,
    Role.DIVISION_HEAD: frozenset({Role.DIVISION_HEAD, Role.UNIT_LEADER}),
    Role.UNIT_LEADER: HEAD_ROLES,
}

# Lawful reasons to pause the clock (REGULATIONS §2.4, §6.3 code 6). Anything else is refused:
# the letters exist because "SOS" pauses were used to hide lateness.
LAWFUL_PAUSE_REASONS = {
    "financial_obligation": "Chờ tổ chức, cá nhân thực hiện nghĩa vụ tài chính",
    "force_majeure": "Sự kiện bất khả kháng (thiên tai, dịch bệnh) theo văn bản của cấp có thẩm quyền",
}


def _require_role(ctx: Context, unit: Unit, roles: frozenset[str], rule: str, what: str) -> None:
    if not (roles_in_unit(ctx.actor, unit) & roles):
        raise PermissionDenied(f"Bạn không có quyền {what} của {unit.name}.", rule=rule)


def _documents(ctx: Context, *kinds: str) -> list[Document]:
    return [d for d in ctx.documents() if d.kind in kinds] if kinds else ctx.documents()


def _require_verified_signature(documents: list[Document], rule: str, code: str, what: str) -> None:
    """One of `documents` carries a digital signature verified valid against the trust roots when
    the document was stored (motcua.documents.signatures) — a client cannot claim it."""
    if any(d.signature_status == SignatureStatus.VALID for d in documents):
        return
    found = next((d for d in documents if d.signature_status != SignatureStatus.UNSIGNED), None)
    detail = (
        f" Chữ ký trên “{found.name}”: {found.get_signature_status_display().lower()}"
        f"{' — ' + found.signature_note if found.signature_note else ''}."
        if found is not None
        else ""
    )
    raise RuleViolation(
        rule,
        f"{what} phải là tệp PDF có chữ ký số hợp lệ của người có thẩm quyền.{detail}",
        code=code,
        field="documents",
    )


def _issued_electronically(ctx: Context) -> bool:
    """The applicant receives the result (and the notices that end the dossier) electronically.

    NĐ 45/2020 Điều 14 (kept by NĐ 118/2025): an electronic result has the legal value of the paper
    one because it is digitally signed by the competent agency — so it must carry a verified
    signature. Where the result is handed over on paper (at the counter, by post), the signed paper
    is the legal document and the attached file is its scan (TT 01/2023 digitisation; NĐ 45 Điều 18
    conversion), so an unsigned scan is lawful there."""
    return ctx.dossier.result_delivery == ResultDelivery.ONLINE


# --- who may act -------------------------------------------------------------------------------


def actor_receives(ctx: Context) -> None:
    """R-01/R-02: the receiving unit's counter officers receive (the Centre on behalf, or the
    deciding unit's own online point)."""
    _require_role(
        ctx, ctx.dossier.receiving_unit, frozenset({Role.COUNTER_OFFICER}), "R-01", "tiếp nhận hồ sơ"
    )


def actor_hands_over(ctx: Context) -> None:
    """R-03: the hand-over to the deciding unit is done by the receiving counter or the deciding unit."""
    d = ctx.dossier
    if roles_in_unit(ctx.actor, d.receiving_unit) & {Role.COUNTER_OFFICER}:
        return
    _require_role(ctx, d.deciding_unit, PROCESSING_ROLES | {Role.COUNTER_OFFICER}, "R-03", "nhận hồ sơ")


def actor_handles_current_step(ctx: Context) -> None:
    """R-26: only someone holding the step's role (or a role above it) in the step's unit acts on
    it — an officer cannot finish a dossier at the leader's signing step (R-14)."""
    step = ctx.dossier.current_step
    if step is None:
        raise RuleViolation("R-11", "Hồ sơ chưa ở bước xử lý nào.")
    roles = STEP_ROLES.get(step.role, frozenset({step.role}))
    _require_role(ctx, step.unit, roles, "R-26", "xử lý hồ sơ ở bước này")


def actor_handles_step_or_obligation_met(ctx: Context) -> None:
    """Resuming a pause: the officer of the current step, or — for a pause waiting for the
    financial obligation (R-13) — the payment platform once nothing is owed (R-29)."""
    if not ctx.is_system_actor:
        actor_handles_current_step(ctx)
        return
    d = ctx.dossier
    if d.pause_ground != "financial_obligation":
        raise PermissionDenied(
            "Hệ thống chỉ được tiếp tục hồ sơ tạm dừng chờ nghĩa vụ tài chính.", rule="R-26"
        )
    if d.fees.filter(paid_at__isnull=True, amount__gt=0).exists():
        raise RuleViolation("R-29", "Người nộp chưa thực hiện xong nghĩa vụ tài chính.")


def _require_head(ctx: Context, rule: str) -> None:
    _require_role(ctx, ctx.dossier.deciding_unit, HEAD_ROLES, rule, "phê duyệt thay lãnh đạo")


def actor_heads_stop(ctx: Context) -> None:
    """R-14, NĐ 118 Điều 21: the Thông báo dừng is the deciding unit head's decision."""
    _require_head(ctx, "R-14")


def actor_heads_withdrawal(ctx: Context) -> None:
    """R-15: a withdrawal is confirmed by the deciding unit's head."""
    _require_head(ctx, "R-15")


def actor_heads_apology(ctx: Context) -> None:
    """R-27: the apology and new date are signed by the head (THỦ TRƯỞNG CƠ QUAN), with the
    head's explanation."""
    _require_head(ctx, "R-27")


def actor_is_applicant_or_counter(ctx: Context) -> None:
    d = ctx.dossier
    if d.applicant.user_id is not None and d.applicant.user_id == getattr(ctx.actor, "pk", None):
        return
    if roles_in_unit(ctx.actor, d.receiving_unit) & {Role.COUNTER_OFFICER}:
        return
    raise PermissionDenied(
        "Chỉ người nộp hồ sơ hoặc cán bộ tiếp nhận được thực hiện thao tác này.", rule="R-15"
    )


def actor_in_consulted_unit(ctx: Context) -> None:
    consultation = _consultation(ctx)
    _require_role(ctx, consultation.to_unit, PROCESSING_ROLES, "R-12", "trả lời xin ý kiến")


def actor_returns_result(ctx: Context) -> None:
    """The result is handed over at a counter that receives for the deciding unit (where the
    applicant was told to collect it); an electronic result may also be released by the deciding unit."""
    d = ctx.dossier
    counters = Unit.objects.filter(counters__serves=d.deciding_unit).distinct()
    for unit in [d.receiving_unit, *counters]:
        if roles_in_unit(ctx.actor, unit) & {Role.COUNTER_OFFICER}:
            return
    if d.result_delivery == "online":
        _require_role(ctx, d.deciding_unit, PROCESSING_ROLES | {Role.COUNTER_OFFICER}, "R-14", "trả kết quả")
        return
    raise PermissionDenied(
        "Kết quả trả trực tiếp hoặc qua bưu chính do cán bộ tiếp nhận của Bộ phận Một cửa thực hiện.",
        rule="R-14",
    )


# --- rules -------------------------------------------------------------------------------------


def reason_given(ctx: Context, *, rule: str = "R-11", message: str = "Phải ghi rõ lý do.") -> None:
    if len(ctx.data.reason.strip()) < 5:
        raise RuleViolation(rule, message, field="reason")


def refuse_internal_offline(procedure, channel: str) -> None:
    """R-19: an internal procedure with an online service is received online only (checked at
    submission and again at reception)."""
    if procedure.internal and procedure.online_level != OnlineLevel.NONE and channel != Channel.ONLINE:
        raise RuleViolation(
            "R-19",
            "Thủ tục nội bộ đã có dịch vụ công trực tuyến phải nộp trực tuyến; "
            "Bộ phận Một cửa không tiếp nhận trực tiếp hoặc qua bưu chính.",
            field="channel",
        )


def internal_online_not_at_counter(ctx: Context) -> None:
    refuse_internal_offline(ctx.dossier.procedure, ctx.dossier.channel)


def supplement_list_complete(ctx: Context) -> None:
    """R-17: everything missing is listed at once, with a reason."""
    items = [i.strip() for i in ctx.data.items if i.strip()]
    if not items:
        raise RuleViolation(
            "R-17", "Phải liệt kê đầy đủ các nội dung cần bổ sung, hoàn thiện trong một lần.", field="items"
        )
    reason_given(ctx)


def supplement_only_once(ctx: Context) -> None:
    """R-17 (REGULATIONS §2.2, §2.4): the applicant is guided once at reception (NĐ 118 Điều 17),
    and asked once at most after reception, in the whole processing at the deciding agency (NĐ 61
    Điều 19 as amended), unless a specialised law provides otherwise (the exception is cited).
    Every request still counts in `supplement_requests`, so repeats stay visible in reports."""
    d = ctx.dossier
    earlier = d.events.filter(action=Action.REQUEST_SUPPLEMENT)
    if d.state == State.SUBMITTED:
        earlier = earlier.filter(from_state=State.SUBMITTED)
    else:
        earlier = earlier.exclude(from_state=State.SUBMITTED)
    if earlier.exists() and len(ctx.data.legal_exception.strip()) < 5:
        raise RuleViolation(
            "R-17",
            "Hồ sơ đã được yêu cầu bổ sung một lần; chỉ được yêu cầu lại khi pháp luật chuyên ngành "
            "cho phép (ghi rõ căn cứ).",
            field="legal_exception",
        )


INCOMPLETE_REASON_MIN = 10


@dataclass(frozen=True)
class ComponentCheck:
    """What the officer found at the counter: the case's components handed in (on paper or only
    shown), those only shown, the pages of each paper scanned, and the mandatory ones missing."""

    handed_in: list[int]
    missing: list[str]
    shown: list[int] = field(default_factory=list)
    pages: dict[int, int] = field(default_factory=dict)


def component_check(ctx: Context) -> ComponentCheck:
    """The case's components handed in — ticked by the officer (`ActionInput.components`), only
    shown (`shown_components`) or with a scan linked to them (`DossierDocument.required_document`)
    — and the mandatory ones missing. Worked out once per action (the guard and the effect that
    records it both ask)."""
    if ctx._components is None:
        ctx._components = _component_check(ctx)
    return ctx._components


def _component_check(ctx: Context) -> ComponentCheck:
    d = ctx.dossier
    components = list(d.case.documents.order_by("order", "pk")) if d.case_id else []
    known = {c.pk for c in components}
    ticked = set(ctx.data.components)
    shown = set(ctx.data.shown_components)
    pages = {int(k): v for k, v in ctx.data.pages.items()}
    if (ticked | shown | set(pages)) - known:
        raise InvalidInput("Thành phần hồ sơ không thuộc trường hợp của hồ sơ này.", field="components")
    scans: dict[int, list[int | None]] = {}
    for component, page_count in d.attachments.filter(required_document__isnull=False).values_list(
        "required_document_id", "document__page_count"
    ):
        scans.setdefault(component, []).append(page_count)
    names = {c.pk: c.name for c in components}
    _scans_follow_the_scanning_rules(names, shown, pages, scans)
    handed_in = ticked | shown | (set(scans) & known)
    return ComponentCheck(
        handed_in=[c.pk for c in components if c.pk in handed_in],
        missing=[c.name for c in components if c.mandatory and c.pk not in handed_in],
        shown=[c.pk for c in components if c.pk in shown],
        pages={c.pk: pages[c.pk] for c in components if c.pk in pages},
    )


def _scans_follow_the_scanning_rules(
    names: dict[int, str], shown: set[int], pages: dict[int, int], scans: dict[int, list[int | None]]
) -> None:
    """TT 03/2025 Điều 5 referring to TT 01/2023/TT-VPCP Điều 8 (REGULATIONS §2.2): a paper only
    shown is not scanned, and a scan has as many images as the paper has pages."""
    both = sorted(shown & set(scans))
    if both:
        raise RuleViolation(
            "R-30",
            f"Thành phần “{names[both[0]]}” được ghi là chỉ xuất trình nên không quét "
            "(Thông tư 01/2023/TT-VPCP Điều 8); bỏ bản quét hoặc bỏ đánh dấu “Chỉ xuất trình”.",
            field="components",
        )
    for component, declared in sorted(pages.items()):
        if declared < 1:
            raise InvalidInput(f"Số trang của “{names[component]}” phải từ 1 trở lên.", field="pages")
        found = scans.get(component)
        if not found:
            continue
        if None in found:
            raise RuleViolation(
                "R-30",
                f"Bản quét của “{names[component]}” phải là tệp PDF, JPG hoặc PNG để đếm được số trang.",
                field="pages",
            )
        if sum(found) != declared:
            raise RuleViolation(
                "R-30",
                f"Thành phần “{names[component]}” có {declared} trang giấy nhưng bản quét có "
                f"{sum(found)} trang: phải quét đủ tất cả các trang, số trang ảnh bằng số trang "
                "giấy (Thông tư 01/2023/TT-VPCP Điều 8).",
                field="pages",
            )


def counter_dossier_complete(ctx: Context) -> None:
    """R-17, NĐ 118/2025 Điều 17 k1 (REGULATIONS §2.2): at the counter or from the post the
    officer checks the completeness of the paper dossier; an incomplete one is not received but
    guided once, in writing, on everything missing (the supplement request), or refused. The
    officer may still receive it only by confirming it explicitly with a reason, which is recorded
    in the event (e.g. a component the specialised law lets the agency obtain itself).

    Online dossiers (k2) are not checked here: the portals make the applicant upload every
    mandatory component before the dossier can be sent, their files are not tied to the case's
    components one by one in this system, and the officer's electronic check ends in the same
    three decisions (receive, request a supplement, refuse)."""
    if ctx.dossier.channel == Channel.ONLINE:
        return
    check = component_check(ctx)
    if check.missing and len(ctx.data.incomplete_reason.strip()) < INCOMPLETE_REASON_MIN:
        raise RuleViolation(
            "R-17",
            "Hồ sơ chưa đủ thành phần bắt buộc: "
            + "; ".join(check.missing)
            + ". Theo Điều 17 Nghị định 118/2025/NĐ-CP, hồ sơ chưa đầy đủ thì hướng dẫn bổ sung, "
            "hoàn thiện một lần (yêu cầu bổ sung), không tiếp nhận; "
            "chỉ tiếp nhận khi xác nhận và ghi rõ lý do.",
            code="dossier_incomplete",
            field="components",
        )


def no_open_consultation(ctx: Context) -> None:
    """R-13 (letter 448/UBND-HCC, 2019): never pause a dossier that waits for another agency."""
    if ctx.dossier.consultations.awaiting().exists():
        # Its own code: a client tells "wait for the answer" from "choose a lawful reason".
        raise RuleViolation(
            "R-13", "Không thể tạm dừng hồ sơ đang chờ ý kiến của cơ quan khác.", code="consultation_open"
        )


def consultations_answered(ctx: Context) -> None:
    """R-14: a result decided while another agency's opinion is still awaited would be "finished in
    the system, not in reality"; a refusal or a stop does not need the answer."""
    if ctx.data.outcome != "refusal" and ctx.dossier.consultations.awaiting().exists():
        raise RuleViolation(
            "R-14",
            "Chưa thể ban hành kết quả khi cơ quan được xin ý kiến chưa trả lời; "
            "hãy chờ ý kiến (hệ thống đã nhắc cơ quan đó) hoặc ban hành văn bản từ chối có lý do.",
        )


def lawful_pause_reason(ctx: Context) -> None:
    if ctx.data.pause_reason not in LAWFUL_PAUSE_REASONS:
        allowed = "; ".join(LAWFUL_PAUSE_REASONS.values())
        raise RuleViolation(
            "R-13",
            f"Chỉ được tạm dừng vì lý do hợp pháp: {allowed}.",
            code="pause_reason_unlawful",
            field="pause_reason",
        )
    reason_given(ctx)


def has_result_document(ctx: Context) -> None:
    """R-14: "finished in the system, not in reality" must be impossible."""
    if ctx.data.outcome == "refusal":
        reason_given(ctx, rule="R-14", message="Từ chối giải quyết phải nêu rõ lý do.")
        refusals = _documents(ctx, DocumentKind.REFUSAL)
        if not refusals:
            raise RuleViolation(
                "R-14", "Từ chối giải quyết phải kèm văn bản trả lời nêu rõ lý do.", field="documents"
            )
        if _issued_electronically(ctx):
            _require_verified_signature(
                refusals, "R-14", "refusal_signature_required", "Văn bản từ chối gửi trực tuyến"
            )
        return
    if ctx.data.outcome != "result":
        raise InvalidInput("Kết quả phải là 'result' hoặc 'refusal'.", field="outcome")
    if not ctx.dossier.procedure.has_result_document:
        return
    results = _documents(ctx, DocumentKind.RESULT)
    if not results:
        raise RuleViolation(
            "R-14",
            "Không thể kết thúc hồ sơ khi chưa đính kèm văn bản kết quả giải quyết.",
            field="documents",
        )
    if _issued_electronically(ctx):
        # NĐ 45/2020 Điều 14: the unit's own seal gives the result its legal value. A PDF the
        # deciding unit seals at issue (effects.seal_results) needs no signature beforehand; if
        # the seal then fails, the action is refused there and nothing changes.
        unit_code = ctx.dossier.deciding_unit.code
        if any(will_be_sealed(d, unit_code) for d in results):
            return
        _require_verified_signature(
            results, "R-14", "result_signature_required", "Kết quả giải quyết điện tử"
        )


def stop_notice_attached(ctx: Context) -> None:
    """R-14, NĐ 118 Điều 21: a stop is lawful only with its reason and a Thông báo dừng."""
    reason_given(ctx, rule="R-14", message="Dừng xử lý phải nêu rõ lý do.")
    notices = _documents(ctx, DocumentKind.STOP_NOTICE)
    if not notices:
        raise RuleViolation("R-14", "Dừng xử lý phải kèm Thông báo dừng giải quyết hồ sơ.", field="documents")
    if _issued_electronically(ctx):
        _require_verified_signature(
            notices, "R-14", "stop_notice_signature_required", "Thông báo dừng gửi trực tuyến"
        )


def withdrawal_request_attached(ctx: Context) -> None:
    """R-15: the applicant's own request, in writing."""
    if not _documents(ctx, DocumentKind.WITHDRAWAL_REQUEST):
        raise RuleViolation("R-15", "Phải đính kèm đơn đề nghị rút hồ sơ của người nộp.", field="documents")


def signed_approval_attached(ctx: Context) -> None:
    """R-15: the head's confirmation is a signed document — a digital signature verified against
    the trust roots, whatever the channel (the approval is recorded in the system, not on paper)."""
    approvals = _documents(ctx, DocumentKind.WITHDRAWAL_APPROVAL)
    if not approvals:
        raise RuleViolation(
            "R-15", "Phải đính kèm văn bản đồng ý rút hồ sơ có chữ ký của lãnh đạo.", field="documents"
        )
    _require_verified_signature(
        approvals, "R-15", "withdrawal_approval_signature_required", "Văn bản đồng ý rút hồ sơ"
    )


def apology_at_most_once(ctx: Context) -> None:
    """R-27, REGULATIONS §2.5: the result date is re-appointed no more than once."""
    if ctx.dossier.extended_due_at is not None:
        raise RuleViolation(
            "R-27", "Hồ sơ đã được xin lỗi và hẹn lại ngày trả một lần; không được hẹn lại lần nữa."
        )


def apology_complete(ctx: Context) -> None:
    """R-27: a new date after the current one, the head's explanation and the signed letter."""
    d = ctx.dossier
    if ctx.data.new_due_at is None or d.due_at is None or ctx.data.new_due_at <= d.due_at:
        raise RuleViolation(
            "R-27", "Phải nêu ngày hẹn trả mới, sau ngày hẹn trả hiện tại.", field="new_due_at"
        )
    if len(ctx.data.explanation.strip()) < 5:
        raise RuleViolation(
            "R-27", "Phải ghi giải trình của thủ trưởng cơ quan về lý do trễ hạn.", field="explanation"
        )
    apologies = _documents(ctx, DocumentKind.APOLOGY)
    if not apologies:
        raise RuleViolation(
            "R-27", "Phải đính kèm Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết.", field="documents"
        )
    # TT 03/2025 mẫu Phiếu xin lỗi: signed by THỦ TRƯỞNG CƠ QUAN; sent online it is an electronic
    # document, which carries that signature digitally (same reasoning as the result, R-14).
    if _issued_electronically(ctx):
        _require_verified_signature(
            apologies, "R-27", "apology_signature_required", "Phiếu xin lỗi gửi trực tuyến"
        )


def on_the_spot_procedure(ctx: Context) -> None:
    """R-08: only on-the-spot procedures are decided at the counter in the same sitting."""
    if not ctx.dossier.procedure.on_the_spot:
        raise RuleViolation("R-08", "Chỉ thủ tục giải quyết tại chỗ mới được ban hành kết quả ngay tại quầy.")


def consultation_well_formed(ctx: Context) -> None:
    """R-12: a consultation states its content and a reply deadline within the lead's maximum."""
    validate_request(
        ctx.dossier,
        to_unit_code=ctx.data.to_unit,
        content=ctx.data.content,
        reply_days=ctx.data.reply_days,
        on=timezone.localdate(ctx.now),
    )


def consultation_open(ctx: Context) -> None:
    consultation = _consultation(ctx)
    if consultation.answered_at is not None:
        raise RuleViolation("R-12", "Yêu cầu xin ý kiến này đã được trả lời.")
    if len(ctx.data.answer.strip()) < 5:
        raise RuleViolation("R-12", "Phải nhập nội dung trả lời.", field="answer")


def _consultation(ctx: Context):
    try:
        return ctx.dossier.consultations.select_related("to_unit").get(pk=ctx.data.consultation_id)
    except (ValueError, TypeError, ctx.dossier.consultations.model.DoesNotExist):
        raise InvalidInput(
            "Không tìm thấy yêu cầu xin ý kiến của hồ sơ này.", field="consultation_id"
        ) from None


def _decision_steps(ctx: Context) -> list:
    """The dossier's process without its final return step (returning follows the result)."""
    version = ctx.dossier.process_version
    steps = list(version.steps.order_by("order")) if version else []
    if steps and steps[-1].role == Role.COUNTER_OFFICER:
        steps = steps[:-1]
    return steps


def at_decision_step(ctx: Context) -> None:
    """R-14, R-24: the result is issued at the process's last processing step (the signature of
    whoever decides), never from an earlier step that would skip the approvals."""
    step, steps = ctx.dossier.current_step, _decision_steps(ctx)
    if step is not None and steps and step.order != steps[-1].order:
        last = steps[-1]
        raise RuleViolation(
            "R-14",
            f"Chỉ ban hành kết quả ở bước cuối của quy trình (bước {last.order}: {last.name}); "
            "hãy chuyển hồ sơ qua các bước phê duyệt.",
        )


def next_step_exists(ctx: Context) -> None:
    """R-11: a dossier moves along its process; after the last processing step comes the result
    (issue_result), not a forward into nowhere that would leave the dossier without a handler."""
    step, steps = ctx.dossier.current_step, _decision_steps(ctx)
    if step is not None and not any(s.order > step.order for s in steps):
        raise RuleViolation(
            "R-11",
            "Đây là bước xử lý cuối cùng của quy trình: hãy ban hành kết quả thay vì chuyển bước.",
        )


def earlier_step_exists(ctx: Context) -> None:
    step = ctx.dossier.current_step
    if ctx.data.step_order is None or step is None or not 1 <= ctx.data.step_order < step.order:
        raise InvalidInput("Chỉ được trả lại một bước trước bước hiện tại.", field="step_order")
    reason_given(ctx)
