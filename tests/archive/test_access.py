"""Running the archive (command, task; idempotent), and getting a package out: the back office's
download for officers who may see the dossier, and `manage.py export_archive`."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from motcua.archive.models import ArchiveRecord
from motcua.archive.services import archive_dossier, export_package, pending_dossiers
from motcua.archive.tasks import archive_finished
from tests.archive.kit import returned_notary, run_verifier, unpack
from tests.dossiers.kit import at, notary_processing, user

# --- archiving runs ---------------------------------------------------------------------------------


def test_r30_archive_dossiers_is_idempotent():
    finished = [returned_notary(), returned_notary()]
    open_one = notary_processing(at("2026-03-02 08:00"))
    out = io.StringIO()

    call_command("archive_dossiers", stdout=out)
    first = {r.dossier_id: (r.pk, r.manifest_sha256) for r in ArchiveRecord.objects.all()}
    call_command("archive_dossiers", stdout=out)
    second = {r.dossier_id: (r.pk, r.manifest_sha256) for r in ArchiveRecord.objects.all()}

    assert set(first) == {d.pk for d in finished} and first == second
    assert not ArchiveRecord.objects.filter(dossier=open_one).exists()
    assert out.getvalue().splitlines() == ["Đã lưu trữ 2 hồ sơ.", "Đã lưu trữ 0 hồ sơ."]
    assert archive_dossier(finished[0]).pk == first[finished[0].pk][0]


def test_r30_archive_task_archives_what_is_pending():
    d = returned_notary()
    assert archive_finished.call() == {"archived": 1, "failed": 0}
    assert ArchiveRecord.objects.filter(dossier=d).exists() and not pending_dossiers().exists()


def test_r30_a_dossier_that_cannot_be_archived_is_reported_and_the_others_go_on():
    broken, good = returned_notary(), returned_notary()
    result = broken.attachments.first().document
    result.file.storage.delete(result.file.name)
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("archive_dossiers", stdout=io.StringIO(), stderr=err)

    assert ArchiveRecord.objects.filter(dossier=good).exists()
    assert not ArchiveRecord.objects.filter(dossier=broken).exists()
    assert broken.code in err.getvalue() and result.name in err.getvalue()


# --- the back office -----------------------------------------------------------------------------------


def test_r30_officer_of_the_unit_downloads_the_package(client, tmp_path):
    d = returned_notary()
    archive_dossier(d)
    client.force_login(user("chuyenvien.sotuphap"))

    page = client.get(reverse("backoffice:dossier", args=[d.code]))
    response = client.get(reverse("backoffice:archive-package", args=[d.code]))

    assert 'id="tai-goi-luu-tru"' in page.content.decode()
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert f"ho-so-luu-tru-{d.code}.zip" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content == export_package(d)
    assert run_verifier(unpack(content, tmp_path)).returncode == 0


def test_r30_package_with_a_changed_stored_file_is_not_delivered(client):
    d = returned_notary()
    archive_dossier(d)
    result = d.attachments.get(document__kind="result").document
    result.file.storage.delete(result.file.name)
    result.file.storage.save(result.file.name, ContentFile(b"%PDF-1.4 replaced"))
    client.force_login(user("chuyenvien.sotuphap"))

    response = client.get(reverse("backoffice:archive-package", args=[d.code]))

    assert response.status_code == 409 and response["Content-Type"].startswith("text/html")
    assert "quyet-dinh.pdf" in response.content.decode()


def test_r30_no_package_link_before_archiving(client):
    d = returned_notary()
    client.force_login(user("chuyenvien.sotuphap"))
    page = client.get(reverse("backoffice:dossier", args=[d.code]))
    assert page.status_code == 200 and "tai-goi-luu-tru" not in page.content.decode()
    assert client.get(reverse("backoffice:archive-package", args=[d.code])).status_code == 404


def test_r26_officer_of_another_unit_is_refused_the_package_like_a_document(client):
    d = returned_notary()
    archive_dossier(d)
    document = d.attachments.first().document
    client.force_login(user("chuyenvien.sonoivu"))

    package = client.get(reverse("backoffice:archive-package", args=[d.code]))
    file = client.get(reverse("backoffice:document", args=[d.code, document.pk]))
    unknown = client.get(reverse("backoffice:archive-package", args=["000.00.05.H19-260302-9999"]))

    assert package.status_code == file.status_code == unknown.status_code == 404
    # The same answer as for a dossier that does not exist: nothing tells that it does.
    assert "Không tìm thấy hồ sơ lưu trữ" in package.content.decode()
    assert "Không tìm thấy hồ sơ lưu trữ" in unknown.content.decode()


def test_r26_citizen_gets_no_back_office_package(client):
    d = returned_notary()
    archive_dossier(d)
    client.force_login(user("congdan1"))
    assert client.get(reverse("backoffice:archive-package", args=[d.code])).status_code == 403


# --- the command ------------------------------------------------------------------------------------


def test_r30_export_archive_command_writes_a_verifiable_package(tmp_path):
    d = returned_notary()
    out_file = tmp_path / "goi.zip"
    out = io.StringIO()

    call_command("export_archive", d.code, out=str(out_file), stdout=out)

    record = ArchiveRecord.objects.get(dossier=d)  # archived on the way
    assert out_file.read_bytes() == export_package(d)
    assert record.manifest_sha256 in out.getvalue()
    with zipfile.ZipFile(out_file) as archive:
        assert len(archive.namelist()) == record.file_count + 2
    assert run_verifier(unpack(out_file.read_bytes(), tmp_path)).returncode == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".archive-")] == []


def test_export_archive_command_unknown_code_and_unfinished_dossier(tmp_path):
    with pytest.raises(CommandError, match="Không có hồ sơ mã KHONG-CO"):
        call_command("export_archive", "KHONG-CO", out=str(tmp_path / "a.zip"))
    d = notary_processing(at("2026-03-02 08:00"))
    with pytest.raises(CommandError, match="chỉ lưu trữ hồ sơ đã kết thúc"):
        call_command("export_archive", d.code, out=str(tmp_path / "b.zip"))
    assert not (tmp_path / "b.zip").exists()
