"""Electronic results with legal value (NĐ 45/2020 Điều 14, R-30; issue 12 item 3): the deciding
unit's PAdES seal is added at issue, verified anywhere by the file or by the code."""

import re

import pytest
from pyhanko.sign import signers

from motcua.core.errors import NotFound, RuleViolation
from motcua.demo.signing import plain_pdf
from motcua.documents import sealing
from motcua.documents.models import Document, DocumentKind, DocumentOrigin, SignatureStatus
from motcua.documents.services import store_document
from motcua.dossiers import audit
from motcua.dossiers.models import Dossier
from motcua.dossiers.results import mask_dossier_code, verify_result_code
from motcua.dossiers.states import State
from motcua.integrations import registry
from motcua.integrations.signing.base import SigningError, pades_sign
from motcua.integrations.signing.testca import self_signed_organisation
from motcua.notifications.messages import compose
from tests.documents.sealing import give_seal
from tests.dossiers.kit import NOTARY, act, at, doc, events, forward_to, fresh, submit, user
from tests.simulators import SimulatorProcess

NOW = at("2026-03-02 08:00")
ISSUE = at("2026-03-04 08:00")
TOKEN = "remote-signing-test-token"
CODE = re.compile(r"^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$")


def _at_decision(delivery: str = "online") -> Dossier:
    d = submit(NOTARY, now=NOW, result_delivery=delivery)
    d = act(d, "receive", "chuyenvien.sotuphap", now=NOW)
    d = act(d, "forward", "chuyenvien.sotuphap", now=NOW)
    return forward_to(d, 5, now=NOW)


def _result(content: bytes | None = None) -> Document:
    """The decision as drafted by the appraising officer: a PDF, not signed yet."""
    return store_document(
        name="quyet-dinh.pdf",
        content=content or plain_pdf("Quyết định thành lập Văn phòng công chứng Thử Nghiệm"),
        kind=DocumentKind.RESULT,
        uploaded_by=user("chuyenvien.sotuphap"),
    )


def _issue(d: Dossier, result: Document) -> Dossier:
    return act(d, "issue_result", "lanhdao.ubndtinh", now=ISSUE, documents=[result])


