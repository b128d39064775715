"""Online payment of a dossier's fees through the payment platform (R-29, REGULATIONS §6.5).

One `PaymentTransaction` per attempt, known to the platform by its `MaThamChieu`. The platform's
signed confirm callback (`confirm_payment`) or, when it never comes, a QUERY (`refresh_payment`)
settles it; settling is idempotent: a transaction leaves `pending` once, and a repeated, forged or
mismatched callback changes nothing. A paid transaction marks the fees it covers paid online and, if
the dossier was paused waiting for that financial obligation, resumes it through the engine.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.core.errors import DomainError, NotFound, RuleViolation
from motcua.dossiers import services as dossier_services
from motcua.dossiers.context import ActionInput
from motcua.dossiers.models import Dossier
from motcua.dossiers.states import Action, State
from motcua.integrations import registry
from motcua.integrations.paygov.client import FAILED, PAID, SUCCESS, PlatformUnavailable
from motcua.payments import selectors
from motcua.payments.models import PaymentState, PaymentTransaction, RefusedCallback

log = logging.getLogger(__name__)

PAID_VIA = "dvcqg_platform"  # DuocThanhToanTrucTuyen = 1
CLOSED_STATES = frozenset({State.REJECTED, State.WITHDRAWN, State.STOPPED})
# MaLoi of a confirm callback when the payer cancelled (the simulator's; the platform's list of
# failure codes is not published, anything else than "00" is a failure).
CANCELLED_CODE = "24"


class PaymentPlatformUnavailable(DomainError):
    status_code = 503
    code = "payment_platform_unavailable"


class PlatformActor:
    """The payment platform acting on the dossier through the engine's one door (R-29): not a
    person, no session; the engine lets a system actor take only the transitions that name it (the
    resume of a financial-obligation pause once nothing is owed)."""

    is_system_actor = True
    is_authenticated = False
    is_superuser = False
    name = "Nền tảng thanh toán Cổng Dịch vụ công quốc gia"

    def get_username(self) -> str:
        return self.name

    def get_full_name(self) -> str:
        return self.name


PLATFORM_ACTOR = PlatformActor()


@dataclass(frozen=True)
class PaymentStart:
    redirect_url: str
    transaction: PaymentTransaction


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    changed: bool
    reason: str = ""
    transaction: PaymentTransaction | None = None

    def answer(self) -> dict[str, str]:
        """What the platform expects back."""
        if self.accepted:
            return {"MaLoi": SUCCESS, "MoTaLoi": "Thành công"}
        return {"MaLoi": "01", "MoTaLoi": self.reason or "Không chấp nhận"}


def _platform():
    client = registry.get("paygov")
    if client is None:
        raise RuleViolation(
            "R-29",
            "Chưa kết nối nền tảng thanh toán trực tuyến; vui lòng nộp phí, lệ phí tại Bộ phận Một cửa.",
            code="payment_not_configured",
        )
    return client


def _new_reference(dossier: Dossier, now: datetime.datetime) -> str:
    stamp = timezone.localtime(now).strftime("%Y%m%d%H%M%S")
    return f"{dossier.code}-{stamp}-{secrets.token_hex(3).upper()}"[-64:]


def start_payment(
    dossier: Dossier,
    *,
    actor,
    return_url: str,
    callback_url: str,
    ip: str = "",
    now: datetime.datetime | None = None,
) -> PaymentStart:
    """Open a payment of everything the dossier still owes, for its own applicant only (R-26, R-29)."""
    now = now or timezone.now()
    applicant_user_id = getattr(dossier.applicant, "user_id", None)
    if not getattr(actor, "is_authenticated", False) or applicant_user_id != actor.pk:
        # To anyone else the dossier is as absent as a code never issued (R-26: no existence leak).
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
    if dossier.state in CLOSED_STATES:
        raise RuleViolation("R-29", "Hồ sơ đã kết thúc, không thể thanh toán.", code="dossier_closed")
    fees = list(dossier.fees.filter(paid_at__isnull=True, amount__gt=0).order_by("pk"))
    if not fees:
        raise RuleViolation("R-29", "Hồ sơ không còn khoản phí, lệ phí nào phải nộp.", code="nothing_owed")
    client = _platform()
    amount = sum(f.amount for f in fees)
    with transaction.atomic():
        payment = PaymentTransaction.objects.create(
            dossier=dossier,
            reference=_new_reference(dossier, now),
            amount=amount,
            created_by=actor,
            created_at=now,
        )
        payment.fees.set(fees)
    receipt = {
        "MaDichVu": "2",
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure.name[:500],
        "MaDonVi": dossier.deciding_unit.code,
        "TenDonVi": dossier.deciding_unit.name,
        "MaHoSo": dossier.code,
        "HoTenNguoiNop": dossier.applicant_name,
        "SoCMNDNguoiNop": dossier.applicant_identifier,
        "DiaChiNguoiNop": dossier.applicant_address,
        "NoiDungThanhToan": f"Nộp phí, lệ phí hồ sơ {dossier.code}",
        "PhiLePhi": [
            {
                "LoaiPhiLePhi": "1" if f.kind == "fee" else "2",
                "MaPhiLePhi": str(f.pk),
                "TenPhiLePhi": f.description or f.get_kind_display(),
                "SoTien": f.amount,
            }
            for f in fees
        ],
    }
    try:
        answer = client.init(
            reference=payment.reference,
            amount=amount,
            description=f"Nop phi, le phi ho so {dossier.code}",
            ip=ip,
            return_url=return_url,
            callback_url=callback_url,
            receipt=receipt,
            when=now,
        )
    except PlatformUnavailable as exc:
        PaymentTransaction.objects.filter(pk=payment.pk).update(state=PaymentState.FAILED)
        log.warning("paygov INIT %s unavailable: %s", payment.reference, exc)
        raise PaymentPlatformUnavailable(
            "Nền tảng thanh toán không phản hồi, vui lòng thử lại sau.", rule="R-29"
        ) from exc
    if not answer.ok:
        PaymentTransaction.objects.filter(pk=payment.pk).update(state=PaymentState.FAILED)
        log.warning("paygov INIT %s refused: %s %s", payment.reference, answer.code, answer.message)
        raise PaymentPlatformUnavailable(
            f"Nền tảng thanh toán từ chối giao dịch ({answer.code}: {answer.message}). Vui lòng thử lại sau.",
            rule="R-29",
        )
    payment.payment_url = answer.payment_url
    payment.save(update_fields=["payment_url", "updated_at"])
    return PaymentStart(redirect_url=answer.payment_url, transaction=payment)


def _refuse(payload: dict[str, Any], reason: str) -> Outcome:
    reference = str(payload.get("MaThamChieu") or "")[:64]
    RefusedCallback.objects.create(reference=reference, reason=reason[:255], payload=payload)
    log.warning("paygov callback refused (%s): reference=%r", reason, reference)
    return Outcome(accepted=False, changed=False, reason=reason)


def _settle(
    payment: PaymentTransaction, *, paid: bool, code: str, transaction_id: str, now: datetime.datetime
) -> None:
    """Leave `pending` (the caller holds the row lock); a paid one pays its fees."""
    if paid:
        payment.state = PaymentState.PAID
        payment.paid_at = now
        payment.fees.filter(paid_at__isnull=True).update(paid_at=now, paid_via=PAID_VIA)
    else:
        payment.state = PaymentState.CANCELLED if code == CANCELLED_CODE else PaymentState.FAILED
    payment.platform_transaction_id = transaction_id[:64]


def confirm_payment(payload: dict[str, Any], *, now: datetime.datetime | None = None) -> Outcome:
    """The platform's confirm callback: verified, checked against our transaction, applied once."""
    now = now or timezone.now()
    if not isinstance(payload, dict):
        return _refuse({"raw": str(payload)[:1000]}, "Dữ liệu không hợp lệ")
    client = registry.get("paygov")
    if client is None:
        return _refuse(payload, "Chưa cấu hình nền tảng thanh toán")
    if str(payload.get("MaDoiTac") or "") != client.partner_code or not client.confirm_valid(payload):
        return _refuse(payload, "Sai mã xác thực")
    reference = str(payload.get("MaThamChieu") or "")
    with transaction.atomic():
        payment = PaymentTransaction.objects.select_for_update().filter(reference=reference).first()
        if payment is None:
            return _refuse(payload, "Không tìm thấy mã tham chiếu")
        if str(payload.get("SoTien") or "") != str(payment.amount) or payload.get("MaTienTe") != "VND":
            return _refuse(payload, "Số tiền không khớp với giao dịch")
        code = str(payload.get("MaLoi") or "")
        transaction_id = str(payload.get("MaGiaoDich") or "")
        if payment.state != PaymentState.PENDING:
            same = (payment.state == PaymentState.PAID) == (code == SUCCESS) and (
                not payment.platform_transaction_id or payment.platform_transaction_id == transaction_id
            )
            if not same:
                return _refuse(payload, "Kết quả trái với giao dịch đã ghi nhận")
            log.info("paygov callback repeated for %s: nothing changed", reference)
            return Outcome(accepted=True, changed=False, transaction=payment)
        payment.callbacks = [*payment.callbacks, {"received_at": now.isoformat(), "payload": payload}]
        _settle(payment, paid=code == SUCCESS, code=code, transaction_id=transaction_id, now=now)
        payment.save()
    if payment.state == PaymentState.PAID:
        resume_if_obligation_met(payment.dossier, now=now)
    return Outcome(accepted=True, changed=True, transaction=payment)


