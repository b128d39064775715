"""What the printed forms read: one dossier with everything a form shows, and the dossier register.

Each function is a fixed number of queries whatever the dossier's history or the register's length
(STYLE.md "Thin edges"), and each takes the user and returns only what that user may print (R-26).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from motcua.catalog.models import ReceptionPoint
from motcua.consultations.models import Consultation
from motcua.core.errors import NotFound
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierStep
from motcua.dossiers.selectors import visible_dossiers, visible_units
from motcua.org.models import Counter, Unit


def printable_dossier(user, code: str) -> Dossier:
    """One dossier the user may see, with its documents, fees, steps, consultations and the whole
    event log prefetched (8 queries after the permission check). A dossier of another unit is as
    invisible as one that does not exist."""
    dossier = (
        visible_dossiers(user)
        .filter(code=code)
        .select_related(
            "procedure",
            "case",
            "applicant",
            "receiving_unit__parent",
            "deciding_unit__parent",
            "counter",
            "current_step__unit",
            "process_version",
        )
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=DossierDocument.objects.select_related("document", "required_document").order_by(
                    "attached_at", "pk"
                ),
            ),
            "fees",
            Prefetch(
                "steps",
                queryset=DossierStep.objects.select_related("unit__parent", "handler", "ended_by").order_by(
                    "started_at", "pk"
                ),
            ),
            Prefetch(
                "consultations",
                queryset=Consultation.objects.select_related("to_unit").order_by("requested_at", "pk"),
            ),
            "process_version__steps__unit",
            Prefetch(
                "events",
                queryset=DossierEvent.objects.select_related("unit__parent", "actor").order_by("seq"),
            ),
        )
        .first()
    )
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
    return dossier


# --- the dossier register (Sổ theo dõi hồ sơ, Mẫu 07 TT 03/2025) ---------------------------------


@dataclass(frozen=True)
class RegisterPlace:
    """Where a register is kept: a receiving unit as a whole, or one counter of a service centre."""

    key: str  # "dv:<unit code>" or "quay:<counter id>", as the page's select sends it
    label: str
    unit: Unit
    counter: Counter | None = None


def register_places(user, *, on: datetime.date | None = None) -> list[RegisterPlace]:
    """The receiving units (and their counters) where the user holds a role (R-26): a unit that has
    no reception point receives no dossier, so it keeps no register and is not offered."""
    day = on or timezone.localdate()
    units = visible_units(user) if not user.is_superuser else Unit.objects.all()
    receiving = ReceptionPoint.objects.values("unit_id")
    unit_list = list(units.valid_on(day).filter(pk__in=receiving).select_related("parent").order_by("code"))
    counters = list(
        Counter.objects.valid_on(day)
        .filter(centre__in=[u.pk for u in unit_list])
        .select_related("centre")
        .order_by("centre__code", "number")
    )
    by_centre: dict[int, list[Counter]] = {}
    for counter in counters:
        by_centre.setdefault(counter.centre_id, []).append(counter)
    places: list[RegisterPlace] = []
    for unit in unit_list:
        places.append(RegisterPlace(key=f"dv:{unit.code}", label=unit.name, unit=unit))
        places.extend(
            RegisterPlace(
                key=f"quay:{c.pk}", label=f"{unit.name} — Quầy {c.number}: {c.name}", unit=unit, counter=c
            )
            for c in by_centre.get(unit.pk, [])
        )
    return places


def register_place(user, key: str) -> RegisterPlace:
    """The place the user chose, if it is one of theirs; else NotFound (another unit's register is
    as invisible as one that does not exist)."""
    for place in register_places(user):
        if place.key == key:
            return place
    raise NotFound("Không tìm thấy nơi tiếp nhận này trong các đơn vị của bạn.", code="register_not_found")


def local_day_bounds(
    day_from: datetime.date, day_to: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """[00:00 of day_from, 00:00 of the day after day_to) in Asia/Ho_Chi_Minh, as aware datetimes."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day_from, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(day_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def register_rows(place: RegisterPlace, day_from: datetime.date, day_to: datetime.date) -> list[Dossier]:
    """Every dossier received at the place in the local days [day_from, day_to], in order of
    receipt (one query). A dossier refused or sent back for supplement before receipt was never
    entered in the register (NĐ 118 Điều 17: only a complete dossier is received and registered)."""
    start, end = local_day_bounds(day_from, day_to)
    where = Q(counter=place.counter) if place.counter is not None else Q(receiving_unit=place.unit)
    return list(
        Dossier.objects.filter(where, received_at__gte=start, received_at__lt=end)
        .select_related("procedure", "deciding_unit")
        .order_by("received_at", "pk")
    )
