"""The citizens' portal: the catalogue searched as people type (without diacritics), a procedure's
page, online submission with uploads and papers taken again from the applicant's store (R-26, R-28,
R-30), and the applicant's own dossiers — nobody else's."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.documents.models import Document
from motcua.documents.services import MAX_SIZE
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.org.identity import BACKEND, SESSION_KEY, VNEID
from tests.dossiers.kit import NOTARY, user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% MotCua portal test\n"
INTERNAL = "1.019914"  # internal procedure: never on the public portal


@pytest.fixture(autouse=True)
def _fresh_counters(demo):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def citizen(client):
    client.force_login(user("congdan1"))
    return client


def components() -> list[int]:
    from motcua.catalog.models import Procedure

    case = Procedure.objects.get(code=NOTARY).cases.get()
    return [d.pk for d in case.documents.order_by("order", "pk")]


def pdf(name: str, body: bytes | None = None) -> SimpleUploadedFile:
    # Each paper its own content: the store offers one paper per content (applicant_store).
    body = PDF + name.encode() if body is None else body
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def form(**files) -> dict:
    return {"trich_yeu": "Thành lập Văn phòng công chứng Mẫu", "dien_thoai": "0900000001", **files}


def all_files(names=("don.pdf", "de-an.pdf", "quyet-dinh.pdf")) -> dict:
    return {f"tep_{pk}": pdf(name) for pk, name in zip(components(), names, strict=True)}


def footprint() -> tuple[int, int]:
    return Dossier.objects.count(), Document.objects.count()


# --- finding a procedure ------------------------------------------------------------------------


def test_r28_search_typed_without_diacritics_finds_the_procedure(client):
    page = client.get("/thu-tuc/", {"q": "thanh lap van phong cong chung"}).content.decode()
    assert NOTARY in page and "Thành lập Văn phòng công chứng" in page
    other = client.get("/thu-tuc/", {"q": "giay phep xay dung khong co"}).content.decode()
    assert NOTARY not in other


def test_r21_internal_procedures_are_not_published_on_the_portal(client):
    assert f"/thu-tuc/{INTERNAL}/" not in client.get("/thu-tuc/", {"q": INTERNAL}).content.decode()
    assert f"/thu-tuc/{NOTARY}/" in client.get("/thu-tuc/", {"q": NOTARY}).content.decode()
    page = client.get(f"/thu-tuc/{INTERNAL}/")
    assert page.status_code == 404 and "không công khai" in page.content.decode()


def test_r28_procedure_page_lists_the_components_and_offers_online_submission(client):
    page = client.get(f"/thu-tuc/{NOTARY}/").content.decode()
    assert "Đề án thành lập Văn phòng công chứng" in page
    assert f"/thu-tuc/{NOTARY}/nop-ho-so/" in page


def test_r26_submission_asks_to_sign_in_first(client):
    page = client.get(f"/thu-tuc/{NOTARY}/nop-ho-so/")
    assert page.status_code == 302 and page["Location"].startswith("/dang-nhap/?next=")


def test_r28_submission_closed_by_the_province_says_where_to_submit(citizen, settings):
    settings.MOTCUA_PORTAL_SUBMISSION = False
    page = citizen.get(f"/thu-tuc/{NOTARY}/nop-ho-so/")
    assert page.status_code == 404 and "R-28" in page.content.decode()


# --- submitting -----------------------------------------------------------------------------------


def test_r28_online_submission_stores_each_component_and_opens_the_dossier(citizen):
    response = citizen.post(f"/thu-tuc/{NOTARY}/nop-ho-so/", form(**all_files()))
    assert response.status_code == 302
    dossier = Dossier.objects.get(applicant__user__username="congdan1")
    assert response["Location"] == f"/ho-so-cua-toi/{dossier.code}/"
    assert dossier.channel == "online" and dossier.state == "submitted"
    assert not dossier.vneid_verified  # a password session is not a VNeID sign-in (indicator 4.6)
    linked = DossierDocument.objects.filter(dossier=dossier).values_list("required_document_id", flat=True)
    assert sorted(linked) == sorted(components())
    page = citizen.get(response["Location"]).content.decode()
    assert dossier.code in page and "de-an.pdf" in page


def test_r28_a_vneid_session_marks_the_dossier_verified(client):
    client.force_login(user("congdan1"), backend=BACKEND)
    session = client.session
    session[SESSION_KEY] = VNEID
    session.save()
    client.post(f"/thu-tuc/{NOTARY}/nop-ho-so/", form(**all_files()))
    assert Dossier.objects.get(applicant__user__username="congdan1").vneid_verified


def test_r17_a_missing_mandatory_component_is_refused_and_nothing_is_kept(citizen):
    before = footprint()
    first = components()[0]
    response = citizen.post(f"/thu-tuc/{NOTARY}/nop-ho-so/", form(**{f"tep_{first}": pdf("don.pdf")}))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Còn thiếu thành phần hồ sơ bắt buộc" in text and "Đề án thành lập" in text
    assert footprint() == before


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("chuong-trinh.exe", b"MZ\x90\x00", "Chỉ nhận tệp PDF"),
        ("doi-ten.pdf", b"MZ\x90\x00 not a pdf", "Nội dung tệp không khớp"),
        ("rong.pdf", b"", "Tệp rỗng"),
    ],
)
def test_r28_a_bad_upload_is_refused_in_vietnamese_and_nothing_is_kept(citizen, name, body, message):
    before = footprint()
    files = all_files()
    files[f"tep_{components()[1]}"] = SimpleUploadedFile(name, body)
    response = citizen.post(f"/thu-tuc/{NOTARY}/nop-ho-so/", form(**files))
    assert response.status_code == 400 and message in response.content.decode()
    assert footprint() == before


def test_r28_an_oversized_upload_is_refused_before_it_is_read(citizen):
    before = footprint()
    files = all_files()
    files[f"tep_{components()[2]}"] = pdf("qua-lon.pdf", PDF + b"0" * MAX_SIZE)
    response = citizen.post(f"/thu-tuc/{NOTARY}/nop-ho-so/", form(**files))
    assert response.status_code == 400 and "lớn hơn 20 MB" in response.content.decode()
    assert footprint() == before


def test_r28_a_path_in_the_file_name_is_dropped_and_the_file_stays_in_the_store(citizen, settings):
    files = all_files()
    files[f"tep_{components()[0]}"] = pdf("../../../etc/don.pdf")
    assert citizen.post(f"/thu-tuc/{NOTARY}/nop-ho-so/", form(**files)).status_code == 302
    stored = Document.objects.get(name="don.pdf")
    root = Path(settings.MEDIA_ROOT).resolve()
    assert Path(stored.file.path).resolve().is_relative_to(root)


# --- taking papers again from the store (R-30) --------------------------------------------------


def test_r30_a_paper_given_before_is_taken_again_without_uploading(citizen):
    citizen.post(f"/thu-tuc/{NOTARY}/nop-ho-so/", form(**all_files()))
    first = Dossier.objects.get(applicant__user__username="congdan1")
    plan = DossierDocument.objects.get(dossier=first, required_document_id=components()[1]).document
    page = citizen.get(f"/thu-tuc/{NOTARY}/nop-ho-so/").content.decode()
    assert str(plan.pk) in page  # offered in the component's "dùng lại" list

    files = all_files()
    del files[f"tep_{components()[1]}"]
    response = citizen.post(
        f"/thu-tuc/{NOTARY}/nop-ho-so/", form(**files, **{f"dung_lai_{components()[1]}": str(plan.pk)})
    )
    assert response.status_code == 302
    second = Dossier.objects.exclude(pk=first.pk).get(applicant__user__username="congdan1")
    copy = DossierDocument.objects.get(dossier=second, required_document_id=components()[1]).document
    assert copy.pk != plan.pk and copy.reused_from_id == plan.pk and copy.sha256 == plan.sha256


def test_r30_someone_elses_paper_cannot_be_taken_and_nothing_is_kept(client):
    client.force_login(user("congdan2"))
    client.post(f"/thu-tuc/{NOTARY}/nop-ho-so/", form(**all_files()))
    theirs = Document.objects.filter(uploaded_by__username="congdan2").first()
    client.force_login(user("congdan1"))
    before = footprint()
    files = all_files()
    del files[f"tep_{components()[0]}"]
    response = client.post(
        f"/thu-tuc/{NOTARY}/nop-ho-so/", form(**files, **{f"dung_lai_{components()[0]}": str(theirs.pk)})
    )
    assert response.status_code == 403 and "không có trong kho giấy tờ của bạn" in response.content.decode()
    assert footprint() == before


# --- my dossiers (R-26) ---------------------------------------------------------------------------


def test_r26_another_citizens_dossier_answers_as_an_unknown_code(client):
    client.force_login(user("congdan2"))
    client.post(f"/thu-tuc/{NOTARY}/nop-ho-so/", form(**all_files()))
    theirs = Dossier.objects.get(applicant__user__username="congdan2")
    paper = DossierDocument.objects.filter(dossier=theirs).first().document
    assert client.get(f"/ho-so-cua-toi/{theirs.code}/").status_code == 200

    client.force_login(user("congdan1"))
    other = client.get(f"/ho-so-cua-toi/{theirs.code}/")
    unknown = client.get("/ho-so-cua-toi/000.00.05.H19-260101-9999/")
    assert other.status_code == unknown.status_code == 404
    assert theirs.code not in other.content.decode()
    assert client.get(f"/ho-so-cua-toi/{theirs.code}/giay-to/{paper.pk}/").status_code == 404
    assert theirs.code not in client.get("/ho-so-cua-toi/").content.decode()


# --- the applicant's store (NĐ 45/2020 Điều 16, R-30) ---------------------------------------------


def test_r30_the_store_lists_the_papers_given_and_only_to_their_owner(citizen, client):
    citizen.post(f"/thu-tuc/{NOTARY}/nop-ho-so/", form(**all_files()))
    dossier = Dossier.objects.get(applicant__user__username="congdan1")

    page = citizen.get("/kho-du-lieu-cua-toi/").content.decode()

    for name in ("don.pdf", "de-an.pdf", "quyet-dinh.pdf"):
        assert name in page
    assert f"/ho-so-cua-toi/{dossier.code}/" in page and "Chưa có kết quả điện tử nào." in page
    client.force_login(user("congdan2"))
    other = client.get("/kho-du-lieu-cua-toi/").content.decode()
    assert "don.pdf" not in other and dossier.code not in other
