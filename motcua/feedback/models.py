"""Feedback and complaints (phản ánh, kiến nghị — PAKN, R-31) and citizens' ratings of finished
dossiers (R-32). The deadlines of a PAKN are working days on the province's calendar (REGULATIONS
§1.3 indicator 5.2): refuse ≤ 2, first request for information ≤ 5, answer ≤ 15 from receipt,
publish ≤ 2 after the answer."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from motcua.catalog.models import Procedure
from motcua.core.text import fold, nfc
from motcua.documents.models import Document
from motcua.dossiers.models import Dossier
from motcua.org.models import Applicant, Unit


class Classification(models.TextChoices):
    # REGULATIONS §1.3 indicator 5.1: "Quy định, chính sách, thủ tục" vs "Hành vi của CBCCVC".
    RULES = "rules", "Quy định hành chính (quy định, chính sách, thủ tục)"
    BEHAVIOUR = "behaviour", "Hành vi hành chính (của cán bộ, công chức, viên chức)"
    NOT_PETITION = "not_petition", "Không phải phản ánh, kiến nghị"


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", "Đã tiếp nhận, đang xử lý"
    INFO_REQUESTED = "info_requested", "Chờ bổ sung thông tin"
    REFUSED = "refused", "Từ chối tiếp nhận"
    ANSWERED = "answered", "Đã trả lời, chờ công khai"
    PUBLISHED = "published", "Đã công khai kết quả"


class Petition(models.Model):
    code = models.CharField("mã phản ánh", max_length=32, unique=True)
    sender_name = models.CharField("họ tên người gửi", max_length=255, blank=True)
    sender_phone = models.CharField("điện thoại", max_length=20, blank=True)
    sender_email = models.EmailField("thư điện tử", blank=True)
    sender_identifier = models.CharField("số định danh", max_length=35, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="petitions"
    )
    subject = models.CharField("tiêu đề", max_length=255)
    content = models.TextField("nội dung")
    attachments = models.ManyToManyField(Document, blank=True, related_name="petitions")
    procedure = models.ForeignKey(
        Procedure, null=True, blank=True, on_delete=models.PROTECT, related_name="petitions"
    )
    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="petitions"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="petitions", verbose_name="đơn vị xử lý"
    )
    classification = models.CharField("phân loại", max_length=16, choices=Classification.choices, blank=True)
    classified_at = models.DateTimeField("ngày phân loại", null=True, blank=True)
    status = models.CharField(
        "tình trạng", max_length=16, choices=PetitionStatus.choices, default=PetitionStatus.RECEIVED
    )
    received_at = models.DateTimeField("ngày tiếp nhận")
    refuse_due_at = models.DateTimeField("hạn từ chối")
    info_due_at = models.DateTimeField("hạn yêu cầu bổ sung")
    answer_due_at = models.DateTimeField("hạn trả lời")
    publish_due_at = models.DateTimeField("hạn công khai", null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField("lý do từ chối", blank=True)
    first_info_request_at = models.DateTimeField(null=True, blank=True)
    info_requested_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField("nội dung trả lời", blank=True)
    answered_at = models.DateTimeField("ngày trả lời", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("ngày công khai", null=True, blank=True)
    public = models.BooleanField("công khai", default=False)
    satisfied = models.BooleanField("hài lòng với kết quả", null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = "phản ánh, kiến nghị"
        verbose_name_plural = "phản ánh, kiến nghị"
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["public", "published_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.subject}"

    def save(self, *args, **kwargs):
        for attr in ("sender_name", "subject", "content", "refusal_reason", "answer"):
            setattr(self, attr, nfc(getattr(self, attr)))
        self.search_text = fold(f"{self.code} {self.subject} {self.content} {self.answer}")
        super().save(*args, **kwargs)


class PetitionAction(models.TextChoices):
    SUBMIT = "submit", "Gửi phản ánh, kiến nghị"
    CLASSIFY = "classify", "Phân loại"
    REFUSE = "refuse", "Từ chối tiếp nhận"
    REQUEST_INFO = "request_info", "Yêu cầu bổ sung thông tin"
    PROVIDE_INFO = "provide_info", "Bổ sung thông tin"
    ANSWER = "answer", "Trả lời"
    PUBLISH = "publish", "Công khai kết quả"
    RATE = "rate", "Đánh giá kết quả"


class PetitionEvent(models.Model):
    """Append-only history of a PAKN's steps (R-31: handled and reported)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=16, choices=PetitionAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["petition", "seq"]
        constraints = [models.UniqueConstraint(fields=["petition", "seq"], name="petition_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.petition_id} #{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Lịch sử xử lý phản ánh không được sửa (R-31).")
        self.note = nfc(self.note)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Lịch sử xử lý phản ánh không được xoá (R-31).")


class DossierRating(models.Model):
    """R-32: the applicant's rating of a finished dossier, once."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="rating")
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    satisfied = models.BooleanField("hài lòng")
    comment = models.TextField("ý kiến", blank=True)
    rated_at = models.DateTimeField("thời điểm đánh giá")

    class Meta:
        verbose_name = "đánh giá hồ sơ"
        verbose_name_plural = "đánh giá hồ sơ"
        indexes = [models.Index(fields=["rated_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {'hài lòng' if self.satisfied else 'không hài lòng'}"

    def save(self, *args, **kwargs):
        self.comment = nfc(self.comment)
        super().save(*args, **kwargs)
