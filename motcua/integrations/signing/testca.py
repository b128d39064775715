"""A TEST certificate authority for the demo and the tests — never a real one.

`ensure_test_ca(directory)` makes (once) a root CA "MotCua Test CA — không có giá trị pháp lý" in
`directory` (`test-ca.pem`, `test-ca.key.pem`); `ensure_unit_certificate(directory, code, name)`
makes (once) the organisation certificate of a unit that issues results, O = the unit's name (NFC),
issued by that CA and stored as `<code>.p12` (PKCS#12, the format a unit's USB token or a
certificate provider hands over) with the CA in its chain. The local signing backend (local.py)
reads exactly these files; `manage.py make_test_ca` writes them for the units in the database.

A real installation gets its units' certificates from a licensed provider of public digital
signature services (Luật Giao dịch điện tử 2023; Nghị định 23/2025/NĐ-CP) and does not trust this
CA: the demo settings trust it (MOTCUA_TRUST_TEST_CA), production settings never do.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "MotCua Test CA — không có giá trị pháp lý"
CA_CERT_FILE = "test-ca.pem"
CA_KEY_FILE = "test-ca.key.pem"
# The PKCS#12 files of the test CA are protected by this passphrase (public: test material only).
TEST_PASSPHRASE = "motcua-test"
# Vietnamese CAs issue RSA-2048 certificates to organisations; 2048 bits also keep generation fast.
KEY_SIZE = 2048
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,34}$")


@dataclass(frozen=True)
class Identity:
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def valid_unit_code(code: str) -> bool:
    """A unit code usable as a file name (agency codes are digits, dots and letters: 000.00.05.H19)."""
    return bool(_CODE.match(code or "")) and ".." not in code


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _make_ca(now: datetime.datetime) -> Identity:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "MotCua — dữ liệu thử nghiệm"),
            x509.NameAttribute(NameOID.COMMON_NAME, _nfc(CA_NAME)),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * 20))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Identity(cert, key)


def organisation_name(code: str, name: str) -> x509.Name:
    """The subject of a unit's seal certificate, as Vietnamese CAs write an organisation's:
    C=VN, O=<unit name>, CN=<unit name>, and the agency code (mã định danh) as the UID. X.509 caps
    a common name at 64 bytes of UTF-8 (about 45 Vietnamese letters): a longer name is cut there."""
    name = _nfc(name.strip()) or code
    common = name
    while len(common.encode("utf-8")) > 64:
        common = common[:-1]
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, common.strip()),
            x509.NameAttribute(NameOID.USER_ID, code),
        ]
    )


# A seal signs documents, nothing else (non-repudiation: content_commitment).
_SEAL_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def issue_certificate(
    ca: Identity,
    subject: x509.Name,
    *,
    now: datetime.datetime | None = None,
    days: int = 365 * 5,
    key: rsa.RSAPrivateKey | None = None,
) -> Identity:
    """A document-signing certificate for `subject`, issued by `ca` (non-repudiation: a seal)."""
    now = now or datetime.datetime.now(datetime.UTC)
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            _SEAL_USAGE,
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    return Identity(cert, key)


def self_signed_organisation(code: str, name: str) -> Identity:
    """A forged seal: an organisation certificate that signs itself (for tests: never trusted)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    subject = organisation_name(code, name)
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(
            _SEAL_USAGE,
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return Identity(cert, key)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, *, secret: bool = False) -> None:
    """Write atomically (a reader never sees half a key), private files readable by the owner only."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    if secret:
        tmp.chmod(0o600)
    tmp.replace(path)


def load_ca(directory: Path) -> Identity | None:
    cert_path, key_path = directory / CA_CERT_FILE, directory / CA_KEY_FILE
    if not (cert_path.exists() and key_path.exists()):
        return None
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return Identity(cert, key)


def ensure_test_ca(directory: Path | str) -> tuple[Identity, bool]:
    """The test CA of `directory`, made if it is not there yet; (identity, created)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    existing = load_ca(directory)
    if existing is not None:
        return existing, False
    ca = _make_ca(datetime.datetime.now(datetime.UTC))
    _write(directory / CA_KEY_FILE, _pem_key(ca.key), secret=True)
    _write(directory / CA_CERT_FILE, ca.cert.public_bytes(serialization.Encoding.PEM))
    return ca, True


def pkcs12_bytes(identity: Identity, chain: list[x509.Certificate], friendly: str, passphrase: str) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        friendly.encode(),
        identity.key,
        identity.cert,
        chain,
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption(),
    )


def unit_certificate_path(directory: Path | str, code: str) -> Path:
    if not valid_unit_code(code):
        raise ValueError(f"mã đơn vị không hợp lệ: {code!r}")
    return Path(directory) / f"{code}.p12"


def read_unit_certificate(directory: Path | str, code: str, passphrase: str = TEST_PASSPHRASE):
    """(certificate, key, chain) of a unit's PKCS#12 file, or None when it has none."""
    path = unit_certificate_path(directory, code)
    if not path.exists():
        return None
    key, cert, chain = pkcs12.load_key_and_certificates(
        path.read_bytes(), passphrase.encode() if passphrase else None
    )
    return cert, key, list(chain)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def ensure_unit_certificate(
    directory: Path | str,
    ca: Identity,
    code: str,
    name: str,
    *,
    passphrase: str = TEST_PASSPHRASE,
) -> tuple[Path, bool]:
    """`<code>.p12` for the unit, issued by `ca`; kept when it is there with the same organisation
    name and the same issuer (idempotent), made again when the unit was renamed. (path, created)."""
    path = unit_certificate_path(directory, code)
    wanted = organisation_name(code, name)
    if path.exists():
        try:
            found = read_unit_certificate(directory, code, passphrase)
        except ValueError:  # another passphrase or a damaged file: replaced below
            found = None
        if found is not None and found[0].subject == wanted and _issued_by(found[0], ca.cert):
            return path, False
    identity = issue_certificate(ca, wanted)
    _write(path, pkcs12_bytes(identity, [ca.cert], code, passphrase), secret=True)
    return path, True
