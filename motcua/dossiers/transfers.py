"""Open dossiers follow their unit into a merger (REGULATIONS §0.2; issue 9 item 7).

When a unit is merged into its successor, every dossier still being handled moves with the work:
its deciding unit, its running step and the consultations awaiting an answer from (or for) the
predecessor become the successor's. Nothing else changes — the code (it carries the old unit's
identifier and is never re-issued), the receiving unit (who received it is history), the deadlines
(the applicant's appointment does not move because the administration reorganised) — and finished
dossiers are not touched. One exception for the receiving unit: a dossier still waiting to be
received (submitted) has not been received by anyone, and nobody at the predecessor may receive it
any more (its officers' roles end, R-26), so it waits at the successor's reception instead; the
submission event keeps where it was sent. Each moved dossier gets one `unit_transfer` event on its
hash chain and one national-portal message (DonViXuLy changes, R-22).

Written for a commune's thousands of open dossiers: the candidates are read by id, then locked and
moved in batches of `BATCH` with one insert of events and one update of dossiers per batch.

The old unit stays findable: `merged_unit_ids` + `of_units` let the back-office search find, by a
merged unit's old code or name, the dossiers it received, decided or handed over.
"""

import datetime
from collections import Counter as Tally

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from motcua.consultations.models import Consultation
from motcua.core.text import fold, search_folded
from motcua.dossiers import audit, outbox, signals
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep, OutboxMessage
from motcua.dossiers.states import FINAL_STATES, State
from motcua.org.models import Unit
from motcua.org.signals import Handover

BATCH = 500
ACTION = "unit_transfer"
# Where a received dossier waits for the counter that received it (R-17 supplement, R-14 result):
# its receiving unit is history and stays, so the preview names these for the administrator.
AT_THE_COUNTER = (State.AWAITING_SUPPLEMENT, State.RESULT_READY)
MIN_NAME_LENGTH = 3


def _candidates(predecessor: Unit) -> list[int]:
    """Ids of the dossiers with something to move: open and decided by the predecessor, or waiting
    for its reception, or with a running step there, or with a consultation awaiting an answer from
    or for it."""
    open_q = ~Q(state__in=FINAL_STATES)
    mine = Q(deciding_unit=predecessor) | Q(state=State.SUBMITTED, receiving_unit=predecessor)
    ids = set(Dossier.objects.filter(open_q, mine).values_list("pk", flat=True))
    ids.update(
        DossierStep.objects.filter(unit=predecessor, ended_at__isnull=True)
        .exclude(dossier__state__in=FINAL_STATES)
        .values_list("dossier_id", flat=True)
    )
    ids.update(
        Consultation.objects.awaiting()
        .filter(Q(to_unit=predecessor) | Q(from_unit=predecessor))
        .exclude(dossier__state__in=FINAL_STATES)
        .values_list("dossier_id", flat=True)
    )
    return sorted(ids)


