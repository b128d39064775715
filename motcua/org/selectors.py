"""Who may act where (R-26).

A role granted on a unit covers that unit and its own divisions (phòng), not other agencies that
happen to sit below it in the tree: a leader of the provincial People's Committee is not thereby a
leader of every department. Only the province-wide supervisory roles reach the whole subtree.
"""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from motcua.core.text import search_folded
from motcua.org.models import Role, RoleAssignment, Unit, UnitKind, UnitLevel


def active_assignments(user, *, on: datetime.date | None = None) -> QuerySet[RoleAssignment]:
    day = on or timezone.localdate()
    return RoleAssignment.objects.valid_on(day).filter(user=user).select_related("unit")


PROVINCE_WIDE_ROLES = frozenset({Role.PROVINCIAL_OFFICE, Role.HOME_AFFAIRS, Role.ADMINISTRATOR})


def _covering_units(unit: Unit) -> tuple[set[int], set[int]]:
    """(units whose ordinary roles reach `unit`, units whose province-wide roles reach it)."""
    ordinary, node = {unit.pk}, unit
    while node.kind == UnitKind.DIVISION and node.parent_id is not None:
        node = node.parent
        ordinary.add(node.pk)
    wide = {unit.pk, *(a.pk for a in unit.ancestors())}
    # REGULATIONS §0.2: a merged unit's successor answers for it — for the dossiers it received
    # and decided, and for its divisions — so roles on the successor (and on its own successor,
    # after a chain of mergers) reach it.
    return _with_successors(ordinary), _with_successors(wide)


def _with_successors(unit_ids: set[int]) -> set[int]:
    reach, frontier = set(unit_ids), set(unit_ids)
    while frontier:
        frontier = (
            set(
                Unit.objects.filter(pk__in=frontier, successor__isnull=False).values_list(
                    "successor_id", flat=True
                )
            )
            - reach
        )
        reach |= frontier
    return reach


def roles_in_unit(user, unit: Unit, *, on: datetime.date | None = None) -> set[str]:
    """The roles `user` may exercise on `unit`."""
    if not getattr(user, "is_authenticated", False):
        return set()
    ordinary, wide = _covering_units(unit)
    return {
        a.role
        for a in active_assignments(user, on=on)
        if a.unit_id in ordinary or (a.role in PROVINCE_WIDE_ROLES and a.unit_id in wide)
    }


def has_role(user, role: str | Role, unit: Unit, *, on: datetime.date | None = None) -> bool:
    return str(role) in roles_in_unit(user, unit, on=on)


def holds_role_anywhere(user, role: str | Role, *, on: datetime.date | None = None) -> bool:
    """Whether `user` holds `role` on some unit (an ended assignment grants nothing, R-26)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return active_assignments(user, on=on).filter(role=str(role)).exists()


def units_where(user, role: str | Role, *, on: datetime.date | None = None) -> QuerySet[Unit]:
    """Units where `user` may act with `role`: those granted plus their divisions (or whole subtree)."""
    granted = [a.unit_id for a in active_assignments(user, on=on) if a.role == str(role)]
    below = Unit.objects.all() if role in PROVINCE_WIDE_ROLES else Unit.objects.filter(kind=UnitKind.DIVISION)
    ids, frontier = set(granted), set(granted)
    while frontier:
        # A unit's divisions (or whole subtree), and the units merged into it (REGULATIONS §0.2).
        frontier = (
            set(below.filter(parent_id__in=frontier).values_list("pk", flat=True))
            | set(Unit.objects.filter(successor_id__in=frontier).values_list("pk", flat=True))
        ) - ids
        ids |= frontier
    return Unit.objects.filter(pk__in=ids)


def units(
    *,
    kind: str | None = None,
    level: str | None = None,
    parent: str | None = None,
    q: str = "",
    on: datetime.date | None = None,
    include_expired: bool = False,
) -> QuerySet[Unit]:
    qs = Unit.objects.select_related("parent", "successor").order_by("level", "code")
    if not include_expired:
        qs = qs.valid_on(on or timezone.localdate())
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent__code=parent)
    return search_folded(qs, "search_text", q)


def service_centres(level: str | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.filter(kind=UnitKind.SERVICE_CENTRE)
    return qs.filter(level=level) if level in UnitLevel.values else qs
