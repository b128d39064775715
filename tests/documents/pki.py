"""Test PKI: PDFs signed by the demo CA (trusted in tests), by a stranger CA, expired, tampered."""

import datetime

from motcua.demo.signing import Identity, demo_ca, issue, make_ca, plain_pdf, sign_pdf, signed_pdf

__all__ = ["expired_signed_pdf", "plain_pdf", "signed_pdf", "stranger_signed_pdf", "tampered_pdf"]


def stranger_ca() -> Identity:
    """A CA nobody configured: its signatures verify cryptographically but are not trusted."""
    return make_ca("CA LẠ THỬ NGHIỆM")


def stranger_signed_pdf(title: str = "Văn bản ký bởi CA lạ") -> bytes:
    ca = stranger_ca()
    return sign_pdf(plain_pdf(title), issue(ca, "NGƯỜI KÝ LẠ"), chain=(ca.cert,))


def expired_signed_pdf(title: str = "Văn bản ký bằng chứng thư hết hạn") -> bytes:
    """Signed today with a demo-CA certificate that expired yesterday."""
    now = datetime.datetime.now(datetime.UTC)
    signer = issue(
        demo_ca(),
        "NGƯỜI KÝ HẾT HẠN",
        not_before=now - datetime.timedelta(days=30),
        not_after=now - datetime.timedelta(days=1),
    )
    return sign_pdf(plain_pdf(title), signer, chain=(demo_ca().cert,))


def tampered_pdf(title: str = "Văn bản bị sửa sau khi ký") -> bytes:
    """A demo-signed PDF with one signed byte changed (the text of the title)."""
    data = bytearray(signed_pdf(title))
    # Flip a byte inside the first signed range (before the signature's /Contents hole).
    start = data.index(b"/ByteRange")
    position = start // 2
    data[position] = (data[position] + 1) % 256 if data[position] not in b"\r\n" else data[position]
    return bytes(data)
