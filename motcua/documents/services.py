"""Accepting a file: type, size, name and the account's quota are checked before anything is
stored; embedded signatures are verified (never claimed). Citing a document checks who owns it;
documents never attached to anything are purged."""

import datetime
import hashlib
import io
import logging
import mimetypes
import re
import unicodedata
import uuid
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, Sum
from django.utils import timezone
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.core.errors import DomainError, InvalidInput, PermissionDenied
from motcua.documents.models import Document, DocumentKind, DocumentOrigin
from motcua.documents.signatures import verify_pdf

logger = logging.getLogger(__name__)

MAX_SIZE = 20 * 1024 * 1024  # 20 MB: a scanned multi-page dossier component at 300 dpi fits
# Extension → (content type, leading bytes). The content must match the extension (a renamed
# executable is refused), which is why the magic bytes are checked, not the client's header.
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".xml": ("application/xml", (b"<?xml",)),
}
_BAD_NAME = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


def clean_file_name(name: str) -> str:
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name or len(name) > 200 or _BAD_NAME.search(name) or name.startswith("."):
        raise InvalidInput(
            "Tên tệp không hợp lệ: không được trống, dài quá 200 ký tự, "
            'chứa / \\ : * ? " < > | hoặc ký tự điều khiển.',
            field="file",
        )
    return name


class UploadQuotaExceeded(DomainError):
    """Too much uploaded and not yet attached to a dossier, or too many uploads in an hour."""

    status_code = 413
    code = "upload_quota_exceeded"


class UploadRateExceeded(DomainError):
    status_code = 429
    code = "upload_rate_exceeded"


def documents_by_ids(
    ids: Iterable[uuid.UUID],
    *,
    actor,
    may_cite_others: Callable[[], bool] = lambda: False,
) -> list[Document]:
    """The documents `actor` cites by id. An id that does not exist is refused, never silently
    dropped; a document is cited only by the account that uploaded it, unless `may_cite_others()`
    (the caller's judgement: an officer of a unit handling the dossier) — a citizen cannot attach
    another person's papers by guessing or copying an id (item 4 of issue 8)."""
    wanted = set(ids)
    documents = list(Document.objects.filter(pk__in=wanted)) if wanted else []
    if len(documents) != len(wanted):
        raise InvalidInput("Có tài liệu đính kèm không tồn tại.", field="documents")
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    foreign = [d for d in documents if d.uploaded_by_id is None or d.uploaded_by_id != actor_id]
    if foreign and not may_cite_others():
        raise PermissionDenied(
            f"Tài liệu “{foreign[0].name}” không phải do bạn tải lên; chỉ người tải lên hoặc cán bộ "
            "đang giải quyết hồ sơ mới được đính kèm.",
            code="document_not_yours",
            field="documents",
        )
    return documents


def _unattached() -> Q:
    """Documents no row anywhere refers to. Every table that references Document is found from the
    model's reverse relations (today the dossiers' DossierDocument), so a new one is counted too."""
    condition = Q()
    for relation in Document._meta.related_objects:
        condition &= Q(**{f"{relation.field.related_query_name()}__isnull": True})
    return condition


def pending_bytes(user) -> int:
    """Bytes `user` uploaded that are not attached to anything yet."""
    total = Document.objects.filter(_unattached(), uploaded_by=user).aggregate(total=Sum("size"))["total"]
    return int(total or 0)


def _check_quota(user, size: int, now: datetime.datetime) -> None:
    # Uploads cost disk before any dossier exists: an account may not fill the store with files it
    # never submits. Two concurrent uploads may both pass by a few MB; the bound is what matters.
    if not getattr(user, "is_authenticated", False):
        return
    per_hour = settings.MOTCUA_UPLOADS_PER_HOUR
    recent = Document.objects.filter(uploaded_by=user, uploaded_at__gt=now - datetime.timedelta(hours=1))
    if recent.count() >= per_hour:
        raise UploadRateExceeded(
            f"Bạn đã tải lên {per_hour} tệp trong một giờ qua; vui lòng thử lại sau.", field="file"
        )
    quota_mb = settings.MOTCUA_UPLOAD_QUOTA_MB
    if pending_bytes(user) + size > quota_mb * 1024 * 1024:
        raise UploadQuotaExceeded(
            f"Bạn đã tải lên quá {quota_mb} MB tài liệu chưa đính kèm vào hồ sơ nào; hãy nộp hồ sơ "
            "hoặc chờ các tệp không dùng đến được xóa rồi thử lại.",
            field="file",
        )


