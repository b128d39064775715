"""Who may act where (R-26): a role granted on a unit covers that unit and its sub-units."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from motcua.core.text import fold
from motcua.org.models import Role, RoleAssignment, Unit, UnitKind, UnitLevel


def active_assignments(user, *, on: datetime.date | None = None) -> QuerySet[RoleAssignment]:
    day = on or timezone.localdate()
    return RoleAssignment.objects.valid_on(day).filter(user=user).select_related("unit")


def roles_in_unit(user, unit: Unit, *, on: datetime.date | None = None) -> set[str]:
    """The roles `user` holds on `unit`, directly or through an ancestor unit."""
    if not getattr(user, "is_authenticated", False):
        return set()
    scope = {unit.pk, *(a.pk for a in unit.ancestors())}
    return {a.role for a in active_assignments(user, on=on) if a.unit_id in scope}


def has_role(user, role: str | Role, unit: Unit, *, on: datetime.date | None = None) -> bool:
    return str(role) in roles_in_unit(user, unit, on=on)


def units_where(user, role: str | Role, *, on: datetime.date | None = None) -> QuerySet[Unit]:
    """Units where `user` may act with `role` (the units granted and all their descendants)."""
    granted = [a.unit_id for a in active_assignments(user, on=on) if a.role == str(role)]
    ids, frontier = set(granted), set(granted)
    while frontier:
        frontier = set(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
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
    for word in fold(q).split():
        qs = qs.filter(search_text__contains=word)
    return qs


def service_centres(level: str | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.filter(kind=UnitKind.SERVICE_CENTRE)
    return qs.filter(level=level) if level in UnitLevel.values else qs
