"""Verifying the digital signatures embedded in a PDF with pyHanko, against configured trust roots.

"Signed" is a fact checked here, never a claim of the client: a signed document (R-14, R-15, R-27)
is one whose PAdES/CMS signature is intact, cryptographically valid, chains to one of the
`MOTCUA_SIGNATURE_TRUST_ROOTS` (the licensed CAs — Luật Giao dịch điện tử 2023, NĐ 23/2025) and
covers the whole file. Verification never raises: a broken file is recorded as invalid.
"""

from __future__ import annotations

import datetime
import functools
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings

from motcua.documents.models import SignatureStatus
from motcua.integrations.signing.base import run_async
from motcua.integrations.signing.testca import CA_CERT_FILE as TEST_CA_CERT_FILE

logger = logging.getLogger(__name__)

# Worst first: one bad signature makes the whole file not validly signed.
_SEVERITY = {
    SignatureStatus.INVALID: 3,
    SignatureStatus.UNTRUSTED: 2,
    SignatureStatus.VALID: 1,
    SignatureStatus.UNSIGNED: 0,
}


@dataclass(frozen=True)
class SignatureCheck:
    status: str
    signer: str = ""
    signed_at: datetime.datetime | None = None
    note: str = ""


class TrustRootsError(Exception):
    """A configured trust root cannot be read (a deployment error, reported loudly)."""


@functools.cache
def _load_roots(paths: tuple[str, ...]) -> tuple[asn1_x509.Certificate, ...]:
    roots: list[asn1_x509.Certificate] = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise TrustRootsError(f"Không đọc được tệp chứng thư gốc {path}: {exc}") from exc
        blocks = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        roots.extend(asn1_x509.Certificate.load(der) for der in blocks)
    return tuple(roots)


def trust_root_paths() -> tuple[str, ...]:
    """`settings.MOTCUA_SIGNATURE_TRUST_ROOTS` as paths (one path or a list of them; read at call time),
    and — in the demo and the tests only (MOTCUA_TRUST_TEST_CA) — the TEST CA of the units' seals
    once `manage.py make_test_ca` has made it (it may not exist yet when the process starts)."""
    paths = settings.MOTCUA_SIGNATURE_TRUST_ROOTS
    configured = (str(paths),) if isinstance(paths, str | Path) else tuple(str(p) for p in paths)
    if getattr(settings, "MOTCUA_TRUST_TEST_CA", False) and settings.MOTCUA_SIGNING_KEYS_DIR:
        test_ca = Path(settings.MOTCUA_SIGNING_KEYS_DIR) / TEST_CA_CERT_FILE
        if test_ca.is_file() and str(test_ca) not in configured:
            configured = (*configured, str(test_ca))
    return configured


def trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    """The certificates of the configured trust roots, read once per process per configuration."""
    return _load_roots(trust_root_paths())


def _common_name(cert) -> str:
    subject = cert.subject.native
    common = str(subject.get("common_name") or cert.subject.human_friendly)
    # An organisation's seal whose name is longer than a common name may be (64 bytes) carries it
    # whole in O: show that, not the cut one.
    organisation = str(subject.get("organization_name") or "")
    return organisation if len(organisation) > len(common) and organisation.startswith(common) else common


def _check_one(embedded, roots) -> SignatureCheck:
    return _validate_one(embedded, roots)[0]