def _bytes(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def test_r30_signed_result_verifies(seals):
    d = _at_decision()
    unit = d.deciding_unit
    seals(unit)
    result = _result()
    assert result.signature_status == SignatureStatus.UNSIGNED
    # R-14 would refuse an unsigned online result; the unit's seal is what makes it lawful.
    d = _issue(d, result)
    assert d.state == State.RESULT_READY
    result.refresh_from_db()
    assert result.origin == DocumentOrigin.ISSUED and CODE.match(result.verification_code)
    assert result.signature_status == SignatureStatus.VALID and unit.name in result.signature_signer
    content = _bytes(result)
    assert result.size == len(content) and result.page_count == 1
    report = sealing.check_upload("ket-qua.pdf", content)
    assert report.valid and report.intact
    (seal,) = report.signatures
    assert seal.organisation == unit.name and unit.name in seal.subject and unit.code in seal.subject
    assert "MotCua Test CA" in seal.issuer
    assert result.verification_code in seal.reason and "/xac-thuc/" in seal.location
    # The event cites the document by id and vouches for the sealed bytes.
    issued = events(d)[-1]
    assert issued.documents == [str(result.pk)]
    assert issued.data["sealed"] == [{"document": str(result.pk), "sha256": result.sha256, "unit": unit.code}]
    assert list(audit.verify_chain(Dossier.objects.filter(pk=d.pk))) == []  # the chain still holds
    # The applicant is told the code (e-mail) with where to check it.
    mail = compose(d, issued).body
    assert f"Mã tra cứu kết quả: {result.verification_code}" in mail and "Xác thực kết quả" in mail


def test_r30_the_officers_see_the_verification_code_of_a_sealed_result(seals, client):
    d = _at_decision()
    seals(d.deciding_unit)
    result = _result()
    _issue(d, result)
    result.refresh_from_db()
    client.force_login(user("chuyenvien.sotuphap"))
    page = client.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert f"Mã tra cứu kết quả: <code>{result.verification_code}</code>" in page


def test_r30_one_byte_changed_breaks_verification(seals):
    d = _at_decision()
    seals(d.deciding_unit)
    result = _result()
    _issue(d, result)
    result.refresh_from_db()
    content = bytearray(_bytes(result))
    # One byte of the page's content (signed), never the signature's own hole.
    position = content.index(b"stream") + 20
    content[position] ^= 0x01
    report = sealing.check_upload("ket-qua.pdf", bytes(content))
    assert report.status == SignatureStatus.INVALID and not report.valid and not report.intact
    assert "đã bị sửa" in report.signatures[0].note


def test_r30_verification_by_code(seals):
    d = _at_decision()
    seals(d.deciding_unit)
    result = _result()
    _issue(d, result)
    result.refresh_from_db()
    typed = result.verification_code.lower().replace("-", " ")  # as a person types it
    found = verify_result_code(typed)
    assert found.valid and found.document == result
    assert found.unit_name == d.deciding_unit.name and found.procedure_name == d.procedure.name
    assert found.dossier_code_masked == mask_dossier_code(d.code) and d.code not in found.dossier_code_masked
    assert found.dossier_code_masked.endswith(d.code[-2:])
    assert found.owner_dossier_code == ""  # a stranger holding the code: no file, no dossier
    assert verify_result_code(result.verification_code, user=user("congdan1")).owner_dossier_code == d.code
    assert verify_result_code(result.verification_code, user=user("congdan2")).owner_dossier_code == ""
    with pytest.raises(NotFound):
        verify_result_code("ABCD-EFGH-JKMN")
    with pytest.raises(NotFound):
        verify_result_code("")


def test_r30_result_changed_in_the_store_is_reported(seals):
    d = _at_decision()
    seals(d.deciding_unit)
    result = _result()
    _issue(d, result)
    result.refresh_from_db()
    tampered = bytearray(_bytes(result))
    tampered[tampered.index(b"stream") + 20] ^= 0x01
    with open(result.file.path, "wb") as handle:  # someone with access to the disk
        handle.write(bytes(tampered))
    found = verify_result_code(result.verification_code)
    assert not found.valid and not found.stored_intact and not found.verification.valid


def test_r30_forged_certificate_is_untrusted():
    """A seal made with a self-signed "organisation" certificate (not from the trust roots)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    forged = self_signed_organisation("000.00.05.H19", "Sở Tư pháp")
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(forged.cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            forged.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=None,
    )
    content = pades_sign(plain_pdf("Kết quả giả mạo"), signer, reason="Giả mạo", location="")
    report = sealing.check_upload("gia-mao.pdf", content)
    assert report.status == SignatureStatus.UNTRUSTED and not report.valid
    assert report.signatures[0].organisation == "Sở Tư pháp"
    assert report.signatures[0].intact  # intact, but nobody we trust vouches for who signed it


def test_r30_seal_keeps_the_leaders_signature_valid(seals):
    d = _at_decision()
    seals(d.deciding_unit)
    signed = doc(DocumentKind.RESULT, signed=True, by="lanhdao.ubndtinh")  # the chairman's signature
    leader = signed.signature_signer
    _issue(d, signed)
    signed.refresh_from_db()
    assert signed.origin == DocumentOrigin.ISSUED and signed.signature_status == SignatureStatus.VALID
    report = sealing.check_upload("ket-qua.pdf", _bytes(signed))
    first, seal = report.signatures
    assert first.valid and first.intact and first.signer == leader and not first.covers_whole_file
    assert seal.valid and seal.covers_whole_file and seal.organisation == d.deciding_unit.name
    assert report.valid and report.intact


def test_r30_seal_failure_refuses_the_whole_action(seals, settings, tmp_path):
    d = _at_decision()
    directory = seals(d.deciding_unit)
    # A key file that cannot be opened (wrong passphrase configured).
    settings.MOTCUA_INTEGRATIONS = {
        **settings.MOTCUA_INTEGRATIONS,
        "signing": {"adapter": "local", "base_url": str(directory), "passphrase": "sai-mat-khau"},
    }
    result = _result()
    before = (result.sha256, result.file.name, len(events(d)))
    with pytest.raises(RuleViolation) as exc:
        _issue(d, result)
    assert exc.value.rule == "R-30" and exc.value.code == "seal_failed"
    assert "Không ký số được kết quả điện tử" in exc.value.message
    assert "chưa được thực hiện" in exc.value.message
    result.refresh_from_db()
    assert fresh(d).state == State.PROCESSING and len(events(d)) == before[2]
    assert (result.sha256, result.file.name) == before[:2] and result.origin == DocumentOrigin.UPLOADED
    assert result.verification_code is None and not result.dossier_links.exists()


def test_r14_online_unsigned_result_refused_where_the_unit_has_no_seal():
    d = _at_decision()
    with pytest.raises(RuleViolation) as exc:
        _issue(d, _result())
    assert exc.value.rule == "R-14" and exc.value.code == "result_signature_required"


def test_r30_paper_result_is_sealed_too(seals):
    d = _at_decision(delivery="counter")
    seals(d.deciding_unit)
    result = _result()
    _issue(d, result)
    result.refresh_from_db()
    assert result.origin == DocumentOrigin.ISSUED and result.signature_status == SignatureStatus.VALID


def test_verification_upload_checks_the_file_and_stores_nothing():
    from motcua.core.errors import InvalidInput

    count = Document.objects.count()
    with pytest.raises(InvalidInput):
        sealing.check_upload("ket-qua.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(InvalidInput):
        sealing.check_upload("ket-qua.exe", b"%PDF-1.4")
    with pytest.raises(InvalidInput):
        sealing.check_upload("../ket-qua.pdf", b"%PDF-1.4")
    assert sealing.check_upload("ket-qua.pdf", plain_pdf("Chưa ký")).status == SignatureStatus.UNSIGNED
    assert Document.objects.count() == count


# --- the remote-signing backend (ký số từ xa) over loopback HTTP ---------------------------------


class RemoteSigningSimulator(SimulatorProcess):
    """`manage.py remote_signing_sim` in its own process on a loopback port."""

    command = "remote_signing_sim"
    ready_path = "/healthz"
    name = "Dịch vụ ký số từ xa giả lập"

    def __init__(self, keys_dir) -> None:
        super().__init__(args=["--keys-dir", str(keys_dir), "--token", TOKEN])

    @property
    def base_url(self) -> str:
        return f"{self.url}/csc/v1"

    def signatures(self) -> int:
        return self._get("/_state")["signatures"]

    def refuse(self, refuse: bool = True) -> None:
        self._post("/_control", {"refuse": refuse})


@pytest.fixture(scope="module")
def remote_process(test_ca):
    """The stand-in remote-signing service holding the TEST CA keys of the units (keys are read per
    request, so a unit given a key later is served too)."""
    keys = give_seal(test_ca, "000.00.00.H19", "Ủy ban nhân dân tỉnh Đồng Nai")
    with RemoteSigningSimulator(keys) as service:
        yield service


@pytest.fixture
def remote_service(remote_process):
    remote_process.refuse(False)
    yield remote_process
    registry.reset()


def _use_remote(settings, service, token=TOKEN):
    settings.MOTCUA_INTEGRATIONS = {
        **settings.MOTCUA_INTEGRATIONS,
        "signing": {"adapter": "remote", "base_url": service.base_url, "client_secret": token},
    }
    registry.reset()


def test_r30_remote_signing_service_seals_over_http(remote_service, settings, test_ca):
    d = _at_decision()
    unit = d.deciding_unit
    give_seal(test_ca, unit.code, unit.name)
    _use_remote(settings, remote_service)
    before = remote_service.signatures()
    result = _result()
    _issue(d, result)
    result.refresh_from_db()
    assert remote_service.signatures() == before + 1  # the digest went to the service, not the PDF
    assert result.origin == DocumentOrigin.ISSUED and result.signature_status == SignatureStatus.VALID
    (seal,) = sealing.check_upload("ket-qua.pdf", _bytes(result)).signatures
    assert seal.valid and seal.organisation == unit.name


def test_r30_remote_service_down_refuses_the_issue(remote_service, settings, test_ca):
    d = _at_decision()
    give_seal(test_ca, d.deciding_unit.code, d.deciding_unit.name)
    _use_remote(settings, remote_service)
    remote_service.refuse()
    result = _result()
    with pytest.raises(RuleViolation) as exc:
        _issue(d, result)
    assert exc.value.code == "seal_failed" and "503" in exc.value.message
    assert fresh(d).state == State.PROCESSING


def test_remote_service_refuses_a_wrong_token(remote_service, settings):
    _use_remote(settings, remote_service, token="sai")
    with pytest.raises(SigningError) as exc:
        registry.get("signing").sign_pdf(plain_pdf("x"), unit_code="000.00.00.H19", reason="r", location="l")
    assert "từ chối (401)" in str(exc.value)


def test_make_test_ca_is_idempotent_and_names_the_unit(tmp_path):
    import io
    import unicodedata

    from cryptography.x509.oid import NameOID
    from django.core.management import call_command

    from motcua.integrations.signing.testca import read_unit_certificate
    from motcua.org.models import Unit

    def run(*units: str) -> str:
        out = io.StringIO()
        call_command("make_test_ca", "--dir", str(tmp_path), *[f"--unit={u}" for u in units], stdout=out)
        return out.getvalue()

    first = run("000.00.05.H19", "000.00.61.H19")
    assert "Đã tạo CA THỬ NGHIỆM" in first and "2 mới, 0 đã có" in first
    ca_pem = (tmp_path / "test-ca.pem").read_bytes()
    p12 = (tmp_path / "000.00.05.H19.p12").read_bytes()
    again = run("000.00.05.H19", "000.00.61.H19")
    assert "Đã có CA THỬ NGHIỆM" in again and "0 mới, 2 đã có" in again
    assert (tmp_path / "test-ca.pem").read_bytes() == ca_pem and (
        tmp_path / "000.00.05.H19.p12"
    ).read_bytes() == p12
    cert, _, chain = read_unit_certificate(tmp_path, "000.00.61.H19")
    (organisation,) = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    assert organisation.value == unicodedata.normalize("NFC", "Ủy ban nhân dân phường Trấn Biên")
    assert chain and chain[0].subject == cert.issuer
    Unit.objects.filter(code="000.00.61.H19").update(name="Ủy ban nhân dân phường Trấn Biên Mới")
    assert "1 mới, 1 đã có" in run("000.00.05.H19", "000.00.61.H19")  # a renamed unit: a new seal
    assert (tmp_path / "000.00.05.H19.p12").read_bytes() == p12
