"""What the province knows about its side of the national sync (R-22)."""

from django.db import models

from motcua.dossiers.models import Dossier, OutboxMessage, OutboxTopic
from motcua.org.models import Unit


class NationalRecord(models.Model):
    """The dossier as the national portal holds it: once `added_at` is set the next push is an
    update (and an "already exists" answer to an add sets it too)."""

    dossier = models.OneToOneField(Dossier, primary_key=True, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField("ngày tạo trên Cổng DVCQG", null=True, blank=True)
    last_delivered_at = models.DateTimeField("lần đồng bộ gần nhất", null=True, blank=True)
    last_message_id = models.UUIDField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField("trạng thái đã đồng bộ", null=True, blank=True)

    class Meta:
        verbose_name = "hồ sơ trên Cổng DVCQG"
        verbose_name_plural = "hồ sơ trên Cổng DVCQG"

    def __str__(self) -> str:
        return str(self.dossier_id)


class DeadLetterManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(topic=OutboxTopic.NATIONAL_PORTAL, dead_at__isnull=False)


class DeadLetter(OutboxMessage):
    """The national-portal messages parked after a permanent failure (admin: read, re-send)."""

    objects = DeadLetterManager()

    class Meta:
        proxy = True
        verbose_name = "bản tin đồng bộ lỗi"
        verbose_name_plural = "bản tin đồng bộ lỗi (chờ xử lý)"


class Partner(models.Model):
    """A system allowed to push forwarded dossiers to `/api/v1/national/dossiers` (the national
    portal through the LGSP, a ministry's system). Its key is stored as a SHA-256 digest only."""

    code = models.SlugField("mã đối tác", max_length=64, unique=True)
    name = models.CharField("tên đối tác", max_length=255)
    key_digest = models.CharField(max_length=64, editable=False)
    # Units whose dossiers it may forward (with their sub-units); none = refused everything.
    units = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name="đơn vị được chuyển hồ sơ"
    )
    active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "đối tác kết nối"
        verbose_name_plural = "đối tác kết nối"

    def __str__(self) -> str:
        return self.name


class InboundStatus(models.TextChoices):
    ACCEPTED = "accepted", "Đã tạo hồ sơ"
    REFUSED = "refused", "Không nhận được"


class InboundDossier(models.Model):
    """Every forwarded dossier as it arrived (pulled or pushed), once per national id."""

    national_id = models.CharField("mã hồ sơ trên Cổng DVCQG", max_length=64, unique=True)
    via = models.CharField(max_length=8, choices=[("pull", "Lấy về định kỳ"), ("push", "Cổng DVCQG gửi")])
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField()
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=InboundStatus.choices)
    error = models.TextField(blank=True)
    dossier = models.OneToOneField(Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "hồ sơ Cổng DVCQG chuyển về"
        verbose_name_plural = "hồ sơ Cổng DVCQG chuyển về"
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.national_id


class PullCursor(models.Model):
    """Where the last scheduled read of the portal stopped (e.g. forwarded dossiers)."""

    name = models.CharField(max_length=64, unique=True)
    position = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.position}"
