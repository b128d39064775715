"""Changes to the unit tree and to who may act where (R-26, REGULATIONS §0.2)."""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from motcua.core.errors import InvalidInput, RuleViolation
from motcua.org.models import Role, RoleAssignment, Unit, UnitMerger
from motcua.org.signals import unit_merged


def validate_merge(
    predecessors: Sequence[Unit], successor: Unit, *, effective_on: datetime.date, decision: str
) -> None:
    """Refuse a merger that would make the tree inconsistent; raises InvalidInput."""
    if not decision.strip():
        raise InvalidInput("Phải ghi số, ký hiệu quyết định sáp nhập.", field="decision")
    if not predecessors:
        raise InvalidInput("Phải chọn ít nhất một đơn vị bị sáp nhập.", field="predecessors")
    if successor.valid_from and successor.valid_from > effective_on:
        raise InvalidInput(f"{successor} chưa có hiệu lực vào ngày {effective_on:%d/%m/%Y}.")
    above = {successor.pk, *(a.pk for a in successor.ancestors())}
    for unit in predecessors:
        if unit.pk in above:
            raise InvalidInput(f"Không thể sáp nhập {unit} vào chính nó hoặc vào đơn vị cấp dưới của nó.")
        if unit.successor_id and unit.successor_id != successor.pk:
            raise InvalidInput(f"{unit} đã được sáp nhập vào {unit.successor} trước đó.")


@transaction.atomic
def merge_units(
    predecessors: Sequence[Unit], successor: Unit, *, effective_on: datetime.date, decision: str
) -> UnitMerger:
    """Merge units into a successor from `effective_on` (e.g. NQ 202/2025/QH15, 01/7/2025).

    Predecessors are never deleted: they end the day before and point at their successor, so old
    dossiers keep the unit they were received by while open work moves on (the `unit_merged` signal).
    """
    validate_merge(predecessors, successor, effective_on=effective_on, decision=decision)
    last_day = effective_on - datetime.timedelta(days=1)
    locked = list(Unit.objects.select_for_update().filter(pk__in=[u.pk for u in predecessors]))
    merger = UnitMerger.objects.create(
        successor=successor, effective_on=effective_on, decision=decision.strip()
    )
    merger.predecessors.set(locked)
    for unit in locked:
        unit.successor = successor
        if unit.valid_to is None or unit.valid_to > last_day:
            unit.valid_to = last_day
        unit.save(update_fields=["successor", "valid_to", "search_text", "name", "short_name"])
        unit_merged.send(sender=Unit, predecessor=unit, successor=successor, effective_on=effective_on)
    return merger


def current_unit(unit: Unit) -> Unit:
    """Follow the chain of mergers to the unit that answers for `unit` today."""
    seen = set()
    while unit.successor_id and unit.pk not in seen:
        seen.add(unit.pk)
        unit = unit.successor
    return unit


def grant_role(user, unit: Unit, role: str, *, counter=None) -> RoleAssignment:
    if role not in Role.values:
        raise InvalidInput(f"Vai trò không hợp lệ: {role}.", field="role")
    if unit.valid_to is not None and unit.valid_to < timezone.localdate():
        raise RuleViolation("R-26", f"{unit} đã hết hiệu lực, không thể phân quyền cho đơn vị này.")
    assignment, _ = RoleAssignment.objects.update_or_create(
        user=user, unit=unit, role=role, defaults={"counter": counter, "valid_to": None}
    )
    return assignment
