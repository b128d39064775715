"""The merger every test of this package starts from: Sở Tư pháp merged into Sở Nội vụ (the
2025 reform merged departments this way, e.g. Sở Giao thông vận tải into Sở Xây dựng), with open
and finished dossiers of Sở Tư pháp in several states."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.org.models import Unit
from tests.dossiers.kit import (
    FINANCE,
    HOME_AFFAIRS,
    JUSTICE,
    NOTARY,
    act,
    at,
    consulted_processing,
    fresh,
    notary_processing,
    submit,
)

DECISION = "Quyết định số 2468/QĐ-UBND ngày 20/11/2026 của UBND tỉnh Đồng Nai (minh họa)"
CONTENT = "Đề nghị cho ý kiến về phương án tài chính, tài sản của đơn vị."


@dataclass
class Case:
    """Dossiers of Sở Tư pháp before the merger, by what should happen to them."""

    submitted: Dossier  # online, waiting for reception at Sở Tư pháp's own point
    processing: Dossier  # received at the Centre on its behalf, at the appraisal step
    consulting: Dossier  # at the appraisal step, waiting for Sở Tài chính's opinion
    consulted: Dossier  # Sở Nội vụ's own dossier, waiting for Sở Tư pháp's opinion
    rejected: Dossier  # finished: refused at reception
    others: list[Dossier]  # another unit's dossiers, nothing to do with the merger

    @property
    def moving(self) -> list[Dossier]:
        return [self.submitted, self.processing, self.consulting, self.consulted]


def justice() -> Unit:
    return Unit.objects.get(code=JUSTICE)


def home_affairs() -> Unit:
    return Unit.objects.get(code=HOME_AFFAIRS)


def effective_on() -> datetime.date:
    # Today: the predecessor's officers lose their roles from today, and the commit is allowed.
    return timezone.localdate()


def make_case() -> Case:
    now = at("2026-11-02 08:00")
    submitted = submit(NOTARY, now=now)
    processing = notary_processing(now)
    consulting = notary_processing(now)
    consulting = act(
        consulting,
        "consult",
        "chuyenvien.sotuphap",
        now=at("2026-11-02 09:00"),
        to_unit=FINANCE,
        reply_days=3,
        content=CONTENT,
    )
    consulted = consulted_processing(now)
    consulted = act(
        consulted,
        "consult",
        "chuyenvien.sonoivu",
        now=at("2026-11-02 09:00"),
        to_unit=JUSTICE,
        reply_days=3,
        content="Đề nghị Sở Tư pháp cho ý kiến về tính hợp pháp của đề án.",
    )
    rejected = submit(NOTARY, now=now)
    rejected = act(
        rejected, "reject", "chuyenvien.sotuphap", now=at("2026-11-02 10:00"), reason="Không thuộc thẩm quyền"
    )
    other = consulted_processing(at("2026-11-03 08:00"))
    return Case(
        submitted=fresh(submitted),
        processing=fresh(processing),
        consulting=fresh(consulting),
        consulted=fresh(consulted),
        rejected=fresh(rejected),
        others=[fresh(other)],
    )


def snapshot() -> dict:
    """Everything a merger of Sở Tư pháp could change, to compare before and after."""
    from motcua.catalog.models import ProcedureUnit, ReceptionPoint
    from motcua.consultations.models import Consultation
    from motcua.dossiers.models import DossierEvent, DossierStep, OutboxMessage
    from motcua.org.models import Counter, RoleAssignment

    return {
        "units": sorted(Unit.objects.values_list("code", "successor_id", "valid_to")),
        "roles": sorted(
            RoleAssignment.objects.values_list(
                "user_id", "unit_id", "role", "counter_id", "valid_from", "valid_to"
            )
        ),
        "counters": sorted(Counter.serves.through.objects.values_list("counter_id", "unit_id")),
        "counter_validity": sorted(Counter.objects.values_list("pk", "valid_to")),
        "procedures": sorted(ProcedureUnit.objects.values_list("procedure_id", "unit_id", "role")),
        "points": sorted(
            ReceptionPoint.objects.values_list(
                "pk", "unit_id", "on_behalf_of_id", "counter_id", "valid_from", "valid_to"
            )
        ),
        "dossiers": sorted(
            Dossier.objects.values_list(
                "code",
                "state",
                "deciding_unit_id",
                "receiving_unit_id",
                "version",
                "last_event_hash",
                "due_at",
            )
        ),
        "steps": sorted(DossierStep.objects.values_list("pk", "unit_id", "ended_at")),
        "consultations": sorted(Consultation.objects.values_list("pk", "from_unit_id", "to_unit_id")),
        "events": DossierEvent.objects.count(),
        "outbox": OutboxMessage.objects.count(),
    }