def _display_name(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "Hệ thống (sáp nhập đơn vị)"
    return (actor.get_full_name() or actor.get_username())[:255]


def transfer_open_dossiers(
    predecessor: Unit,
    successor: Unit,
    effective_on: datetime.date,
    actor=None,
    *,
    decision: str = "",
    now: datetime.datetime | None = None,
) -> list[Handover]:
    """Move the predecessor's open work to the successor; run inside the merger's transaction.

    Rows are locked in id order, batch after batch, as `services.apply` locks one: an officer
    acting on a dossier meanwhile waits for the merger (or the merger for him), never deadlocks.
    """
    now = now or timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_name = _display_name(actor)
    by_state: Tally[str] = Tally()
    moved = steps_moved = consultations_moved = to_itself = 0
    ids = _candidates(predecessor)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        dossiers = list(
            Dossier.objects.select_for_update(of=("self",))
            .filter(pk__in=chunk)
            .exclude(state__in=FINAL_STATES)  # finished meanwhile: history, not touched
            .select_related("procedure", "deciding_unit", "current_step", "counter", "applicant")
            .order_by("pk")
        )
        locked = [d.pk for d in dossiers]
        steps: dict[int, list[int]] = {}
        for step_id, dossier_id in DossierStep.objects.filter(
            dossier_id__in=locked, unit=predecessor, ended_at__isnull=True
        ).values_list("pk", "dossier_id"):
            steps.setdefault(dossier_id, []).append(step_id)
        # dossier → (consultation, asked of the predecessor, asked by it, asked of itself after the move)
        consultations: dict[int, list[tuple[int, bool, bool, bool]]] = {}
        for pk, dossier_id, to_id, from_id in (
            Consultation.objects.awaiting()
            .filter(dossier_id__in=locked)
            .filter(Q(to_unit=predecessor) | Q(from_unit=predecessor))
            .values_list("pk", "dossier_id", "to_unit_id", "from_unit_id")
        ):
            to_here, from_here = to_id == predecessor.pk, from_id == predecessor.pk
            after = (successor.pk if from_here else from_id, successor.pk if to_here else to_id)
            consultations.setdefault(dossier_id, []).append((pk, to_here, from_here, after[0] == after[1]))
        changed, events = [], []
        for dossier in dossiers:
            decided_here = dossier.deciding_unit_id == predecessor.pk
            to_receive_here = dossier.state == State.SUBMITTED and dossier.receiving_unit_id == predecessor.pk
            if not (decided_here or to_receive_here or dossier.pk in steps or dossier.pk in consultations):
                continue
            if decided_here:
                dossier.deciding_unit = successor
            if to_receive_here:
                dossier.receiving_unit = successor
                if dossier.counter is not None and dossier.counter.centre_id != successor.pk:
                    dossier.counter = None  # a counter of the merged centre: the successor's assigns one
            dossier.version += 1
            events.append(
                audit.chain_event(
                    dossier,
                    at=now,
                    actor=user,
                    actor_name=actor_name,
                    action=ACTION,
                    from_state=dossier.state,
                    to_state=dossier.state,
                    step=dossier.current_step,
                    # The unit the dossier leaves: what the search by an old unit finds (`of_units`).
                    unit=predecessor,
                    reason=f"Sáp nhập {predecessor} vào {successor}"
                    + (f" theo {decision}" if decision else ""),
                    data={
                        "from_unit": predecessor.code,
                        "from_unit_name": predecessor.name,
                        "to_unit": successor.code,
                        "to_unit_name": successor.name,
                        "decision": decision,
                        "effective_on": effective_on.isoformat(),
                        "deciding_unit": decided_here,
                        "receiving_unit": to_receive_here,
                        "steps": len(steps.get(dossier.pk, ())),
                        "consultations": len(consultations.get(dossier.pk, ())),
                    },
                )
            )
            changed.append(dossier)
            by_state[dossier.state] += 1
        if not changed:
            continue
        DossierEvent.objects.bulk_create(events)
        _save_moves(changed, predecessor, successor)
        step_ids = [pk for dossier in changed for pk in steps.get(dossier.pk, ())]
        steps_moved += DossierStep.objects.filter(pk__in=step_ids).update(unit=successor)
        awaited = [row for dossier in changed for row in consultations.get(dossier.pk, ())]
        Consultation.objects.filter(pk__in=[pk for pk, to_here, _, _ in awaited if to_here]).update(
            to_unit=successor
        )
        Consultation.objects.filter(pk__in=[pk for pk, _, from_here, _ in awaited if from_here]).update(
            from_unit=successor
        )
        consultations_moved += len(awaited)
        to_itself += sum(1 for *_, itself in awaited if itself)
        _enqueue(changed, events)
        moved += len(changed)
    warnings = []
    at_counter = Dossier.objects.filter(state__in=AT_THE_COUNTER, receiving_unit=predecessor).count()
    if at_counter:
        warnings.append(
            f"{at_counter} hồ sơ do {predecessor} tiếp nhận đang chờ bổ sung hoặc chờ trả kết quả: đơn vị "
            "tiếp nhận giữ nguyên (lịch sử); hãy bố trí quầy nhận bổ sung và trả kết quả cho các hồ sơ này."
        )
    return [
        Handover(
            key="dossiers",
            label=f"Hồ sơ đang giải quyết chuyển sang {successor}",
            count=moved,
            breakdown={state.label: by_state[state] for state in State if by_state[state]},
            warnings=warnings,
        ),
        Handover(
            key="steps", label="Bước xử lý đang thực hiện chuyển sang đơn vị kế thừa", count=steps_moved
        ),
        Handover(
            key="consultations",
            label="Phiếu xin ý kiến đang chờ trả lời",
            count=consultations_moved,
            warnings=[
                f"{to_itself} phiếu xin ý kiến giữa {predecessor} và {successor} nay là của chính "
                f"{successor}: hãy trả lời để khép lại."
            ]
            if to_itself
            else [],
        ),
    ]


def _save_moves(changed: list[Dossier], predecessor: Unit, successor: Unit) -> None:
    """Write the moved dossiers' new units and chain heads. Not `bulk_update` (its CASE over five
    columns costs more to build than to run): the units move in set-wise updates, and the chain
    heads in one statement per batch — the version by one (the rows are locked), the hash by id."""
    decided = [d.pk for d in changed if d.deciding_unit_id == successor.pk]
    Dossier.objects.filter(pk__in=decided, deciding_unit=predecessor).update(deciding_unit=successor)
    for counter_id in {d.counter_id for d in changed if d.receiving_unit_id == successor.pk}:
        received = [
            d.pk for d in changed if d.receiving_unit_id == successor.pk and d.counter_id == counter_id
        ]
        Dossier.objects.filter(pk__in=received, receiving_unit=predecessor).update(
            receiving_unit=successor, counter_id=counter_id
        )
    table = connection.ops.quote_name(Dossier._meta.db_table)
    cases = " ".join(["WHEN %s THEN %s"] * len(changed))
    ids = ", ".join(["%s"] * len(changed))
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {table} SET "version" = "version" + 1, "last_event_hash" = CASE "id" {cases} END '
            f'WHERE "id" IN ({ids})',
            [*(v for d in changed for v in (d.pk, d.last_event_hash)), *(d.pk for d in changed)],
        )
    signals.bulk_written.send(sender=Unit, dossier_ids=[d.pk for d in changed])


