"""Changes to the unit tree and to who may act where (R-26, REGULATIONS §0.2).

A merger (sáp nhập) is done in two phases (issue 9 item 7): `plan_merger` records a draft and
moves nothing; `preview_merger` shows what a commit would move; `commit_merger` moves it all in one
transaction; `cancel_merger` drops a draft. A committed merger is history: never undone, never
edited — a mistaken one is corrected by a new decision.
"""

import datetime
from collections import Counter as Tally
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from motcua.core.errors import DomainError, InvalidInput, RuleViolation
from motcua.org.models import (
    Counter,
    MergerStatus,
    Role,
    RoleAssignment,
    Unit,
    UnitKind,
    UnitMerger,
)
from motcua.org.signals import Handover, unit_merged

# A preview lists at most this many officers, procedures… per part; the counts are always whole.
ITEMS_SHOWN = 50
# Mergers that hold their predecessors: a unit is merged once (a cancelled draft holds nothing).
OPEN_STATUSES = (MergerStatus.DRAFT, MergerStatus.COMMITTED)


class MergerStateError(DomainError):
    """The action does not fit the merger's status (commit a cancelled draft, cancel a committed one)."""

    status_code = 409
    code = "merger_state"


def _day(value: datetime.date) -> str:
    return f"{value:%d/%m/%Y}"


def validate_merge(
    predecessors: Sequence[Unit],
    successor: Unit,
    *,
    effective_on: datetime.date,
    decision: str,
    merger: UnitMerger | None = None,
) -> None:
    """Refuse a merger that would make the tree inconsistent; raises InvalidInput.

    `merger`: the draft being committed, which does not count as "another merger" of its units.
    """
    if not decision.strip():
        raise InvalidInput("Phải ghi số, ký hiệu quyết định sáp nhập.", field="decision")
    if not predecessors:
        raise InvalidInput("Phải chọn ít nhất một đơn vị bị sáp nhập.", field="predecessors")
    if successor.valid_from and successor.valid_from > effective_on:
        raise InvalidInput(f"{successor} chưa có hiệu lực vào ngày {_day(effective_on)}.", field="successor")
    if successor.successor_id:
        raise InvalidInput(
            f"{successor} đã được sáp nhập vào {successor.successor}; hãy chọn đơn vị kế thừa hiện nay.",
            field="successor",
        )
    if successor.valid_to and successor.valid_to < effective_on:
        raise InvalidInput(
            f"{successor} hết hiệu lực từ sau ngày {_day(successor.valid_to)}, không thể kế thừa.",
            field="successor",
        )
    above = {successor.pk, *(a.pk for a in successor.ancestors())}
    others = UnitMerger.objects.filter(status__in=OPEN_STATUSES).exclude(pk=getattr(merger, "pk", None))
    for unit in predecessors:
        if unit.pk in above:
            raise InvalidInput(f"Không thể sáp nhập {unit} vào chính nó hoặc vào đơn vị cấp dưới của nó.")
        if unit.successor_id:
            raise InvalidInput(
                f"{unit} đã được sáp nhập vào {unit.successor} trước đó.", field="predecessors"
            )
        other = others.filter(predecessors=unit).first()
        if other is not None:
            raise InvalidInput(
                f"{unit} đã có trong một dự thảo sáp nhập khác ({other.decision}); "
                "hãy thực hiện hoặc huỷ dự thảo đó trước.",
                field="predecessors",
            )


def plan_merger(
    predecessors: Sequence[Unit],
    successor: Unit,
    *,
    effective_on: datetime.date,
    decision: str,
    actor=None,
) -> UnitMerger:
    """Record a draft merger (validated; nothing moves until `commit_merger`)."""
    with transaction.atomic():
        # Lock the predecessors: two administrators planning the same unit at once get one draft.
        locked = list(
            Unit.objects.select_for_update(of=("self",))
            .select_related("successor")
            .filter(pk__in={u.pk for u in predecessors})
            .order_by("code")
        )
        validate_merge(locked, successor, effective_on=effective_on, decision=decision)
        merger = UnitMerger.objects.create(
            successor=successor,
            effective_on=effective_on,
            decision=decision.strip(),
            status=MergerStatus.DRAFT,
            created_by=_user(actor),
        )
        merger.predecessors.set(locked)
    return merger


