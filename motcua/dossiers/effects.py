"""What each action does besides moving the state: steps, clocks, pauses, consultations.

Effects run after the guards, inside `services.apply`'s transaction, holding the dossier lock.
"""

from collections.abc import Callable

from django.utils import timezone

from motcua.catalog.models import Channel
from motcua.consultations import services as consultations
from motcua.documents.models import DocumentKind, DocumentOrigin, SignatureStatus
from motcua.documents.sealing import can_seal, certify_scan, seal_result, will_be_sealed
from motcua.dossiers import deadlines
from motcua.dossiers.context import Context
from motcua.dossiers.guards import component_check
from motcua.dossiers.models import (
    REFORM_DATE,
    ComponentReceipt,
    DossierDocument,
    DossierPause,
    DossierStep,
    LegalBasis,
    PauseKind,
    Presentation,
)
from motcua.dossiers.states import State
from motcua.org.models import Role

Effect = Callable[[Context], None]


def _iso(value) -> str | None:
    """Local time (Asia/Ho_Chi_Minh), whether the value was computed or read back from the database."""
    return timezone.localtime(value).isoformat() if value is not None else None


def attach_documents(ctx: Context) -> None:
    for document in ctx.documents():
        DossierDocument.objects.get_or_create(
            dossier=ctx.dossier, document=document, defaults={"attached_at": ctx.now}
        )
        ctx.event_documents.append(str(document.pk))


# --- steps (R-11: the process-control sheet is these rows) ---------------------------------------


def _user(ctx: Context):
    return ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None


def _process_steps(ctx: Context):
    version = ctx.dossier.process_version
    return list(version.steps.select_related("unit").order_by("order")) if version else []


def _close_current_step(ctx: Context) -> None:
    step = ctx.dossier.current_step
    if step is not None and step.ended_at is None:
        step.ended_at, step.ended_by = ctx.now, _user(ctx)
        # Nobody claims a step before working on it: whoever finishes it handled it (R-27: the
        # monthly report names the officers at whose step dossiers became late).
        if step.handler_id is None:
            step.handler = _user(ctx)
        # Judged against the budget as the law counts it when the step ends: time the dossier
        # spent lawfully paused or waiting for the applicant is not the officer's, even
        # when the step ends during that wait (a stop or a withdrawal while paused).
        step.planned_end_at = deadlines.project_step_end(step, open_until=ctx.now)
        step.late = step.planned_end_at is not None and ctx.now > step.planned_end_at
        step.save(update_fields=["ended_at", "ended_by", "handler", "planned_end_at", "late"])
    ctx.dossier.current_step = None


def _replan_current_step(ctx: Context) -> None:
    """The clock runs again (resume, supplement handed in): store the running step's moved planned
    end (deadlines._step_end says by how much, and why a supplement restarts it)."""
    step = ctx.dossier.current_step
    if step is None or step.ended_at is not None:
        return
    planned = deadlines.project_step_end(step)
    if planned != step.planned_end_at:
        ctx.event_data["step_planned_end"] = {"before": _iso(step.planned_end_at), "after": _iso(planned)}
        step.planned_end_at = planned
        step.save(update_fields=["planned_end_at"])


def _open_step(ctx: Context, process_step, *, unit=None) -> DossierStep:
    step = DossierStep.objects.create(
        dossier=ctx.dossier,
        process_step=process_step,
        order=process_step.order,
        name=process_step.name,
        unit=unit or process_step.unit or ctx.dossier.deciding_unit,
        role=process_step.role,
        started_at=ctx.now,
        planned_end_at=deadlines.step_end(ctx.now, process_step.budget_hours),
    )
    ctx.dossier.current_step = step
    ctx.event_data["step"] = {"order": step.order, "name": step.name, "unit": step.unit.code}
    return step


def _last_order(ctx: Context) -> int:
    last = ctx.dossier.steps.order_by("-order", "-pk").values_list("order", flat=True).first()
    return last or 0


def open_next_step(ctx: Context) -> None:
    """Close the current step and start the next one of the dossier's process version."""
    done = ctx.dossier.current_step.order if ctx.dossier.current_step else _last_order(ctx)
    _close_current_step(ctx)
    following = [s for s in _process_steps(ctx) if s.order > done]
    if following:
        _open_step(ctx, following[0])


def open_earlier_step(ctx: Context) -> None:
    _close_current_step(ctx)
    target = next(s for s in _process_steps(ctx) if s.order == ctx.data.step_order)
    _open_step(ctx, target)


# --- reception -----------------------------------------------------------------------------------


