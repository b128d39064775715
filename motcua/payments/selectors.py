"""Read queries of online payments (R-29): a dossier's payments and the reconciliation report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from motcua.dossiers.models import Dossier
from motcua.payments.models import PaymentState, PaymentTransaction

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# What the platform's TrangThaiGD means in our states (1 paid, 3 processing, 4 failed).
_PLATFORM_STATES = {
    "1": {PaymentState.PAID},
    "3": {PaymentState.PENDING},
    "4": {PaymentState.FAILED, PaymentState.CANCELLED},
}


def payments_of(dossier: Dossier) -> QuerySet[PaymentTransaction]:
    return PaymentTransaction.objects.filter(dossier=dossier).order_by("-created_at", "-pk")


def latest_payment(dossier: Dossier) -> PaymentTransaction | None:
    return payments_of(dossier).first()


def mismatch(payment: PaymentTransaction) -> bool:
    """Our state disagrees with the platform's last QUERY answer (never queried: no opinion)."""
    expected = _PLATFORM_STATES.get(payment.last_query_status)
    return expected is not None and payment.state not in expected


@dataclass
class ReconciliationRow:
    day: datetime.date
    unit_code: str
    unit_name: str
    transactions: int = 0
    paid: int = 0
    paid_total: int = 0
    mismatches: list[PaymentTransaction] = field(default_factory=list)


def reconciliation(
    start: datetime.date, end: datetime.date, *, unit_ids: list[int] | None = None
) -> list[ReconciliationRow]:
    """Per local day of creation and deciding unit: transactions, paid ones and their total, and
    those whose state differs from the platform's answer (`services.reconcile` asks it)."""
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=TZ)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=TZ)
    payments = PaymentTransaction.objects.filter(created_at__gte=since, created_at__lt=until).select_related(
        "dossier__deciding_unit"
    )
    if unit_ids is not None:
        payments = payments.filter(dossier__deciding_unit_id__in=unit_ids)
    rows: dict[tuple[datetime.date, str], ReconciliationRow] = {}
    for payment in payments.order_by("created_at", "pk"):
        unit = payment.dossier.deciding_unit
        day = payment.created_at.astimezone(TZ).date()
        row = rows.get((day, unit.code))
        if row is None:
            row = rows[(day, unit.code)] = ReconciliationRow(
                day=day, unit_code=unit.code, unit_name=unit.name
            )
        row.transactions += 1
        if payment.state == PaymentState.PAID:
            row.paid += 1
            row.paid_total += payment.amount
        if mismatch(payment):
            row.mismatches.append(payment)
    return sorted(rows.values(), key=lambda r: (r.day, r.unit_code))


def payments_of_day(day: datetime.date) -> QuerySet[PaymentTransaction]:
    since = datetime.datetime.combine(day, datetime.time.min, tzinfo=TZ)
    return PaymentTransaction.objects.filter(
        created_at__gte=since, created_at__lt=since + datetime.timedelta(days=1)
    )