@dataclass
class UnitHandover:
    """Everything one predecessor hands over (as it was named before the merger)."""

    code: str
    name: str
    handovers: list[Handover]

    def get(self, key: str) -> Handover | None:
        return next((h for h in self.handovers if h.key == key), None)

    def counts(self) -> dict[str, int]:
        return {h.key: h.count for h in self.handovers}


@dataclass
class MergerPreview:
    """What committing `merger` would move (or, read back from a committed merger, what it moved)."""

    merger: UnitMerger
    units: list[UnitHandover]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per predecessor code, per part: the shape of UnitMerger.moved."""
        return {u.code: u.counts() for u in self.units}

    def totals(self) -> dict[str, int]:
        total: Tally[str] = Tally()
        for unit in self.units:
            total.update(unit.counts())
        return dict(total)

    @property
    def warnings(self) -> list[str]:
        return [w for u in self.units for h in u.handovers for w in h.warnings]


class _DryRun(Exception):
    """Raised inside the preview's transaction so that everything it wrote is rolled back."""


def preview_merger(merger: UnitMerger) -> MergerPreview:
    """What `commit_merger` would move now: the real moves, run in a transaction rolled back.

    Exact by construction — the same code runs — at the price of the moves' time and row locks
    while it runs (seconds for a commune's thousands of open dossiers; an administrator's page).
    """
    merger = UnitMerger.objects.select_related("successor").get(pk=merger.pk)
    if merger.status != MergerStatus.DRAFT:
        raise MergerStateError("Chỉ xem trước được dự thảo sáp nhập chưa thực hiện.")
    validate_merge(
        list(merger.predecessors.select_related("successor")),
        merger.successor,
        effective_on=merger.effective_on,
        decision=merger.decision,
        merger=merger,
    )
    units: list[UnitHandover] = []
    try:
        with transaction.atomic():
            units = _apply(merger, actor=None)
            raise _DryRun
    except _DryRun:
        pass
    return MergerPreview(merger, units)


def commit_merger(merger: UnitMerger, *, actor=None, today: datetime.date | None = None) -> UnitMerger:
    """Apply a draft: predecessors end the day before `effective_on` and point at the successor;
    officers, counters and — through the `unit_merged` receivers — procedures, reception points and
    open dossiers move, all in one transaction; what moved is recorded on the merger."""
    today = today or timezone.localdate()
    with transaction.atomic():
        merger = UnitMerger.objects.select_for_update().select_related("successor").get(pk=merger.pk)
        if merger.status != MergerStatus.DRAFT:
            raise MergerStateError(
                f"Sáp nhập này {merger.get_status_display().lower()}, không thực hiện lại."
            )
        if merger.effective_on > today:
            # The successor answers for the predecessor's work from the decision's date, not before.
            raise InvalidInput(
                f"Quyết định có hiệu lực từ ngày {_day(merger.effective_on)}; "
                "chỉ thực hiện sáp nhập từ ngày đó.",
                field="effective_on",
            )
        validate_merge(
            list(merger.predecessors.select_related("successor")),
            merger.successor,
            effective_on=merger.effective_on,
            decision=merger.decision,
            merger=merger,
        )
        units = _apply(merger, actor=actor)
        merger.status = MergerStatus.COMMITTED
        merger.committed_by = _user(actor)
        merger.committed_at = timezone.now()
        merger.moved = MergerPreview(merger, units).counts()
        merger.save(update_fields=["status", "committed_by", "committed_at", "moved"])
    return merger


def cancel_merger(merger: UnitMerger, *, actor=None) -> UnitMerger:
    """Drop a draft; nothing had moved. A committed merger cannot be cancelled."""
    with transaction.atomic():
        merger = UnitMerger.objects.select_for_update().get(pk=merger.pk)
        if merger.status == MergerStatus.COMMITTED:
            raise MergerStateError(
                "Sáp nhập đã thực hiện, không thể huỷ; muốn điều chỉnh phải có quyết định mới."
            )
        if merger.status == MergerStatus.CANCELLED:
            raise MergerStateError("Dự thảo sáp nhập này đã được huỷ trước đó.")
        merger.status = MergerStatus.CANCELLED
        merger.cancelled_by = _user(actor)
        merger.cancelled_at = timezone.now()
        merger.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    return merger