def refresh_payment(
    payment: PaymentTransaction, *, now: datetime.datetime | None = None
) -> PaymentTransaction:
    """Ask the platform (QUERY) how the transaction stands; settle a pending one it has decided
    (the callback never came). Reconciliation reads `last_query_status`."""
    now = now or timezone.now()
    client = _platform()
    try:
        answer = client.query(payment.reference, when=now)
    except PlatformUnavailable as exc:
        raise PaymentPlatformUnavailable(
            "Nền tảng thanh toán không phản hồi, vui lòng thử lại sau.", rule="R-29"
        ) from exc
    with transaction.atomic():
        payment = PaymentTransaction.objects.select_for_update().get(pk=payment.pk)
        payment.last_query_status = answer.status if answer.ok else ""
        payment.last_query_at = now
        if payment.state == PaymentState.PENDING and answer.ok and answer.status in (PAID, FAILED):
            if answer.status == PAID and answer.amount not in (None, payment.amount):
                log.warning(
                    "paygov QUERY %s: amount %s ≠ %s", payment.reference, answer.amount, payment.amount
                )
            else:
                _settle(
                    payment,
                    paid=answer.status == PAID,
                    code="",
                    transaction_id=answer.transaction_id,
                    now=now,
                )
        payment.save()
    if payment.state == PaymentState.PAID:
        resume_if_obligation_met(payment.dossier, now=now)
    return payment


