"""TEST-ONLY digital signatures for the demo and the tests: a synthetic certificate authority
("CA THỬ NGHIỆM MOTCUA") and signers it issues, and PDFs signed with them by pyHanko.

Nothing here is a real certificate authority. The demo CA's private key is committed on purpose
(`motcua/demo/data/signing/`) so that anybody can sign a PDF that the demo trusts; a production
installation must point `MOTCUA_SIGNATURE_TRUST_ROOTS` at the roots of the licensed public digital
signature service providers (Luật Giao dịch điện tử 2023, Nghị định 23/2025/NĐ-CP), never at this file.

`signed_pdf(title, signer)` is the stable entry point used by the demo loader and the tests.
`python -m motcua.demo.signing` regenerates the committed demo CA and demo signer (run once).
"""

from __future__ import annotations

import datetime
import functools
import html
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from motcua.documents.signatures import run_async

DATA_DIR = Path(__file__).resolve().parent / "data" / "signing"
DEMO_CA_CERT = DATA_DIR / "demo-ca.pem"
DEMO_CA_KEY = DATA_DIR / "demo-ca.key.pem"
DEMO_SIGNER_CERT = DATA_DIR / "demo-signer.pem"
DEMO_SIGNER_KEY = DATA_DIR / "demo-signer.key.pem"

DEMO_CA_NAME = "CA THỬ NGHIỆM MOTCUA"
DEMO_SIGNER_NAME = "LÃNH ĐẠO THỬ NGHIỆM MOTCUA"
ORGANIZATION = "MOTCUA - DỮ LIỆU THỬ NGHIỆM, KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"


@dataclass(frozen=True)
class Identity:
    """A certificate and its private key (synthetic, test-only)."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def name(self) -> str:
        return self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    """A CA signs certificates; a signer signs documents (non-repudiation: content_commitment)."""
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def make_ca(
    common_name: str = DEMO_CA_NAME,
    *,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> Identity:
    """A self-signed root CA (EC P-256: fast to generate in tests)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    name = _name(common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - datetime.timedelta(days=1))
        .not_valid_after(not_after or now + datetime.timedelta(days=365 * 20))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            _key_usage(ca=True),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Identity(cert=cert, key=key)


def issue(
    ca: Identity,
    common_name: str,
    *,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> Identity:
    """A signer certificate issued by `ca` for document signing."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - datetime.timedelta(days=1))
        .not_valid_after(not_after or now + datetime.timedelta(days=365 * 10))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            _key_usage(ca=False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    return Identity(cert=cert, key=key)


def _load(cert_path: Path, key_path: Path) -> Identity:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return Identity(cert=cert, key=key)


@functools.cache
def demo_ca() -> Identity:
    """The committed demo CA (the default trust root of a demo installation)."""
    return _load(DEMO_CA_CERT, DEMO_CA_KEY)


@functools.cache
def demo_signer() -> Identity:
    """The committed demo signer, issued by the demo CA."""
    return _load(DEMO_SIGNER_CERT, DEMO_SIGNER_KEY)


@functools.cache
def signer_for(name: str | None = None) -> Identity:
    """A signer with this name, issued by the demo CA (cached for the process)."""
    if not name or name == DEMO_SIGNER_NAME:
        return demo_signer()
    return issue(demo_ca(), name)


def plain_pdf(title: str, body: str = "") -> bytes:
    """A one-page PDF with a title and some text (Vietnamese diacritics render)."""
    from weasyprint import HTML

    markup = (
        "<html><body style='font-family: sans-serif'>"
        f"<h1 style='font-size: 16pt'>{html.escape(title)}</h1>"
        f"<p>{html.escape(body)}</p>"
        "<p style='color: #a00'>TÀI LIỆU THỬ NGHIỆM – KHÔNG CÓ GIÁ TRỊ PHÁP LÝ</p>"
        "</body></html>"
    )
    return HTML(string=markup).write_pdf()


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def sign_pdf(pdf: bytes, identity: Identity, *, chain: tuple[x509.Certificate, ...] = ()) -> bytes:
    """Sign `pdf` with `identity` (a PAdES-style CMS signature embedded by pyHanko)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = signers.SimpleSigner(
        signing_cert=_asn1_cert(identity.cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            identity.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(field_name="ChuKySo")
    out = run_async(lambda: signers.async_sign_pdf(writer, metadata, signer=signer))
    return out.getvalue()


def signed_pdf(title: str, signer: str | None = None) -> bytes:
    """A PDF titled `title`, signed by `signer` (a name; a certificate for it is issued by the demo
    CA) or by the demo signer. The demo and the tests trust the demo CA, so it verifies as valid."""
    identity = signer_for(signer)
    return sign_pdf(plain_pdf(title, f"Người ký: {identity.name}"), identity, chain=(demo_ca().cert,))


def write_demo_ca(directory: Path = DATA_DIR) -> None:
    """Generate the committed demo CA and demo signer (run once; regenerating changes the trust root)."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    ca = make_ca(DEMO_CA_NAME, not_before=now, not_after=now + datetime.timedelta(days=365 * 25))
    signer = issue(ca, DEMO_SIGNER_NAME, not_before=now, not_after=now + datetime.timedelta(days=365 * 20))
    for identity, cert_path, key_path in (
        (ca, directory / DEMO_CA_CERT.name, directory / DEMO_CA_KEY.name),
        (signer, directory / DEMO_SIGNER_CERT.name, directory / DEMO_SIGNER_KEY.name),
    ):
        cert_path.write_bytes(identity.cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            identity.key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


if __name__ == "__main__":  # pragma: no cover - a one-off generator
    write_demo_ca(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_DIR)
