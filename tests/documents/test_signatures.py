"""Signatures are verified with pyHanko against the configured trust roots, never claimed."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from motcua.demo.signing import DEMO_SIGNER_NAME, make_ca
from motcua.documents.models import SignatureStatus
from motcua.documents.services import store_document
from tests.documents.pki import expired_signed_pdf, plain_pdf, signed_pdf, stranger_signed_pdf, tampered_pdf


def _store(content: bytes, name: str = "van-ban.pdf", kind: str = "withdrawal_approval"):
    return store_document(name=name, content=content, kind=kind)


def test_pdf_signed_by_the_demo_ca_is_recorded_valid_with_signer_and_time():
    before = timezone.now()
    document = _store(signed_pdf("Văn bản đồng ý rút hồ sơ"))
    document.refresh_from_db()
    assert document.signature_status == SignatureStatus.VALID and document.signed
    assert document.signature_signer == DEMO_SIGNER_NAME
    assert abs(document.signature_signed_at - before) < datetime.timedelta(minutes=1)
    assert document.signature_checked_at >= before


def test_signer_name_comes_from_the_certificate_subject():
    document = _store(signed_pdf("Quyết định", "Trần Thị Thử Nghiệm"))
    assert document.signature_status == SignatureStatus.VALID
    assert document.signature_signer == "Trần Thị Thử Nghiệm"


def test_pdf_signed_by_an_unconfigured_ca_is_untrusted_not_signed():
    document = _store(stranger_signed_pdf())
    assert document.signature_status == SignatureStatus.UNTRUSTED and not document.signed
    assert document.signature_signer == "NGƯỜI KÝ LẠ"


def test_expired_signer_certificate_is_not_valid():
    document = _store(expired_signed_pdf())
    assert document.signature_status == SignatureStatus.UNTRUSTED and not document.signed


def test_pdf_changed_after_signing_is_invalid():
    document = _store(tampered_pdf())
    assert document.signature_status == SignatureStatus.INVALID and not document.signed
    assert document.signature_note


def test_corrupt_pdf_with_a_signature_marker_is_recorded_invalid_not_an_error():
    content = b"%PDF-1.7\n1 0 obj << /Type /Sig /ByteRange [0 10 20 30] /Contents <00> >>\n%%EOF\n"
    document = _store(content)
    assert document.signature_status == SignatureStatus.INVALID and not document.signed


def test_unsigned_pdf_and_images_are_unsigned():
    assert _store(plain_pdf("Tờ khai")).signature_status == SignatureStatus.UNSIGNED
    png = _store(b"\x89PNG\r\n\x1a\n" + b"0" * 20, name="anh.png", kind="submitted")
    assert png.signature_status == SignatureStatus.UNSIGNED and png.signature_checked_at is None


def test_trust_roots_come_from_the_setting(tmp_path):
    other_root = tmp_path / "root.pem"
    from cryptography.hazmat.primitives import serialization

    other_root.write_bytes(make_ca("CA KHÁC").cert.public_bytes(serialization.Encoding.PEM))
    with override_settings(MOTCUA_SIGNATURE_TRUST_ROOTS=[str(other_root)]):
        document = _store(signed_pdf("Văn bản"))
    assert document.signature_status == SignatureStatus.UNTRUSTED


def test_unreadable_trust_root_makes_signatures_untrusted_and_is_a_system_check_error(tmp_path):
    from motcua.documents.checks import signature_trust_roots

    missing = str(tmp_path / "khong-co.pem")
    with override_settings(MOTCUA_SIGNATURE_TRUST_ROOTS=[missing]):
        document = _store(signed_pdf("Văn bản"))
        errors = signature_trust_roots()
    assert document.signature_status == SignatureStatus.UNTRUSTED
    assert [e.id for e in errors] == ["documents.E001"]


@pytest.mark.parametrize("claimed", [True])
def test_store_document_has_no_signed_claim(claimed):
    with pytest.raises(TypeError):
        store_document(name="a.pdf", content=plain_pdf("x"), kind="result", signed=claimed)


def test_sign_demo_pdf_command_signs_as_the_account(tmp_path):
    from django.core.management import call_command

    from motcua.documents.signatures import verify_pdf
    from tests.dossiers.kit import user

    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(plain_pdf("Văn bản thử"))
    call_command("sign_demo_pdf", str(source), str(target), "--as", "lanhdao.sotuphap")
    check = verify_pdf(target.read_bytes())
    leader = user("lanhdao.sotuphap")
    assert check.status == SignatureStatus.VALID
    assert check.signer == (leader.get_full_name() or leader.username)


def test_recheck_signatures_verifies_stored_pdfs_again(tmp_path):
    from django.core.management import call_command

    document = _store(signed_pdf("Văn bản"))
    other_root = tmp_path / "root.pem"
    from cryptography.hazmat.primitives import serialization

    other_root.write_bytes(make_ca("CA KHÁC").cert.public_bytes(serialization.Encoding.PEM))
    with override_settings(MOTCUA_SIGNATURE_TRUST_ROOTS=[str(other_root)]):
        call_command("recheck_signatures")
    document.refresh_from_db()
    assert document.signature_status == SignatureStatus.UNTRUSTED


def test_without_trust_roots_nothing_verifies_valid_not_even_with_the_system_store():
    with override_settings(MOTCUA_SIGNATURE_TRUST_ROOTS=[]):
        document = _store(signed_pdf("Văn bản"))
    assert document.signature_status == SignatureStatus.UNTRUSTED