def resume_if_obligation_met(dossier: Dossier, *, now: datetime.datetime | None = None) -> bool:
    """A dossier paused for the financial obligation goes on once nothing is owed (R-13, R-29),
    through the engine with the platform as actor. A refusal leaves the payment recorded and the
    resume to the officer."""
    dossier = Dossier.objects.get(pk=dossier.pk)
    if dossier.state != State.PAUSED or dossier.pause_ground != "financial_obligation":
        return False
    if dossier.fees.filter(paid_at__isnull=True, amount__gt=0).exists():
        return False
    try:
        dossier_services.apply(
            dossier.code,
            Action.RESUME,
            PLATFORM_ACTOR,
            ActionInput(
                version=dossier.version,
                reason="Người nộp đã thực hiện nghĩa vụ tài chính qua thanh toán trực tuyến.",
            ),
            now=now,
        )
    except DomainError as exc:
        log.warning("resume of %s after payment refused: %s", dossier.code, exc.message)
        return False
    return True


def receipt_pdf(payment: PaymentTransaction) -> bytes:
    """The platform's receipt (GET_BILL) of a paid transaction."""
    if payment.state != PaymentState.PAID:
        raise RuleViolation("R-29", "Giao dịch chưa thanh toán, chưa có biên lai.", code="not_paid")
    client = _platform()
    try:
        content = client.get_bill(payment.reference)
    except PlatformUnavailable as exc:
        raise PaymentPlatformUnavailable(
            "Nền tảng thanh toán không phản hồi, vui lòng thử lại sau.", rule="R-29"
        ) from exc
    if content is None:
        raise PaymentPlatformUnavailable("Nền tảng thanh toán chưa cấp biên lai.", rule="R-29")
    return content


def reconcile(day: datetime.date) -> int:
    """QUERY every transaction of a local day (the daily reconciliation): the platform's answer is
    stored, pending ones it has decided are settled; what still disagrees shows in the report."""
    count = 0
    for payment in selectors.payments_of_day(day).order_by("pk"):
        refresh_payment(payment)
        count += 1
    return count