def page_count(content: bytes, content_type: str) -> int | None:
    """Pages of a stored file: a PDF's own count, 1 for a picture, None for what has no pages
    (DOCX, XLSX, XML) or a PDF too broken to read (its signature check says so already)."""
    if content_type.startswith("image/"):
        return 1
    if content_type != "application/pdf":
        return None
    try:
        return int(PdfFileReader(io.BytesIO(content), strict=False).root["/Pages"]["/Count"])
    except Exception:  # a malformed PDF is stored as it came; only its page count is unknown
        return None


def store_document(
    *,
    name: str,
    content: bytes,
    kind: str,
    uploaded_by=None,
    origin: str = DocumentOrigin.UPLOADED,
) -> Document:
    name = clean_file_name(name)
    if kind not in DocumentKind.values:
        raise InvalidInput(f"Loại tài liệu không hợp lệ: {kind}.", field="kind")
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in ALLOWED:
        raise InvalidInput("Chỉ nhận tệp PDF, JPG, PNG, DOCX, XLSX hoặc XML.", field="file")
    if not content:
        raise InvalidInput("Tệp rỗng.", field="file")
    if len(content) > MAX_SIZE:
        raise InvalidInput(f"Tệp lớn hơn {MAX_SIZE // (1024 * 1024)} MB.", field="file")
    content_type, magics = ALLOWED[extension]
    if not any(content.startswith(m) for m in magics):
        raise InvalidInput("Nội dung tệp không khớp với phần mở rộng (tệp có thể bị đổi tên).", field="file")
    now = timezone.now()
    _check_quota(uploaded_by, len(content), now)
    # "Signed" is what the verification finds, not a checkbox; only PDFs carry
    # embedded signatures here (a scan of a paper signature is not a digital signature).
    check = verify_pdf(content) if extension == ".pdf" else None
    document = Document(
        kind=kind,
        name=name,
        content_type=content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None,
        uploaded_at=now,
        origin=origin,
    )
    document.page_count = page_count(content, document.content_type)
    if check is not None:
        document.signature_status = check.status
        document.signature_signer = check.signer
        document.signature_signed_at = check.signed_at
        document.signature_note = check.note
        document.signature_checked_at = now
    # The file is written first; if the row fails the orphan file is harmless, the reverse is not.
    document.file.save(str(document.id), ContentFile(content), save=False)
    with transaction.atomic():
        document.save()
    return document


SCAN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")


def scanned_pages_as_pdf(pages: Sequence[tuple[str, bytes]], *, title: str = "") -> tuple[str, bytes]:
    """A paper scanned page by page at the counter (one JPG or PNG per page, in order) as one PDF
    of as many pages, named after `title` (the component): the form in which a component is kept,
    signed by the receiving unit and sent to the national portal. A single PDF is kept as it came."""
    if not pages:
        raise InvalidInput("Chưa có trang nào được quét.", field="file")
    names = [clean_file_name(name) for name, _ in pages]
    for name in names:
        if not name.lower().endswith(SCAN_EXTENSIONS):
            raise InvalidInput(
                f"Bản quét “{name}” phải là tệp PDF, JPG hoặc PNG (Thông tư 01/2023/TT-VPCP).", field="file"
            )
    if len(pages) == 1 and names[0].lower().endswith(".pdf"):
        return names[0], pages[0][1]
    if any(name.lower().endswith(".pdf") for name in names):
        raise InvalidInput(
            "Quét nhiều trang thì chọn các ảnh JPG/PNG của từng trang, hoặc một tệp PDF gồm đủ các trang.",
            field="file",
        )
    images = []
    for name, (_, content) in zip(names, pages, strict=True):
        if not any(content.startswith(m) for m in ALLOWED["." + name.rsplit(".", 1)[-1].lower()][1]):
            raise InvalidInput(f"Nội dung “{name}” không phải ảnh JPG/PNG như tên tệp.", field="file")
        if len(content) > MAX_SIZE:
            raise InvalidInput(f"Ảnh “{name}” lớn hơn {MAX_SIZE // (1024 * 1024)} MB.", field="file")
        try:
            with warnings.catch_warnings():
                # A decompression bomb is an error here, not a warning.
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(content))
                image.load()
        except (OSError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise InvalidInput(f"Không đọc được ảnh “{name}”: tệp hỏng hoặc quá lớn.", field="file") from exc
        images.append(image.convert("RGB"))
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=300.0)
    stem = _BAD_NAME.sub(" ", unicodedata.normalize("NFC", title)).strip(" .")[:120].strip()
    return f"{stem or names[0].rsplit('.', 1)[0]}.pdf", out.getvalue()


