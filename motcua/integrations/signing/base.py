"""What every signing backend shares: the interface, the errors and the PAdES signature itself.

The signature is added in an incremental update (ISO 32000-1 §7.5.6): the bytes already in the file
are left as they are, so a signature already there (the leader's, on the decision) stays valid and
the unit's seal covers it and the whole file after it.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

SEAL_FIELD = "DauCoQuan"  # "con dấu cơ quan": the signature field of the unit's seal

T = TypeVar("T")


class SigningError(Exception):
    """The seal could not be added: no key for the unit, the service refused or did not answer, the
    PDF cannot be updated. The message is Vietnamese: it reaches the officer."""


class PadesSigner(Protocol):
    def available(self, unit_code: str) -> bool:
        """Whether this backend holds a key for the unit (no network call)."""
        ...

    def sign_pdf(
        self, pdf: bytes, *, unit_code: str, reason: str, location: str, appearance: bytes | None = None
    ) -> bytes:
        """`pdf` with the unit's PAdES signature appended (incremental update), visible as the
        one-page PDF `appearance` when one is given; raises SigningError."""
        ...


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    """pyHanko's coroutines run to completion here, also when the caller already runs an event loop
    (then in a thread with its own loop, as asyncio.run requires)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def free_field_name(pdf: bytes) -> str:
    """`DauCoQuan`, or `DauCoQuan2`… when the file already carries a seal (a field name is unique;
    no dot in it: a dot separates the parts of a field's full name)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    taken = {name for name, _, _ in enumerate_sig_fields(reader)}
    if SEAL_FIELD not in taken:
        return SEAL_FIELD
    n = 2
    while f"{SEAL_FIELD}{n}" in taken:
        n += 1
    return f"{SEAL_FIELD}{n}"


# Where the visible seal goes: the last page's bottom left corner, inside a 15 mm margin (points).
SEAL_BOX = (42, 42, 42 + 255, 42 + 80)


def _imported_page(content: bytes):
    """A PDF page (the seal's appearance, rendered by the caller) as pyHanko stamp content."""
    import binascii
    import uuid

    from pyhanko.pdf_utils.content import PdfContent
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.pdf_utils.reader import PdfFileReader

    class ImportedBytesPage(PdfContent):
        def render(self) -> bytes:
            xobject = self._ensure_writer.import_page_as_xobject(
                PdfFileReader(io.BytesIO(content), strict=False), page_ix=0
            )
            name = b"/Seal" + binascii.hexlify(uuid.uuid4().bytes)
            self.resources.xobject[name.decode("ascii")] = xobject
            x1, y1, x2, y2 = xobject.get_object()["/BBox"]
            self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
            return name + b" Do"

    return ImportedBytesPage()


def pades_sign(
    pdf: bytes, signer, *, reason: str, location: str, name: str = "", appearance: bytes | None = None
) -> bytes:
    """Append a PAdES baseline B-B signature made by the pyHanko `signer` to `pdf`; with
    `appearance` (a one-page PDF) the signature is visible on the last page (SEAL_BOX). A new
    signature field with its widget is a change every earlier signature allows (form filling),
    unlike new page content, which would make an earlier signature read as "modified"."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
    from pyhanko.stamp import StaticStampStyle

    try:
        field_name = free_field_name(pdf)
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name,
            subfilter=SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason or None,
            location=location or None,
            name=name or None,
        )
        extra = {}
        if appearance:
            extra = {
                "stamp_style": StaticStampStyle(
                    background=_imported_page(appearance), background_opacity=1.0, border_width=0
                ),
                "new_field_spec": SigFieldSpec(field_name, on_page=-1, box=SEAL_BOX),
            }
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        pdf_signer = signers.PdfSigner(metadata, signer=signer, **extra)
        out = run_async(lambda: pdf_signer.async_sign_pdf(writer))
    except SigningError:
        raise
    except Exception as exc:  # pyHanko refuses malformed or encrypted PDFs in many ways
        raise SigningError(f"Không ký được tệp PDF: {exc}") from exc
    return out.getvalue()
