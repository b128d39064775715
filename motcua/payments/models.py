"""One online payment attempt of a dossier's fees (R-29) and what the platform said about it."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierFee


class PaymentState(models.TextChoices):
    PENDING = "pending", "Chờ thanh toán"
    PAID = "paid", "Đã thanh toán"
    FAILED = "failed", "Thanh toán không thành công"
    CANCELLED = "cancelled", "Đã hủy"


class PaymentTransaction(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payments")
    # MaThamChieu: ours, unique; the platform knows the attempt by it.
    reference = models.CharField("mã tham chiếu", max_length=64, unique=True)
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    fees = models.ManyToManyField(DossierFee, related_name="payments", verbose_name="khoản phí, lệ phí")
    state = models.CharField(max_length=16, choices=PaymentState.choices, default=PaymentState.PENDING)
    platform_transaction_id = models.CharField("mã giao dịch (MaGiaoDich)", max_length=64, blank=True)
    payment_url = models.URLField(max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # The confirm callbacks as received, for audit (each one, accepted or not, in order).
    callbacks = models.JSONField(default=list, blank=True)
    last_query_status = models.CharField("TrangThaiGD lần tra cứu cuối", max_length=4, blank=True)
    last_query_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return self.reference


class RefusedCallback(models.Model):
    """A confirm callback refused (forged, mismatched, unknown reference): kept, never applied."""

    received_at = models.DateTimeField(auto_now_add=True)
    reference = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=255)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.reason}"