def copy_for_reuse(source: Document, *, kind: str, reused_by) -> Document:
    """R-30: a paper the applicant already gave (or a result already issued to him) taken into a new
    dossier without uploading it again. A document belongs to one dossier, so the new dossier gets
    its own copy of the same bytes (same checksum, same verified signature), marked as reused; who
    may reuse what is the caller's judgement (the applicant's own store)."""
    with source.file.open("rb") as handle:
        content = handle.read()
    now = timezone.now()
    document = Document(
        kind=kind,
        name=source.name,
        content_type=source.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        signature_status=source.signature_status,
        signature_signer=source.signature_signer,
        signature_signed_at=source.signature_signed_at,
        signature_checked_at=source.signature_checked_at,
        signature_note=source.signature_note,
        uploaded_by=reused_by if getattr(reused_by, "is_authenticated", False) else None,
        uploaded_at=now,
        reused_from=source,
        origin=DocumentOrigin.REUSED,
        page_count=source.page_count,
    )
    if document.sha256 != source.sha256:
        raise InvalidInput(
            f"Tệp “{source.name}” trong kho đã bị thay đổi; hãy tải lên lại.", rule="R-30", field="documents"
        )
    document.file.save(str(document.id), ContentFile(content), save=False)
    document.save()
    return document


@dataclass(frozen=True)
class PurgeResult:
    documents: int
    bytes: int


def purge_unattached_documents(
    *, older_than: datetime.timedelta, now: datetime.datetime | None = None
) -> PurgeResult:
    """Delete documents (rows and files) uploaded more than `older_than` ago and attached to nothing.

    Each is deleted in its own transaction, re-checked there: one attached meanwhile is kept (the
    reference is PROTECT, so the database refuses the delete). Files go after the row's commit."""
    cutoff = (now or timezone.now()) - older_than
    candidates = Document.objects.filter(_unattached(), uploaded_at__lt=cutoff).values_list("pk", flat=True)
    count = size = 0
    for pk in list(candidates):
        try:
            with transaction.atomic():
                document = (
                    Document.objects.select_for_update(of=("self",)).filter(_unattached(), pk=pk).first()
                )
                if document is None:
                    continue
                storage, path, length = document.file.storage, document.file.name, document.size
                document.delete()
                # robust: an object store that fails one delete (logged) must not stop the purge of
                # the others; the row is gone, the orphan object is harmless and deleted by hand.
                transaction.on_commit(lambda storage=storage, path=path: storage.delete(path), robust=True)
        except (IntegrityError, ProtectedError):
            logger.info("document %s was attached while being purged; kept", pk)
            continue
        count += 1
        size += length
    return PurgeResult(documents=count, bytes=size)


def recheck_signatures() -> dict[str, int]:
    """Verify again every stored PDF (after the trust roots change, or documents stored before
    verification existed, whose `signed` flag was only the uploader's claim)."""
    counts: dict[str, int] = {}
    for document in Document.objects.filter(content_type="application/pdf").iterator():
        with document.file.open("rb") as f:
            check = verify_pdf(f.read())
        Document.objects.filter(pk=document.pk).update(
            signature_status=check.status,
            signature_signer=check.signer,
            signature_signed_at=check.signed_at,
            signature_note=check.note,
            signature_checked_at=timezone.now(),
        )
        counts[check.status] = counts.get(check.status, 0) + 1
    return counts
