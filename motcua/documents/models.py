"""Files attached to dossiers: submitted papers, results, signed requests, notices (R-14, R-15, R-30)."""

import uuid

from django.conf import settings
from django.db import models


class DocumentKind(models.TextChoices):
    SUBMITTED = "submitted", "Thành phần hồ sơ"
    SUPPLEMENT = "supplement", "Giấy tờ bổ sung"
    RESULT = "result", "Kết quả giải quyết"
    REFUSAL = "refusal", "Văn bản từ chối"
    WITHDRAWAL_REQUEST = "withdrawal_request", "Đơn đề nghị rút hồ sơ"
    WITHDRAWAL_APPROVAL = "withdrawal_approval", "Văn bản đồng ý rút hồ sơ (có chữ ký)"
    STOP_NOTICE = "stop_notice", "Thông báo dừng giải quyết hồ sơ"
    APOLOGY = "apology", "Phiếu xin lỗi và đề nghị gia hạn"
    CONSULTATION = "consultation", "Văn bản xin ý kiến / trả lời"
    OTHER = "other", "Khác"


class SignatureStatus(models.TextChoices):
    """What verifying a file's embedded digital signatures found (never what the client claimed)."""

    UNSIGNED = "unsigned", "Không có chữ ký số"
    VALID = "valid", "Chữ ký số hợp lệ"
    INVALID = "invalid", "Chữ ký số không hợp lệ"
    UNTRUSTED = "untrusted", "Chữ ký số của tổ chức chứng thực không được tin cậy"


class DocumentOrigin(models.TextChoices):
    """Where the file came from — what the national portal's per-component flags are read from
    (REGULATIONS §4.2, §6.4: DuocSoHoa, DuocTaiSuDung, DuocLayTuKhoDMQG)."""

    UPLOADED = "uploaded", "Tải lên"
    # TT 03/2025 Điều 5, TT 01/2023/TT-VPCP Điều 8: a paper component digitised at the counter.
    SCANNED = "scanned", "Số hóa tại Bộ phận Một cửa"
    # a copy of a paper or result already in the applicant's store (`reused_from`).
    REUSED = "reused", "Tái sử dụng từ kho dữ liệu của người nộp"
    # NĐ 45/2020 Điều 16: taken from the applicant's store on the National Public Service Portal.
    NATIONAL_STORE = "national_store", "Lấy từ Kho quản lý dữ liệu điện tử trên Cổng DVCQG"
    # An electronic result (or notice) issued and signed by the unit itself (NĐ 45/2020 Điều 14).
    ISSUED = "issued", "Do cơ quan ban hành"


def _storage_path(instance: "Document", filename: str) -> str:
    # Never the uploader's file name on disk: names are shown, not trusted.
    return f"documents/{instance.uploaded_at:%Y/%m}/{instance.id}"


class Document(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("loại", max_length=32, choices=DocumentKind.choices)
    name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField("kiểu tệp", max_length=100)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=_storage_path, max_length=255)
    # Verified by `signatures.verify_pdf` when the file is stored (Luật Giao dịch điện tử 2023):
    # the status, the signer's name (certificate subject CN) and the time the signer reported.
    signature_status = models.CharField(
        "chữ ký số", max_length=16, choices=SignatureStatus.choices, default=SignatureStatus.UNSIGNED
    )
    signature_signer = models.CharField("người ký", max_length=255, blank=True)
    signature_signed_at = models.DateTimeField("thời điểm ký", null=True, blank=True)
    signature_checked_at = models.DateTimeField("thời điểm kiểm tra chữ ký", null=True, blank=True)
    signature_note = models.CharField("kết quả kiểm tra chữ ký", max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    origin = models.CharField(
        "nguồn", max_length=16, choices=DocumentOrigin.choices, default=DocumentOrigin.UPLOADED
    )
    # Pages of the paper (a PDF's own page count, one per image): TT 01/2023 Điều 8 wants as many
    # images as the paper has pages. Null where it cannot be read (DOCX, XLSX, XML).
    page_count = models.PositiveIntegerField("số trang", null=True, blank=True)
    # Printed on an electronic result issued here: with it anyone checks the result at /xac-thuc/.
    verification_code = models.CharField(
        "mã tra cứu kết quả", max_length=32, unique=True, null=True, blank=True
    )
    # R-30 (indicators 4.4, 4.5): a component taken from the applicant's own store instead of a new
    # upload — a copy for this dossier (a document belongs to one dossier), pointing at its source.
    reused_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reuses",
        verbose_name="tái sử dụng từ",
    )

    class Meta:
        verbose_name = "tài liệu"
        verbose_name_plural = "tài liệu"
        ordering = ["uploaded_at"]
        # The per-account upload quota sums an account's recent uploads.
        indexes = [models.Index(fields=["uploaded_by", "uploaded_at"], name="document_uploader_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def signed(self) -> bool:
        """Carries a digital signature verified valid against the trust roots (kept for the API's
        `signed` field; a client can no longer claim it)."""
        return self.signature_status == SignatureStatus.VALID