def _enqueue(changed: list[Dossier], events: list[DossierEvent]) -> None:
    """R-22: what `outbox.enqueue_status_change` writes for each event — one national-portal message
    (the state does not change, so no notification) — inserted in one statement per batch."""
    OutboxMessage.objects.bulk_create(
        [outbox.national_message(dossier, event) for dossier, event in zip(changed, events, strict=True)]
    )
    outbox.announce_after_commit()


# --- finding a merged unit's dossiers by its old code or name ---------------------------------------


def merged_unit_ids(text: str) -> list[int]:
    """The merged units (those with a successor) that `text` names: by their exact old code, or
    by every word of their name or code, typed with or without diacritics."""
    text = " ".join(text.split())
    if not text:
        return []
    merged = Unit.objects.filter(successor__isnull=False)
    by_code = list(merged.filter(code=text.upper()).values_list("pk", flat=True))
    if by_code or len(fold(text).replace(" ", "")) < MIN_NAME_LENGTH:
        return by_code
    return list(search_folded(merged, "search_text", text).values_list("pk", flat=True)[:50])


def of_units(unit_ids: list[int]) -> Q:
    """Dossiers the units received or decided, or handed over to a successor in a merger."""
    handed_over = DossierEvent.objects.filter(action=ACTION, unit_id__in=unit_ids).values("dossier_id")
    return Q(receiving_unit_id__in=unit_ids) | Q(deciding_unit_id__in=unit_ids) | Q(pk__in=handed_over)