def _validate_one(embedded, roots):
    """(the verdict on one embedded signature, pyHanko's validation status or None)."""
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    # No fetching: the server makes no outbound calls for a citizen's upload; revocation is
    # "soft-fail" (a CA without reachable CRL/OCSP is not treated as revoked).
    context = ValidationContext(trust_roots=list(roots), allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = run_async(lambda: async_validate_pdf_signature(embedded, context))
    except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        return SignatureCheck(SignatureStatus.INVALID, note=f"Không kiểm tra được chữ ký: {exc}"[:500]), None
    signer = _common_name(status.signing_cert) if status.signing_cert is not None else ""
    signed_at = status.signer_reported_dt
    if status.timestamp_validity is not None:
        signed_at = status.timestamp_validity.timestamp
    if not (status.intact and status.valid):
        return SignatureCheck(
            SignatureStatus.INVALID,
            signer,
            signed_at,
            "Chữ ký không khớp nội dung: tệp đã bị sửa sau khi ký.",
        ), status
    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        return SignatureCheck(
            SignatureStatus.INVALID, signer, signed_at, "Chữ ký không bao trùm toàn bộ tệp."
        ), status
    if not status.docmdp_ok:
        return SignatureCheck(
            SignatureStatus.INVALID,
            signer,
            signed_at,
            "Tệp đã bị thay đổi sau khi ký ngoài phạm vi cho phép.",
        ), status
    if not status.trusted:
        return SignatureCheck(
            SignatureStatus.UNTRUSTED,
            signer,
            signed_at,
            "Chứng thư số của người ký không do tổ chức chứng thực được tin cậy cấp, hoặc đã hết hạn.",
        ), status
    return SignatureCheck(SignatureStatus.VALID, signer, signed_at, "Chữ ký số hợp lệ."), status


def _roots_or_none() -> tuple:
    try:
        return tuple(trust_roots())
    except TrustRootsError:
        # A deployment error (reported by the system check `documents.E001` at start-up): nothing
        # can be trusted, so signatures come out untrusted rather than the upload failing.
        logger.exception("signature trust roots unreadable")
        return ()


def verify_pdf(content: bytes) -> SignatureCheck:
    """The verdict on every signature embedded in `content` (a PDF); never raises."""
    # A PDF signature dictionary always carries /ByteRange (ISO 32000-1 §12.8.1); without one the
    # file has no signature to check, and the (possibly large) scan is not parsed at all.
    if b"/ByteRange" not in content:
        return SignatureCheck(SignatureStatus.UNSIGNED)
    roots = _roots_or_none()
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        embedded = list(PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures)
        if not embedded:
            return SignatureCheck(SignatureStatus.UNSIGNED)
        checks = [_check_one(e, roots) for e in embedded]
    except Exception as exc:  # a malformed upload is recorded, never a 500
        logger.info("signature verification failed on a malformed PDF", exc_info=exc)
        return SignatureCheck(
            SignatureStatus.INVALID,
            note="Tệp PDF hỏng hoặc chữ ký không đọc được; không xác minh được chữ ký.",
        )
    worst = max(checks, key=lambda c: _SEVERITY[SignatureStatus(c.status)])
    signers = "; ".join(dict.fromkeys(c.signer for c in checks if c.signer))
    return SignatureCheck(worst.status, signers[:255], checks[-1].signed_at, worst.note)


@dataclass(frozen=True)
class SignatureDetail:
    """One signature of a file, as the verification page shows it (`/xac-thuc/`)."""

    status: str
    signer: str  # the certificate's common name
    organisation: str  # its O= (a unit's seal names the unit)
    subject: str  # the whole subject, as a person reads it
    issuer: str
    signed_at: datetime.datetime | None
    reason: str
    location: str
    intact: bool  # the bytes it signed are unchanged
    covers_whole_file: bool  # nothing was appended after it
    note: str

    @property
    def valid(self) -> bool:
        return self.status == SignatureStatus.VALID

    def get_status_display(self) -> str:
        return SignatureStatus(self.status).label


@dataclass(frozen=True)
class PdfVerification:
    """Every signature of a file and the verdict on the whole (the worst of them, as verify_pdf)."""

    status: str
    signatures: tuple[SignatureDetail, ...]
    note: str = ""

    @property
    def valid(self) -> bool:
        return self.status == SignatureStatus.VALID

    @property
    def intact(self) -> bool:
        """Unchanged since it was signed: every signature intact, the last one over the whole file."""
        return (
            bool(self.signatures)
            and all(s.intact for s in self.signatures)
            and (self.signatures[-1].covers_whole_file)
        )

    def get_status_display(self) -> str:
        return SignatureStatus(self.status).label


def _name_part(cert, key: str) -> str:
    value = cert.subject.native.get(key) if cert is not None else None
    return str(value[-1] if isinstance(value, list) else value or "")


# A certificate's name as a Vietnamese reader reads it (asn1crypto's keys → labels).
_NAME_LABELS = {
    "common_name": "Tên",
    "organization_name": "Tổ chức",
    "organizational_unit_name": "Đơn vị",
    "user_id": "Mã định danh",
    "serial_number": "Số hiệu",
    "locality_name": "Địa phương",
    "state_or_province_name": "Tỉnh, thành phố",
    "country_name": "Quốc gia",
    "email_address": "Thư điện tử",
}


def _readable_name(name) -> str:
    parts = []
    for key, value in name.native.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(f"{_NAME_LABELS.get(key, key)}: {item}")
    return "; ".join(parts)


def _text(value) -> str:
    return str(value) if value else ""


def describe_pdf(content: bytes) -> PdfVerification:
    """Who signed `content`, when, whether each signature is intact, trusted and covers the file —
    what a person checking a result needs to read; never raises. Nothing is stored."""
    if b"/ByteRange" not in content:
        return PdfVerification(SignatureStatus.UNSIGNED, (), "Tệp không có chữ ký số.")
    roots = _roots_or_none()
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation.status import SignatureCoverageLevel

        embedded = list(PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures)
        details = []
        for signature in embedded:
            check, status = _validate_one(signature, roots)
            cert = status.signing_cert if status is not None else None
            dictionary = signature.sig_object
            details.append(
                SignatureDetail(
                    status=check.status,
                    signer=check.signer,
                    organisation=_name_part(cert, "organization_name"),
                    subject=_readable_name(cert.subject) if cert is not None else "",
                    issuer=_readable_name(cert.issuer) if cert is not None else "",
                    signed_at=check.signed_at,
                    reason=_text(dictionary.get("/Reason")),
                    location=_text(dictionary.get("/Location")),
                    intact=bool(status is not None and status.intact and status.valid),
                    covers_whole_file=bool(
                        status is not None and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
                    ),
                    note=check.note,
                )
            )
    except Exception as exc:  # a malformed upload is a verdict, never a 500
        logger.info("signature description failed on a malformed PDF", exc_info=exc)
        return PdfVerification(
            SignatureStatus.INVALID,
            (),
            "Tệp PDF hỏng hoặc chữ ký không đọc được; không xác minh được chữ ký.",
        )
    if not details:
        return PdfVerification(SignatureStatus.UNSIGNED, (), "Tệp không có chữ ký số.")
    worst = max(details, key=lambda d: _SEVERITY[SignatureStatus(d.status)])
    return PdfVerification(worst.status, tuple(details), worst.note)
