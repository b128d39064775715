"""Accepting a file: type, size and name are checked before anything is stored."""

import hashlib
import mimetypes
import re
import unicodedata

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from motcua.core.errors import InvalidInput
from motcua.documents.models import Document, DocumentKind

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


def documents_by_ids(ids) -> list[Document]:
    """The documents cited by id; an id that does not exist is refused, never silently dropped."""
    wanted = set(ids)
    documents = list(Document.objects.filter(pk__in=wanted)) if wanted else []
    if len(documents) != len(wanted):
        raise InvalidInput("Có tài liệu đính kèm không tồn tại.", field="documents")
    return documents


def store_document(
    *, name: str, content: bytes, kind: str, uploaded_by=None, signed: bool = False
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
    document = Document(
        kind=kind,
        name=name,
        content_type=content_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        signed=signed,
        uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None,
        uploaded_at=timezone.now(),
    )
    # The file is written first; if the row fails the orphan file is harmless, the reverse is not.
    document.file.save(str(document.id), ContentFile(content), save=False)
    with transaction.atomic():
        document.save()
    return document