def merge_units(
    predecessors: Sequence[Unit],
    successor: Unit,
    *,
    effective_on: datetime.date,
    decision: str,
    actor=None,
) -> UnitMerger:
    """Plan and commit at once (e.g. NQ 202/2025/QH15, 01/7/2025): the demo loader and imports of
    decisions already in force. Predecessors are never deleted: they end the day before and point at
    their successor, so old dossiers keep the unit they were received by while open work moves on."""
    with transaction.atomic():
        merger = plan_merger(
            predecessors, successor, effective_on=effective_on, decision=decision, actor=actor
        )
        return commit_merger(merger, actor=actor)


# --- the moves -------------------------------------------------------------------------------------


def _apply(merger: UnitMerger, *, actor) -> list[UnitHandover]:
    """End each predecessor, move what org owns, then let the apps above move theirs."""
    successor, effective_on = merger.successor, merger.effective_on
    last_day = effective_on - datetime.timedelta(days=1)
    units = list(
        Unit.objects.select_for_update().filter(pk__in=merger.predecessors.values("pk")).order_by("code")
    )
    result = []
    for unit in units:
        code, name = unit.code, unit.name
        unit.successor = successor
        if unit.valid_to is None or unit.valid_to > last_day:
            unit.valid_to = last_day
        unit.save(update_fields=["successor", "valid_to", "search_text", "name", "short_name"])
        handovers = [
            Handover(
                key="units",
                label="Đơn vị bị sáp nhập",
                count=1,
                items=[
                    f"{name} ({code}): hết hiệu lực sau ngày {_day(unit.valid_to)}, do {successor} kế thừa"
                ],
                warnings=_orphaned_children(unit, effective_on),
            ),
            _hand_over_roles(unit, successor, effective_on),
            _hand_over_counters(unit, successor, effective_on),
        ]
        responses = unit_merged.send(
            sender=Unit,
            predecessor=unit,
            successor=successor,
            effective_on=effective_on,
            merger=merger,
            actor=actor,
        )
        for _receiver, response in responses:
            handovers.extend(response or ())
        result.append(UnitHandover(code=code, name=name, handovers=handovers))
    return result


def _open_on(effective_on: datetime.date) -> Q:
    """Rows still in force on `effective_on` or later (the ones a merger must carry over)."""
    return Q(valid_to__isnull=True) | Q(valid_to__gte=effective_on)


def _hand_over_roles(predecessor: Unit, successor: Unit, effective_on: datetime.date) -> Handover:
    """R-26: the predecessor's officers act for the successor from `effective_on`: each assignment
    ends the day before and an equivalent one starts on the successor (unless the officer already
    holds that role there), so the dossiers that move appear in their queues."""
    last_day = effective_on - datetime.timedelta(days=1)
    assignments = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .filter(unit=predecessor)
        .filter(_open_on(effective_on))
        .select_related("user", "counter")
        .order_by("user__username", "role")
    )
    items, by_role, warnings, count = [], Tally(), [], 0
    for assignment in assignments:
        count += 1
        role = Role(assignment.role)
        by_role[role.label] += 1
        who = assignment.user.get_full_name() or assignment.user.get_username()
        # A counter belongs to its centre: kept only if the officer's counter is the successor's.
        counter = (
            assignment.counter
            if assignment.counter and assignment.counter.centre_id == successor.pk
            else None
        )
        existing = RoleAssignment.objects.filter(
            user=assignment.user, unit=successor, role=assignment.role
        ).first()
        note = ""
        if assignment.valid_from is not None and assignment.valid_from >= effective_on:
            # Not yet in force under the predecessor: nothing to keep, it simply moves.
            if existing is None:
                assignment.unit, assignment.counter = successor, counter
                assignment.save(update_fields=["unit", "counter"])
            else:
                assignment.delete()
                note = " (đã có sẵn)"
        else:
            original_end = assignment.valid_to
            assignment.valid_to = last_day
            assignment.save(update_fields=["valid_to"])
            if existing is None:
                RoleAssignment.objects.create(
                    user=assignment.user,
                    unit=successor,
                    role=assignment.role,
                    counter=counter,
                    valid_from=effective_on,
                    valid_to=original_end,
                )
            elif existing.is_valid_on(effective_on):
                note = " (đã có sẵn)"
            else:
                # One row per officer, unit and role (role_assignment_unique): an ended or future
                # assignment on the successor is stretched to cover the merger day instead.
                if existing.valid_to is not None and existing.valid_to < effective_on:
                    existing.valid_to = original_end
                if existing.valid_from is not None and existing.valid_from > effective_on:
                    existing.valid_from = effective_on
                existing.save(update_fields=["valid_from", "valid_to"])
        if role == Role.COUNTER_OFFICER and assignment.counter_id and counter is None:
            warnings.append(f"{who}: chưa được gán quầy tại {successor} (quầy cũ thuộc {predecessor}).")
        if len(items) < ITEMS_SHOWN:
            items.append(f"{who} — {role.label}{note}")
    return Handover(
        key="role_assignments",
        label=f"Cán bộ chuyển phân quyền sang {successor} (hàng chờ xử lý chuyển theo)",
        count=count,
        breakdown=dict(by_role),
        items=items,
        warnings=warnings,
    )


