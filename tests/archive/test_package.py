"""The archive package (TT 13/2023/TT-BNV; R-30): re-verified offline from the package alone, every
tampering named, signed PDFs byte for byte, the event log and NĐ 30/2020 metadata as recorded."""

import ast
import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile

from motcua.archive import services
from motcua.archive.models import ArchiveRecord
from motcua.archive.services import ArchiveIntegrityError, archive_dossier, export_package
from motcua.core.errors import RuleViolation
from motcua.documents.models import DocumentKind, SignatureStatus
from motcua.documents.signatures import verify_pdf
from motcua.dossiers.models import Dossier
from tests.archive.kit import returned_notary, run_verifier, unpack
from tests.dossiers.kit import at, notary_processing


@pytest.fixture
def archived():
    d = returned_notary()
    record = archive_dossier(d)
    return d, record


def _result(d: Dossier):
    return d.attachments.get(document__kind=DocumentKind.RESULT).document


def _path_of(folder, name_part: str):
    (path,) = [p for p in (folder / "tai-lieu").iterdir() if name_part in p.name]
    return path


def test_r30_package_reverifies_from_the_package_alone(archived, tmp_path):
    d, record = archived
    folder = unpack(export_package(d), tmp_path)
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"README.txt", "metadata.json", "events.json", "verify_package.py", "manifest.json"} <= names
    assert "manifest.sha256" in names and len([n for n in names if n.startswith("tai-lieu/")]) == 2

    run = run_verifier(folder)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "GÓI NGUYÊN VẸN" in run.stdout and record.manifest_sha256 in run.stdout
    # The digest file is sha256sum's format, and is the digest the system recorded.
    assert (folder / "manifest.sha256").read_text() == f"{record.manifest_sha256}  manifest.json\n"
    assert hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest() == record.manifest_sha256


def test_r30_verifier_checks_the_zip_without_extracting(archived, tmp_path):
    d, _ = archived
    package = tmp_path / "goi.zip"
    package.write_bytes(export_package(d))
    folder = unpack(package.read_bytes(), tmp_path / "x")
    assert run_verifier(folder, str(package)).returncode == 0


def test_r30_changed_byte_in_one_file_is_named(archived, tmp_path):
    d, _ = archived
    folder = unpack(export_package(d), tmp_path)
    pdf = _path_of(folder, "quyet-dinh")
    content = bytearray(pdf.read_bytes())
    content[len(content) // 2] ^= 0x01
    pdf.write_bytes(bytes(content))

    run = run_verifier(folder)

    assert run.returncode == 1
    assert f"tai-lieu/{pdf.name}: mã SHA-256 không khớp" in run.stdout
    assert "GÓI KHÔNG NGUYÊN VẸN (1 sai lệch)" in run.stdout


def test_r30_extra_file_is_named(archived, tmp_path):
    d, _ = archived
    folder = unpack(export_package(d), tmp_path)
    (folder / "tai-lieu" / "them-vao.pdf").write_bytes(b"%PDF-1.4 injected")

    run = run_verifier(folder)

    assert run.returncode == 1
    assert "tai-lieu/them-vao.pdf: tệp thừa, không có trong manifest" in run.stdout


def test_r30_missing_file_is_named(archived, tmp_path):
    d, _ = archived
    folder = unpack(export_package(d), tmp_path)
    (folder / "events.json").unlink()

    run = run_verifier(folder)

    assert run.returncode == 1
    assert "events.json: thiếu tệp" in run.stdout


def test_r30_edited_manifest_is_detected(archived, tmp_path):
    """Whoever edits a checksum in the manifest to hide a changed file is caught by manifest.sha256."""
    d, _ = archived
    folder = unpack(export_package(d), tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][0]["size"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest))

    run = run_verifier(folder)

    assert run.returncode == 1
    assert "manifest.json: mã SHA-256" in run.stdout and "không khớp với manifest.sha256" in run.stdout


def test_r30_broken_event_links_are_detected(archived, tmp_path):
    d, _ = archived
    folder = unpack(export_package(d), tmp_path)
    log = json.loads((folder / "events.json").read_text())
    del log["su_kien"][2]  # an event taken out of the trail, manifest re-made to match
    content = json.dumps(log, ensure_ascii=False).encode()
    (folder / "events.json").write_bytes(content)
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == "events.json":
            entry.update(size=len(content), sha256=hashlib.sha256(content).hexdigest())
    raw = json.dumps(manifest).encode()
    (folder / "manifest.json").write_bytes(raw)
    (folder / "manifest.sha256").write_text(f"{hashlib.sha256(raw).hexdigest()}  manifest.json\n")

    run = run_verifier(folder)

    assert run.returncode == 1
    assert "events.json: sự kiện số 4 (cần số 3)" in run.stdout


