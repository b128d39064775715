"""Read queries of feedback (R-31) and ratings (R-32): the units' queues, the published answers,
and the figures of QĐ 766 group 5 (REGULATIONS §1.3, indicators 5.1–5.4) for the index."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.calendar.services import get_calendar
from motcua.calendar.units import DurationUnit
from motcua.core.errors import NotFound
from motcua.core.text import search_folded
from motcua.dossiers.queues import scope_of
from motcua.feedback.models import Classification, DossierRating, Petition, PetitionStatus
from motcua.feedback.services import HANDLING_ROLES

OPEN = (PetitionStatus.RECEIVED, PetitionStatus.INFO_REQUESTED)
DUE_SOON_WORKING_DAYS = 2
QUEUES = {
    "new": "Mới, chưa phân loại",
    "due_soon": "Sắp đến hạn",
    "late": "Quá hạn",
    "answered": "Đã trả lời",
}


def handler_units(user) -> frozenset[int]:
    if getattr(user, "is_superuser", False):
        from motcua.org.models import Unit

        return frozenset(Unit.objects.values_list("pk", flat=True))
    return scope_of(user).units(HANDLING_ROLES)


def _deadline_q(now: datetime.datetime) -> Q:
    """Late on any step: not refused/asked/answered in time, or answered but not published in time."""
    return Q(status=PetitionStatus.RECEIVED, answer_due_at__lt=now) | Q(
        status=PetitionStatus.ANSWERED, publish_due_at__lt=now
    )


def unit_queue(
    unit_ids: Iterable[int], key: str, *, now: datetime.datetime | None = None
) -> QuerySet[Petition]:
    now = now or timezone.now()
    qs = Petition.objects.filter(unit_id__in=list(unit_ids)).select_related("unit", "dossier", "procedure")
    if key == "new":
        return qs.filter(status=PetitionStatus.RECEIVED, classification="").order_by("received_at")
    if key == "due_soon":
        soon = get_calendar().due_at(now, DUE_SOON_WORKING_DAYS, DurationUnit.WORKING_DAYS)
        return qs.filter(
            Q(status=PetitionStatus.RECEIVED, answer_due_at__gte=now, answer_due_at__lt=soon)
            | Q(status=PetitionStatus.ANSWERED, publish_due_at__gte=now, publish_due_at__lt=soon)
        ).order_by("answer_due_at")
    if key == "late":
        return qs.filter(_deadline_q(now)).order_by("answer_due_at")
    if key == "answered":
        return qs.filter(status__in=(PetitionStatus.ANSWERED, PetitionStatus.PUBLISHED)).order_by(
            "-answered_at"
        )
    raise NotFound("Không có hàng đợi này (R-31).", rule="R-31")


def queue_counts(unit_ids: Iterable[int], *, now: datetime.datetime | None = None) -> dict[str, int]:
    ids = list(unit_ids)
    return {key: unit_queue(ids, key, now=now).count() for key in QUEUES}


def published_answers(query: str = "") -> QuerySet[Petition]:
    qs = Petition.objects.filter(status=PetitionStatus.PUBLISHED, public=True).select_related("unit")
    if query.strip():
        qs = search_folded(qs, "search_text", query)
    return qs.order_by("-published_at", "-pk")


def my_petitions(user) -> QuerySet[Petition]:
    if not getattr(user, "is_authenticated", False):
        return Petition.objects.none()
    return Petition.objects.filter(user=user).select_related("unit").order_by("-received_at")


def visible_petition(user, code: str) -> Petition:
    """A published public answer, or the sender's own PAKN; anything else answers as unknown."""
    p = Petition.objects.select_related("unit", "dossier", "procedure").filter(code=code).first()
    own = p is not None and getattr(user, "is_authenticated", False) and p.user_id == user.pk
    if p is None or not (own or (p.public and p.status == PetitionStatus.PUBLISHED)):
        raise NotFound("Không tìm thấy phản ánh, kiến nghị (R-31).", rule="R-31")
    return p


def handled_petition(user, code: str) -> Petition:
    """A PAKN of one of the officer's units (R-26); another unit's answers as unknown."""
    p = (
        Petition.objects.select_related("unit", "dossier", "procedure", "answered_by")
        .filter(code=code)
        .first()
    )
    if p is None or p.unit_id not in handler_units(user):
        raise NotFound("Không tìm thấy phản ánh, kiến nghị trong đơn vị của bạn (R-31).", rule="R-31")
    return p


# --- QĐ 766 group 5 (REGULATIONS §1.3) ----------------------------------------------------------


def _on_time(p: Petition, end: datetime.datetime) -> bool:
    """Indicator 5.2: every step within its deadline, judged at `end` (refuse ≤ 2, first request
    ≤ 5, answer ≤ 15 working days after receipt, the sender's time excluded; publish ≤ 2)."""
    if p.status == PetitionStatus.REFUSED:
        return p.refused_at is not None and p.refused_at <= p.refuse_due_at
    if p.first_info_request_at is not None and p.first_info_request_at > p.info_due_at:
        return False
    if p.answered_at is None:
        return p.status == PetitionStatus.INFO_REQUESTED or p.answer_due_at >= end
    if p.answered_at > p.answer_due_at:
        return False
    if p.published_at is None:
        return p.publish_due_at is None or p.publish_due_at >= end
    return p.published_at <= p.publish_due_at


def petition_figures(
    unit_ids: set[int], start: datetime.datetime, end: datetime.datetime
) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of the PAKN indicators for the units over [start, end), each over
    the PAKN first received in the period (REGULATIONS §1.3 group 5):

    - petition_classification (5.1, tracked): classified within 2 working days / received;
    - petition_on_time (5.2): handled within every deadline (one still open judged at the period's
      end) / received;
    - petition_satisfaction (5.3): received − rated "not satisfied" − late / received.
    """
    received = list(
        Petition.objects.filter(unit_id__in=list(unit_ids), received_at__gte=start, received_at__lt=end)
    )
    in_time = sum(
        1
        for p in received
        if p.classification and p.classified_at is not None and p.classified_at <= p.refuse_due_at
    )
    on_time = [p for p in received if _on_time(p, end)]
    satisfied = [p for p in on_time if p.satisfied is not False]
    return {
        "petition_classification": (in_time, len(received)),
        "petition_on_time": (len(on_time), len(received)),
        "petition_satisfaction": (len(satisfied), len(received)),
    }


def unhappy_dossier_ids(dossier_ids: Iterable[int]) -> set[int]:
    """Indicator 5.4: dossiers rated "not satisfied" (R-32) or the subject of a PAKN (one found
    not to be a PAKN does not count)."""
    ids = list(dossier_ids)
    if not ids:
        return set()
    disliked = DossierRating.objects.filter(dossier_id__in=ids, satisfied=False).values_list(
        "dossier_id", flat=True
    )
    complained = (
        Petition.objects.filter(dossier_id__in=ids)
        .exclude(classification=Classification.NOT_PETITION)
        .values_list("dossier_id", flat=True)
    )
    return set(disliked) | set(complained)


def rating_of(dossier_id: int) -> DossierRating | None:
    return DossierRating.objects.filter(dossier_id=dossier_id).first()