def start_clock(ctx: Context) -> None:
    """Receipt: the deadline runs from the minute of receipt (REGULATIONS §7.3)."""
    d = ctx.dossier
    d.received_at = d.clock_started_at = ctx.now
    # The law in force on the day of receipt governs the dossier (NĐ 118/2025 from 01/7/2025).
    received_on = timezone.localdate(ctx.now)
    d.legal_basis = LegalBasis.BEFORE_2025_07 if received_on < REFORM_DATE else LegalBasis.FROM_2025_07
    d.due_at = d.original_due_at = deadlines.project_due(d, now=ctx.now)
    ctx.event_data["due_at"] = _iso(d.due_at)
    # The reception step of the process is done by whoever received (the Centre's counter when it
    # receives on behalf of the deciding unit, R-01).
    steps = _process_steps(ctx)
    if steps and steps[0].role == Role.COUNTER_OFFICER:
        step = _open_step(ctx, steps[0], unit=d.receiving_unit)
        step.handler = ctx.actor
        step.save(update_fields=["handler"])
        _close_current_step(ctx)


def hand_over(ctx: Context) -> None:
    """R-03: received on behalf → handed to the deciding unit; the paper goes by post."""
    d = ctx.dossier
    if d.receiving_unit_id != d.deciding_unit_id:
        ctx.event_data["handover"] = {
            "from": d.receiving_unit.code,
            "to": d.deciding_unit.code,
            "paper_transfer_due": deadlines.paper_transfer_due(d.received_at).isoformat(),
            "postal": True,
        }
    open_next_step(ctx)


def finish(ctx: Context) -> None:
    ctx.dossier.finished_at = ctx.now
    _close_current_step(ctx)
    DossierPause.objects.filter(dossier=ctx.dossier, ended_at__isnull=True).update(ended_at=ctx.now)


def seal_results(ctx: Context) -> None:
    """NĐ 45/2020 Điều 14, R-30: an electronic result has the paper one's legal value because the
    competent agency signs it. Each result PDF of the action gets the deciding unit's seal (PAdES,
    added after any signature already on it) and a verification code; a seal that cannot be made
    refuses the whole action (documents.sealing raises, the transaction rolls back). Units without a
    configured key issue results as before (their online results must come signed, R-14)."""
    if ctx.data.outcome != "result":
        return
    unit = ctx.dossier.deciding_unit
    sealed = []
    for document in ctx.documents():
        if document.kind == DocumentKind.RESULT and will_be_sealed(document, unit.code):
            seal_result(document, unit_code=unit.code, unit_name=unit.name)
            # The sealed bytes' checksum goes into the hash-chained event: the file the applicant
            # holds is the one the log vouches for.
            sealed.append({"document": str(document.pk), "sha256": document.sha256, "unit": unit.code})
    if sealed:
        ctx.event_data["sealed"] = sealed


def certify_scans(ctx: Context) -> None:
    """TT 03/2025 Điều 5 k1 điểm c, TT 01/2023/TT-VPCP: the papers received at the counter are
    digitised, and a scan is a digitisation result once the receiving unit signs it (the national
    portal's DuocSoHoa). Each unsigned PDF scanned at the counter gets the receiving unit's
    signature when a key is configured for it; a signature that cannot be made refuses the
    reception (nothing changes), as a result's seal does. Without a key the scans stay plain."""
    unit = ctx.dossier.receiving_unit
    if ctx.dossier.channel == Channel.ONLINE or unit is None or not can_seal(unit.code):
        return
    certified = []
    for link in ctx.dossier.attachments.select_related("document").filter(
        document__origin=DocumentOrigin.SCANNED, document__signature_status=SignatureStatus.UNSIGNED
    ):
        document = certify_scan(link.document, unit_code=unit.code, unit_name=unit.name)
        certified.append({"document": str(document.pk), "sha256": document.sha256, "unit": unit.code})
    if certified:
        ctx.event_data["certified_scans"] = certified


def record_result(ctx: Context) -> None:
    finish(ctx)
    ctx.event_data["outcome"] = ctx.data.outcome
    # The process's last step (returning the result) starts when the result exists.
    remaining = [
        s for s in _process_steps(ctx) if s.order > _last_order(ctx) and s.role == Role.COUNTER_OFFICER
    ]
    if remaining:
        _open_step(ctx, remaining[-1], unit=ctx.dossier.receiving_unit)


def hand_result_over(ctx: Context) -> None:
    ctx.dossier.returned_at = ctx.now
    ctx.event_data["delivery"] = ctx.data.delivery or ctx.dossier.result_delivery
    _close_current_step(ctx)


# --- supplements and pauses ----------------------------------------------------------------------


def open_supplement(ctx: Context) -> None:
    d = ctx.dossier
    d.supplement_requests += 1
    d.resume_state = d.state
    DossierPause.objects.create(
        dossier=d, kind=PauseKind.SUPPLEMENT, reason=ctx.data.reason.strip(), started_at=ctx.now
    )
    ctx.event_data["items"] = [i.strip() for i in ctx.data.items if i.strip()]
    if ctx.data.legal_exception:
        ctx.event_data["legal_exception"] = ctx.data.legal_exception.strip()


