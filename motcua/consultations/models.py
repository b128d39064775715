"""Inter-agency consultation (xin ý kiến) on a dossier (R-12, R-13, R-16)."""

from django.conf import settings
from django.db import models

from motcua.core.models import ValidityPeriod
from motcua.org.models import Unit


class ReplyTimeLimit(ValidityPeriod):
    """R-12: the lead unit proposes the maximum reply time for consultations it sends."""

    lead_unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="reply_time_limits", verbose_name="đơn vị chủ trì"
    )
    max_working_days = models.PositiveSmallIntegerField("thời hạn trả lời tối đa (ngày làm việc)")
    decision = models.CharField("văn bản quy định", max_length=255, blank=True)

    class Meta:
        verbose_name = "thời hạn trả lời xin ý kiến"
        verbose_name_plural = "thời hạn trả lời xin ý kiến"

    def __str__(self) -> str:
        return f"{self.lead_unit}: {self.max_working_days} ngày làm việc"


class ConsultationQuerySet(models.QuerySet):
    def awaiting(self) -> "ConsultationQuerySet":
        """Asked and not answered, on a dossier still being handled: a stopped, withdrawn or decided
        dossier no longer waits for the answer (no reminder, no queue entry)."""
        return self.filter(answered_at__isnull=True, dossier__finished_at__isnull=True)


class Consultation(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="consultations")
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="consultations_sent")
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="consultations_received")
    content = models.TextField("nội dung xin ý kiến")
    reply_days = models.PositiveSmallIntegerField("thời hạn trả lời (ngày làm việc)")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField("hạn trả lời")
    answer = models.TextField("nội dung trả lời", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_late = models.BooleanField(null=True)
    reminder1_at = models.DateTimeField("nhắc lần 1", null=True, blank=True)
    reminder2_at = models.DateTimeField("nhắc lần 2 (gửi Sở Nội vụ)", null=True, blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = "xin ý kiến"
        verbose_name_plural = "xin ý kiến"
        ordering = ["requested_at"]
        indexes = [
            # The consulted unit's inbox, and the lead unit's "waiting for" list.
            models.Index(
                fields=["to_unit", "due_at"],
                name="consultation_open",
                condition=models.Q(answered_at__isnull=True),
            ),
            models.Index(
                fields=["from_unit", "due_at"],
                name="consultation_awaited",
                condition=models.Q(answered_at__isnull=True),
            ),
            # The consultations report selects them, answered or not, by the period of their reply
            # deadline (migration 0004).
            models.Index(fields=["due_at"], name="consultation_due_at"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} → {self.to_unit}"
