"""The applicants' notification outbox (issue 11): one row per message, written in the transaction
of the change it tells about, so a change can never be committed without its message, nor a
rolled-back one leave a message behind. The worker (`delivery`) sends it later."""

import uuid

from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "Thư điện tử"
    SMS = "sms", "Tin nhắn SMS"


class NotificationState(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    SENT = "sent", "Đã gửi"
    # Failed the last time, tried again at `next_attempt_at`.
    FAILED = "failed", "Lỗi, sẽ gửi lại"
    # Set aside: can never succeed as it is (a bad address) or refused too often; `last_error` says
    # why, "Gửi lại" in the admin queues it again.
    DEAD = "dead", "Không gửi được"


class Notification(models.Model):
    message_id = models.UUIDField("mã thông báo", default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="+", verbose_name="hồ sơ"
    )
    event = models.ForeignKey(
        "dossiers.DossierEvent", on_delete=models.PROTECT, related_name="+", verbose_name="sự kiện"
    )
    action = models.CharField("thao tác", max_length=32)
    channel = models.CharField("kênh", max_length=8, choices=Channel.choices)
    recipient = models.CharField("người nhận", max_length=254)
    subject = models.CharField("tiêu đề", max_length=255, blank=True)
    body = models.TextField("nội dung")
    state = models.CharField(
        "trạng thái", max_length=8, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    attempts = models.PositiveIntegerField("số lần gửi", default=0)
    created_at = models.DateTimeField("tạo lúc")
    # Not to be tried before (back-off); null = at once.
    next_attempt_at = models.DateTimeField("gửi lại sau", null=True, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    # The lease: the worker sending it now, until when (a dead worker's lease runs out).
    claimed_by = models.CharField(max_length=64, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "thông báo cho người nộp"
        verbose_name_plural = "thông báo cho người nộp"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One event never yields two messages on one channel, whoever writes it and however often.
            models.UniqueConstraint(fields=["event", "channel"], name="notification_event_channel_unique"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="notification_to_send",
                condition=models.Q(state__in=["pending", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.action})"