def close_supplement(ctx: Context) -> None:
    """REGULATIONS §2.4: after a supplement the legal time restarts from completion; both the old
    and the new appointment are kept (NgayHenTraTruoc / NgayHenTraMoi)."""
    d = ctx.dossier
    DossierPause.objects.filter(dossier=d, kind=PauseKind.SUPPLEMENT, ended_at__isnull=True).update(
        ended_at=ctx.now
    )
    attach_documents(ctx)
    if d.clock_started_at is not None:
        previous = d.due_at
        d.clock_started_at = ctx.now
        d.due_at = deadlines.project_due(d, now=ctx.now)
        ctx.event_data.update({"due_before": _iso(previous), "due_after": _iso(d.due_at)})
    _replan_current_step(ctx)


def open_pause(ctx: Context) -> None:
    d = ctx.dossier
    d.resume_state = d.state
    DossierPause.objects.create(
        dossier=d,
        kind=PauseKind.PAUSE,
        reason=f"{ctx.data.pause_reason}: {ctx.data.reason.strip()}",
        started_at=ctx.now,
    )
    d.pause_ground = ctx.data.pause_reason
    ctx.event_data["pause_reason"] = ctx.data.pause_reason


def close_pause(ctx: Context) -> None:
    d = ctx.dossier
    DossierPause.objects.filter(dossier=d, kind=PauseKind.PAUSE, ended_at__isnull=True).update(
        ended_at=ctx.now
    )
    d.pause_ground = ""
    previous = d.due_at
    d.due_at = deadlines.project_due(d, now=ctx.now)
    ctx.event_data.update({"due_before": _iso(previous), "due_after": _iso(d.due_at)})
    _replan_current_step(ctx)


def remember_state(ctx: Context) -> None:
    ctx.dossier.resume_state = ctx.dossier.state


# --- consultations, apology ----------------------------------------------------------------------


def open_consultation(ctx: Context) -> None:
    consultation = consultations.open_consultation(
        ctx.dossier,
        actor=ctx.actor,
        to_unit_code=ctx.data.to_unit,
        content=ctx.data.content,
        reply_days=ctx.data.reply_days,
        now=ctx.now,
    )
    ctx.event_data["consultation"] = {
        "id": consultation.pk,
        "to_unit": consultation.to_unit.code,
        "due_at": _iso(consultation.due_at),
    }


def record_answer(ctx: Context) -> None:
    consultation = ctx.dossier.consultations.get(pk=ctx.data.consultation_id)
    consultations.answer_consultation(consultation, actor=ctx.actor, answer=ctx.data.answer, now=ctx.now)
    ctx.event_data["consultation"] = {"id": consultation.pk, "late": consultation.answered_late}


def record_extension(ctx: Context) -> None:
    """R-27: the new date is recorded beside the original one, which stays the synced NgayHenTra
    (REGULATIONS §2.5: do not silently overwrite it)."""
    d = ctx.dossier
    d.extended_due_at = ctx.data.new_due_at
    ctx.event_data.update(
        {
            "new_due_at": _iso(ctx.data.new_due_at),
            "explanation": ctx.data.explanation.strip(),
            "in_time": deadlines.apology_in_time(d.due_at, ctx.now),
        }
    )


def back_to_resume_state(ctx: Context) -> None:
    """Go back to where the dossier was before the waiting state it leaves now.

    Waiting states nest once: a withdrawal may be requested while the dossier is paused or awaits a
    supplement. Dropping that request returns to the pause or the supplement, whose own way back
    (the state before it) is read from the event that entered it — the log is the memory, so the
    dossier never ends up waiting to return to itself.
    """
    d = ctx.dossier
    target = d.resume_state or State.PROCESSING
    ctx.new_state = target
    if target in (State.AWAITING_SUPPLEMENT, State.PAUSED):
        entered = (
            d.events.filter(to_state=target)
            .exclude(from_state__in=[target, State.WITHDRAWAL_REQUESTED])
            .order_by("-seq")
            .values_list("from_state", flat=True)
            .first()
        )
        d.resume_state = entered or State.PROCESSING


def record_component_check(ctx: Context) -> None:
    """R-17, NĐ 118 Điều 17 k1: the components handed in at the counter, and — when the officer
    received despite missing mandatory ones — what was missing and the confirmed reason."""
    if ctx.dossier.channel == Channel.ONLINE:
        return
    check = component_check(ctx)
    ctx.event_data["components"] = check.handed_in
    if check.shown:
        ctx.event_data["shown_components"] = check.shown
    if check.pages:
        ctx.event_data["pages"] = {str(k): v for k, v in check.pages.items()}
    # TT 03/2025 Điều 5: each component as received, handed in or only shown, with its pages.
    ComponentReceipt.objects.bulk_create(
        [
            ComponentReceipt(
                dossier=ctx.dossier,
                required_document_id=component,
                presentation=Presentation.SHOWN if component in check.shown else Presentation.HANDED_IN,
                pages=check.pages.get(component),
                recorded_at=ctx.now,
            )
            for component in check.handed_in
        ],
        update_conflicts=True,
        unique_fields=["dossier", "required_document"],
        update_fields=["presentation", "pages", "recorded_at"],
    )
    if check.missing:
        ctx.event_data["missing_components"] = check.missing
        ctx.event_data["incomplete_reason"] = ctx.data.incomplete_reason.strip()