def _hand_over_counters(predecessor: Unit, successor: Unit, effective_on: datetime.date) -> Handover:
    """R-01: counters that received on behalf of the predecessor now receive for the successor;
    the counters of a merged centre end with it (the successor's centre has its own)."""
    last_day = effective_on - datetime.timedelta(days=1)
    items, count = [], 0
    serving = (
        Counter.objects.filter(serves=predecessor).filter(_open_on(effective_on)).select_related("centre")
    )
    for counter in serving.order_by("centre__code", "number"):
        counter.serves.remove(predecessor)
        counter.serves.add(successor)
        count += 1
        items.append(f"{counter} ({counter.centre}): tiếp nhận thay cho {successor}")
    own = Counter.objects.filter(centre=predecessor).filter(_open_on(effective_on)).order_by("number")
    warnings = []
    for counter in own:
        counter.valid_to = last_day
        counter.save(update_fields=["valid_to"])
        count += 1
        items.append(f"{counter}: kết thúc ngày {_day(last_day)}")
    if own and successor.kind == UnitKind.SERVICE_CENTRE and not successor.counters.exists():
        warnings.append(f"{successor} chưa có quầy tiếp nhận nào; hãy khai báo quầy cho cán bộ tiếp nhận.")
    return Handover(
        key="counters", label="Quầy tiếp nhận", count=count, items=items[:ITEMS_SHOWN], warnings=warnings
    )


def _orphaned_children(predecessor: Unit, effective_on: datetime.date) -> list[str]:
    children = Unit.objects.valid_on(effective_on).filter(parent=predecessor, successor__isnull=True)
    return [
        f"{child} ({child.code}) trực thuộc {predecessor} vẫn còn hiệu lực: hãy sáp nhập hoặc chuyển riêng."
        for child in children.order_by("code")[:ITEMS_SHOWN]
    ]


# --- reading the tree ------------------------------------------------------------------------------


def current_unit(unit: Unit) -> Unit:
    """Follow the chain of mergers to the unit that answers for `unit` today."""
    seen = set()
    while unit.successor_id and unit.pk not in seen:
        seen.add(unit.pk)
        unit = unit.successor
    return unit


def resolve_unit_code(code: str) -> Unit | None:
    """The unit that answers today for the unit coded `code` (an old code gives its successor)."""
    unit = Unit.objects.select_related("successor").filter(code=code.strip().upper()).first()
    return current_unit(unit) if unit is not None else None


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def grant_role(user, unit: Unit, role: str, *, counter=None) -> RoleAssignment:
    if role not in Role.values:
        raise InvalidInput(f"Vai trò không hợp lệ: {role}.", field="role")
    if unit.valid_to is not None and unit.valid_to < timezone.localdate():
        raise RuleViolation("R-26", f"{unit} đã hết hiệu lực, không thể phân quyền cho đơn vị này.")
    assignment, _ = RoleAssignment.objects.update_or_create(
        user=user, unit=unit, role=role, defaults={"counter": counter, "valid_to": None}
    )
    return assignment
