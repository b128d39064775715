"""Electronic results with legal value (NĐ 45/2020 Điều 14, kept by NĐ 118/2025; R-30): the result
is sealed at issue with the deciding unit's PAdES signature, gets a verification code (mã tra cứu
kết quả) and can be checked by anyone, with the file or with the code (`/xac-thuc/`).

The seal is made by the signing backend configured in `MOTCUA_INTEGRATIONS["signing"]`
(motcua.integrations.signing: the unit's key in a folder, or a remote-signing service). Checking an
uploaded file stores nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import logging
import re
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from motcua.core.errors import InvalidInput, RuleViolation
from motcua.documents.models import Document, DocumentOrigin, SignatureStatus
from motcua.documents.services import ALLOWED, MAX_SIZE, clean_file_name
from motcua.documents.signatures import PdfVerification, SignatureCheck, describe_pdf, verify_pdf
from motcua.integrations import registry
from motcua.integrations.signing.base import SigningError

logger = logging.getLogger(__name__)

# Read off paper and typed on a phone: no 0/O/1/I/L (as the receipt's look-up secret). Twelve
# characters of 31 are ~59 bits: not guessable, even before the look-up's rate limit.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
_NOT_CODE = re.compile(r"[^A-Z0-9]")


def new_verification_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    """What a person typed, as the code is stored: capitals, groups of four joined by dashes
    (spaces, missing dashes and small letters are forgiven; O and I typed for 0 and 1 never match)."""
    raw = _NOT_CODE.sub("", (text or "").upper())[: CODE_LENGTH + 1]
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _backend():
    return registry.get("signing")


def can_seal(unit_code: str) -> bool:
    """Whether results of this unit are sealed at issue (a key for it is configured)."""
    backend = _backend()
    return backend is not None and backend.available(unit_code)


def will_be_sealed(document: Document, unit_code: str) -> bool:
    """A PDF the unit's seal can make valid: sealing is configured for the unit, and whatever
    signature the file carries already is valid (a broken or untrusted one would stay so)."""
    return (
        document.content_type == "application/pdf"
        and document.signature_status in (SignatureStatus.UNSIGNED, SignatureStatus.VALID)
        and can_seal(unit_code)
    )


def _verification_url() -> str:
    # The citizens' address (PUBLIC_URL); the demo's own while developing, as in the notifications.
    base = (
        getattr(settings, "PUBLIC_URL", "") or ("http://127.0.0.1:8000" if settings.DEBUG else "")
    ).rstrip("/")
    return f"{base}/xac-thuc/" if base else "/xac-thuc/"


_FONTS = Path(__file__).resolve().parent.parent / "backoffice" / "static" / "backoffice" / "fonts"


def seal_appearance(unit_name: str, code: str, signed_at: datetime.datetime) -> bytes:
    """The visible seal printed on the result's last page (a one-page PDF, 90 × 28 mm): who sealed
    it, when, the verification code and where to check it — so a printed copy can be checked too."""
    from weasyprint import HTML

    when = timezone.localtime(signed_at).strftime("%H:%M ngày %d/%m/%Y")
    fonts = "".join(
        f'@font-face {{ font-family: "MotCua Sans"; src: url("{(_FONTS / f).as_uri()}"); font-weight: {w}; }}'
        for f, w in (("NotoSans-Regular.ttf", 400), ("NotoSans-Bold.ttf", 700))
        if (_FONTS / f).exists()
    )
    markup = f"""<html><head><style>{fonts}
      @page {{ size: 90mm 28mm; margin: 0; }}
      body {{ margin: 0; font-family: "MotCua Sans", sans-serif; font-size: 8.4pt; color: #b3001b; }}
      .box {{ border: 1.2pt solid #b3001b; border-radius: 3pt; height: 25.6mm; padding: 1.6mm 2.4mm;
              box-sizing: border-box; line-height: 1.35; }}
      b {{ font-size: 9pt; }} .code {{ font-size: 10.5pt; font-weight: 700; letter-spacing: .5pt; }}
    </style></head><body><div class="box">
      <div>Ký số bởi: <b>{html.escape(unit_name)}</b></div>
      <div>Thời gian ký: {when}</div>
      <div>Mã tra cứu kết quả: <span class="code">{html.escape(code)}</span></div>
      <div>Xác thực tại: {html.escape(_verification_url())}</div>
    </div></body></html>"""
    return HTML(string=markup).write_pdf()


def _sealed(
    document: Document, *, unit_code: str, unit_name: str, what: str, reason: str, appearance: bytes | None
) -> tuple[bytes, SignatureCheck]:
    """The stored file of `document` with the unit's signature appended (incremental update),
    verified valid. Raises RuleViolation (R-30) when the seal cannot be made or does not verify."""
    if document.content_type != "application/pdf":
        raise RuleViolation(
            "R-30", f"{what} “{document.name}” phải là tệp PDF để ký số của cơ quan.", field="documents"
        )
    backend = _backend()
    if backend is None or not backend.available(unit_code):
        raise RuleViolation(
            "R-30", f"Chưa cấu hình chứng thư số (con dấu số) của {unit_name}.", code="seal_unavailable"
        )
    with document.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise RuleViolation(
            "R-30", f"Tệp “{document.name}” đã bị thay đổi trong kho lưu trữ.", field="documents"
        )
    try:
        signed = backend.sign_pdf(
            content,
            unit_code=unit_code,
            reason=reason,
            location=f"{unit_name} — xác thực tại {_verification_url()}",
            appearance=appearance,
        )
    except SigningError as exc:
        logger.warning("sealing %s for %s failed: %s", document.pk, unit_code, exc)
        raise RuleViolation(
            "R-30",
            f"Không ký số được {what.lower()} “{document.name}” bằng chứng thư số của {unit_name}: {exc} "
            "Thao tác chưa được thực hiện; vui lòng thử lại hoặc báo quản trị hệ thống.",
            code="seal_failed",
        ) from exc
    check = verify_pdf(signed)
    if check.status != SignatureStatus.VALID:
        raise RuleViolation(
            "R-30",
            f"{what} “{document.name}” sau khi ký số không được xác thực là hợp lệ "
            f"({SignatureStatus(check.status).label.lower()}: {check.note}). Thao tác chưa được thực hiện.",
            code="seal_not_valid",
        )
    return signed, check


def _replace_file(document: Document, signed: bytes, check: SignatureCheck, **fields) -> Document:
    """Point the row at the signed bytes (a new file) with its checksum, size and verified signature;
    the file it replaces is deleted once the transaction commits (a rollback keeps the old one)."""
    old_storage, old_name = document.file.storage, document.file.name
    document.file.save(str(document.id), ContentFile(signed), save=False)
    document.size = len(signed)
    document.sha256 = hashlib.sha256(signed).hexdigest()
    document.signature_status = check.status
    document.signature_signer = check.signer
    document.signature_signed_at = check.signed_at
    document.signature_note = check.note
    document.signature_checked_at = timezone.now()
    for name, value in fields.items():
        setattr(document, name, value)
    document.save(
        update_fields=[
            "file",
            "size",
            "sha256",
            "signature_status",
            "signature_signer",
            "signature_signed_at",
            "signature_note",
            "signature_checked_at",
            *fields,
        ]
    )
    if old_name and old_name != document.file.name:
        transaction.on_commit(lambda: old_storage.delete(old_name), robust=True)
    return document


def seal_result(document: Document, *, unit_code: str, unit_name: str) -> Document:
    """Seal `document` (a result PDF) with the unit's signature, in the caller's transaction.

    The signed bytes are a new file (the original's bytes are kept inside it: an incremental
    update); the row then points at it with its new checksum, size and verified signatures, origin
    ISSUED and a verification code, carried in the signature's reason so that the file itself says
    where to check it. Raises RuleViolation (R-30) when the seal cannot be made or does not verify:
    the caller's transaction rolls back, nothing changes (the new file is then an unreferenced
    object, harmless)."""
    if document.origin == DocumentOrigin.ISSUED and document.verification_code:
        return document  # sealed already (an action retried)
    code = new_verification_code()
    while Document.objects.filter(verification_code=code).exists():
        code = new_verification_code()
    signed, check = _sealed(
        document,
        unit_code=unit_code,
        unit_name=unit_name,
        what="Kết quả điện tử",
        reason=f"Kết quả giải quyết thủ tục hành chính điện tử. Mã tra cứu kết quả: {code}",
        appearance=seal_appearance(unit_name, code, timezone.now()),
    )
    return _replace_file(document, signed, check, origin=DocumentOrigin.ISSUED, verification_code=code)


def certify_scan(document: Document, *, unit_code: str, unit_name: str) -> Document:
    """The receiving unit's signature on a paper component scanned at its counter: the scan becomes
    a digitisation result with legal use (TT 01/2023/TT-VPCP; the national portal's `DuocSoHoa`),
    signed invisibly (the page stays the applicant's paper). Same failures as `seal_result`."""
    if document.signature_status == SignatureStatus.VALID:
        return document  # signed already (by the unit, or it came signed)
    signed, check = _sealed(
        document,
        unit_code=unit_code,
        unit_name=unit_name,
        what="Bản quét",
        reason="Bản số hóa từ bản giấy tiếp nhận tại Bộ phận Một cửa, đúng với bản giấy đã đối chiếu",
        appearance=None,
    )
    return _replace_file(document, signed, check)


def check_upload(name: str, content: bytes) -> PdfVerification:
    """Verify the signatures of a PDF someone uploads to check it; the same name, size and content
    checks as a stored upload (documents.services), and nothing is stored."""
    name = clean_file_name(name)
    if not name.lower().endswith(".pdf"):
        raise InvalidInput("Chỉ kiểm tra được tệp PDF có chữ ký số.", field="file")
    if not content:
        raise InvalidInput("Tệp rỗng.", field="file")
    if len(content) > MAX_SIZE:
        raise InvalidInput(f"Tệp lớn hơn {MAX_SIZE // (1024 * 1024)} MB.", field="file")
    if not any(content.startswith(magic) for magic in ALLOWED[".pdf"][1]):
        raise InvalidInput("Nội dung tệp không phải PDF (tệp có thể bị đổi tên).", field="file")
    return describe_pdf(content)


def issued_document(code: str) -> Document | None:
    """The result issued with this verification code, or None."""
    normalised = normalise_code(code)
    if len(normalised) != CODE_LENGTH + CODE_LENGTH // 4 - 1:
        return None
    return Document.objects.filter(verification_code=normalised, origin=DocumentOrigin.ISSUED).first()


def check_stored(document: Document) -> tuple[PdfVerification, bool]:
    """The signatures of a stored result, verified again now, and whether the stored bytes are
    still those recorded at issue (checksum)."""
    with document.file.open("rb") as handle:
        content = handle.read()
    return describe_pdf(content), hashlib.sha256(content).hexdigest() == document.sha256
