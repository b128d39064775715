"""Verifying the digital signatures embedded in a PDF with pyHanko, against configured trust roots.

"Signed" is a fact checked here, never a claim of the client: a signed document (R-14, R-15, R-27)
is one whose PAdES/CMS signature is intact, cryptographically valid, chains to one of the
`MOTCUA_SIGNATURE_TRUST_ROOTS` (the licensed CAs — Luật Giao dịch điện tử 2023, NĐ 23/2025) and
covers the whole file. Verification never raises: a broken file is recorded as invalid.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import io
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings

from motcua.documents.models import SignatureStatus

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
    """`settings.MOTCUA_SIGNATURE_TRUST_ROOTS` as paths (one path or a list of them; read at call time)."""
    paths = settings.MOTCUA_SIGNATURE_TRUST_ROOTS
    return (str(paths),) if isinstance(paths, str | Path) else tuple(str(p) for p in paths)


def trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    """The certificates of the configured trust roots, read once per process per configuration."""
    return _load_roots(trust_root_paths())


T = TypeVar("T")


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run pyHanko's coroutine to completion, also when the caller already runs an event loop
    (an ASGI worker, a browser test): then in a thread with its own loop, as asyncio.run requires."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _common_name(cert) -> str:
    subject = cert.subject.native
    return str(subject.get("common_name") or cert.subject.human_friendly)


def _check_one(embedded, roots) -> SignatureCheck:
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
        return SignatureCheck(SignatureStatus.INVALID, note=f"Không kiểm tra được chữ ký: {exc}"[:500])
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
        )
    if status.coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        return SignatureCheck(
            SignatureStatus.INVALID, signer, signed_at, "Chữ ký không bao trùm toàn bộ tệp."
        )
    if not status.docmdp_ok:
        return SignatureCheck(
            SignatureStatus.INVALID,
            signer,
            signed_at,
            "Tệp đã bị thay đổi sau khi ký ngoài phạm vi cho phép.",
        )
    if not status.trusted:
        return SignatureCheck(
            SignatureStatus.UNTRUSTED,
            signer,
            signed_at,
            "Chứng thư số của người ký không do tổ chức chứng thực được tin cậy cấp, hoặc đã hết hạn.",
        )
    return SignatureCheck(SignatureStatus.VALID, signer, signed_at, "Chữ ký số hợp lệ.")


def verify_pdf(content: bytes) -> SignatureCheck:
    """The verdict on every signature embedded in `content` (a PDF); never raises."""
    # A PDF signature dictionary always carries /ByteRange (ISO 32000-1 §12.8.1); without one the
    # file has no signature to check, and the (possibly large) scan is not parsed at all.
    if b"/ByteRange" not in content:
        return SignatureCheck(SignatureStatus.UNSIGNED)
    try:
        roots = trust_roots()
    except TrustRootsError:
        # A deployment error (reported by the system check `documents.E001` at start-up): nothing
        # can be trusted, so signatures come out untrusted rather than the upload failing.
        logger.exception("signature trust roots unreadable")
        roots = ()
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