def test_r30_signed_pdf_in_the_package_is_byte_identical_and_still_verifies(archived, tmp_path):
    d, _ = archived
    result = _result(d)
    with result.file.open("rb") as handle:
        stored = handle.read()
    folder = unpack(export_package(d), tmp_path)
    packaged = _path_of(folder, "quyet-dinh").read_bytes()

    assert packaged == stored
    assert hashlib.sha256(packaged).hexdigest() == result.sha256
    assert verify_pdf(packaged).status == SignatureStatus.VALID


def test_r30_events_json_holds_the_chain_as_stored(archived, tmp_path):
    d, _ = archived
    folder = unpack(export_package(d), tmp_path)
    log = json.loads((folder / "events.json").read_text())
    stored = list(d.events.order_by("seq").values_list("seq", "prev_hash", "hash", "key_id"))

    assert [(e["seq"], e["prev_hash"], e["hash"], e["key_id"]) for e in log["su_kien"]] == stored
    assert log["last_event_hash"] == Dossier.objects.get(pk=d.pk).last_event_hash
    assert log["su_kien"][-1]["action"] == "return_result"


def test_r30_metadata_follows_nd30_with_utc_and_local_times(archived, tmp_path):
    d, _ = archived
    folder = unpack(export_package(d), tmp_path)
    meta = json.loads((folder / "metadata.json").read_text())
    file = meta["ho_so"]

    assert file["ma_ho_so"] == d.code and d.procedure.name in file["tieu_de"]
    assert file["thoi_han_bao_quan"] == "10 năm" and file["che_do_su_dung"] == "Hạn chế sử dụng"
    assert file["so_luong_van_ban"] == 2 and file["ngon_ngu"] == "Tiếng Việt"
    assert file["thoi_gian_bat_dau"] == {
        "utc": "2026-03-02T01:00:00+00:00",
        "local": "2026-03-02T08:00:00+07:00",
    }
    assert file["thoi_gian_ket_thuc"]["local"] == "2026-03-06T09:00:00+07:00"
    assert meta["thu_tuc"]["ma"] == d.procedure.code
    assert meta["ho_so_tthc"]["loai_nguoi_nop"]["ma"] == "citizen"
    assert meta["ho_so_tthc"]["trang_thai"]["ma_trang_thai_dvcqg"] == 10
    assert meta["luu_tru"]["bao_quan_den_het_ngay"] == "2036-12-31"
    signed = [t for t in meta["tai_lieu"] if t["loai"]["ma"] == DocumentKind.RESULT]
    assert signed[0]["chu_ky_so"]["trang_thai"] == "Chữ ký số hợp lệ"
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert "python3 verify_package.py" in readme and d.code in readme


def test_r30_export_is_the_same_bytes_every_time(archived):
    d, _ = archived
    assert export_package(d) == export_package(d)


def test_r30_export_refused_when_a_stored_file_changed(archived):
    d, _ = archived
    result = _result(d)
    storage, name = result.file.storage, result.file.name
    storage.delete(name)
    storage.save(name, ContentFile(b"%PDF-1.4 not the signed result"))

    with pytest.raises(ArchiveIntegrityError) as exc:
        export_package(d)
    assert "quyet-dinh.pdf" in exc.value.message


def test_r30_only_finished_dossiers_are_archived():
    d = notary_processing(at("2026-03-02 08:00"))
    with pytest.raises(RuleViolation) as exc:
        archive_dossier(d)
    assert exc.value.code == "archive_not_finished" and exc.value.rule == "R-30"
    assert not ArchiveRecord.objects.filter(dossier=d).exists()


def test_verifier_is_standard_library_python_38():
    source = services.VERIFIER.read_text(encoding="utf-8")
    tree = ast.parse(source, feature_version=(3, 8))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])
    }
    assert imported <= {"hashlib", "json", "os", "sys", "unicodedata", "zipfile"}


def test_package_zip_names_are_under_one_folder(archived):
    d, _ = archived
    with zipfile.ZipFile(io.BytesIO(export_package(d))) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    assert tops == {services.package_name(ArchiveRecord.objects.get(dossier=d))}


def test_r30_a_dossier_is_archived_once_its_finishing_change_commits(django_capture_on_commit_callbacks):
    """TT 13/2023: the dossier's file is built as it ends — after the commit that returned the
    result (never from a change that may still roll back), once however often it is saved."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        d = returned_notary()
    assert callbacks  # the archiving waited for the commit
    record = ArchiveRecord.objects.get(dossier=d)
    with django_capture_on_commit_callbacks(execute=True):
        Dossier.objects.get(pk=d.pk).save()
    assert ArchiveRecord.objects.get(dossier=d).pk == record.pk
