"""Dossiers submitted on the national portal, pulled by the province (issue 9, item 4): the
simulator runs as a subprocess, the forwarded list and every file are read over real HTTP.

The demo province is loaded once for the module; each test runs in its own savepoint (on_demo)."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.documents.models import Document
from motcua.dossiers.audit import verify_chain
from motcua.dossiers.models import Dossier, DossierCounter, Origin, OutboxMessage, OutboxTopic
from motcua.dossiers.states import State
from motcua.org.models import Applicant, ApplicantKind
from motcua.sync.inbound import PULL_CURSOR, pull_forwarded
from motcua.sync.models import InboundDossier, InboundStatus, PullCursor
from tests.demo_province import demo, on_demo  # noqa: F401
from tests.dossiers.kit import act, user
from tests.sync_inbound.kit import (
    BIEN_HOA,
    BIRTH,
    CERTIFY,
    JUSTICE,
    JUSTICE_BINH_PHUOC,
    NOTARY,
    TRAN_BIEN,
    dossiers_of,
    forwarded,
    sha256,
)


def cursor() -> str:
    row = PullCursor.objects.filter(name=PULL_CURSOR).first()
    return row.position if row else ""


def today_code_prefix(unit: str) -> str:
    return f"{unit}-{timezone.localdate():%y%m%d}-"


@pytest.mark.parametrize("national_portal", ["rest", "service"], indirect=True)
def test_pulled_dossier_becomes_an_online_dossier_of_its_unit(national_portal):
    payload = forwarded()
    national_portal.offer_forwarded([payload])

    report = pull_forwarded()

    assert (report.received, report.created, report.duplicates, report.refused) == (1, 1, 0, 0)
    assert not report.unavailable
    dossier = dossiers_of(payload["MaHoSo"]).select_related("receiving_unit", "deciding_unit").get()
    assert dossier.origin == Origin.NATIONAL_PORTAL
    assert dossier.channel == "online"
    assert dossier.state == State.SUBMITTED
    assert dossier.receiving_unit.code == dossier.deciding_unit.code == TRAN_BIEN
    assert dossier.procedure.code == BIRTH
    # Our own code from the unit's daily counter; the portal's code kept as the national id.
    assert dossier.code.startswith(today_code_prefix(TRAN_BIEN))
    assert dossier.national_id == payload["MaHoSo"] != dossier.code
    assert dossier.vneid_verified is True
    assert dossier.applicant_tech_id == "TECH-000123"
    assert (dossier.applicant_name, dossier.applicant_identifier) == ("Trần Thị Mai", "075199004321")
    assert dossier.applicant.kind == ApplicantKind.CITIZEN
    assert dossier.submitted_at == timezone.make_aware(datetime.datetime(2025, 12, 4, 8, 30))
    # Each file fetched from the portal, its hash checked, stored and tied to its component.
    attachments = {
        a.required_document.code: a.document
        for a in dossier.attachments.select_related("document", "required_document")
    }
    assert set(attachments) == {"1.001193.GT01", "1.001193.GT02"}
    assert attachments["1.001193.GT01"].name == "Tờ khai đăng ký khai sinh.pdf"
    assert attachments["1.001193.GT02"].name == "Giấy chứng sinh.pdf"
    for document in attachments.values():
        assert document.content_type == "application/pdf" and document.file.read().startswith(b"%PDF-")
    first = dossier.events.get()
    assert (first.action, first.actor_id, first.actor_name) == ("submit", None, "Cổng Dịch vụ công quốc gia")
    assert first.data["national_id"] == payload["MaHoSo"] and first.data["via"] == "pull"
    assert not list(verify_chain(Dossier.objects.filter(pk=dossier.pk)))
    record = InboundDossier.objects.get(national_id=payload["MaHoSo"])
    assert (record.status, record.via, record.dossier_id, record.error) == (
        "accepted",
        "pull",
        dossier.pk,
        "",
    )
    assert record.payload["MaTTHC"] == BIRTH
    assert cursor() == "1" == report.cursor


def test_applicant_is_found_by_identification_number(national_portal):
    """The national portal verified the person (VNeID): the applicant record of that number is
    the dossier's, and the contacts the owner gave there become the record's; an unverified
    account's contacts are the dossier's copy only."""
    known = Applicant.objects.create(
        kind=ApplicantKind.CITIZEN, identifier="075199008888", name="Lê Văn Bình", phone="0900000000"
    )
    verified = forwarded(identifier="075199008888", name="Lê Văn Bình", phone="0988111222", vneid="1")
    unverified = forwarded(identifier="075199008888", name="Lê Văn Bình", phone="0977333444", vneid="0")
    national_portal.offer_forwarded([verified, unverified])

    assert pull_forwarded().created == 2

    first, second = dossiers_of(verified["MaHoSo"]).get(), dossiers_of(unverified["MaHoSo"]).get()
    assert first.applicant_id == second.applicant_id == known.pk
    assert Applicant.objects.filter(identifier="075199008888").count() == 1
    assert (first.vneid_verified, second.vneid_verified) == (True, False)
    assert (first.applicant_phone, second.applicant_phone) == ("0988111222", "0977333444")
    known.refresh_from_db()
    assert known.phone == "0988111222"


def test_new_applicant_is_created_from_what_the_portal_sent(national_portal):
    payload = forwarded(identifier="075199007777", name="Phạm Thị Hạnh")
    national_portal.offer_forwarded([payload])

    pull_forwarded()

    applicant = Applicant.objects.get(kind=ApplicantKind.CITIZEN, identifier="075199007777")
    assert applicant.name == "Phạm Thị Hạnh" and applicant.user_id is None
    assert dossiers_of(payload["MaHoSo"]).get().applicant_id == applicant.pk


def test_dossier_of_a_merged_unit_lands_on_its_successor(national_portal):
    """Sở Tư pháp Bình Phước was merged into Sở Tư pháp Đồng Nai on 01/7/2025 (demo mergers): a
    dossier the portal still addresses to the old unit is the successor's."""
    payload = forwarded(procedure=NOTARY, unit=JUSTICE_BINH_PHUOC, components=[])
    national_portal.offer_forwarded([payload])

    report = pull_forwarded()

    assert report.created == 1, report.refusals
    dossier = dossiers_of(payload["MaHoSo"]).select_related("receiving_unit").get()
    assert dossier.receiving_unit.code == JUSTICE
    assert dossier.code.startswith(today_code_prefix(JUSTICE))
    assert dossier.events.get().data["unit_named"] == JUSTICE_BINH_PHUOC


def test_same_dossier_pulled_twice_is_created_once(national_portal):
    payload = forwarded()
    national_portal.offer_forwarded([payload])
    assert pull_forwarded().created == 1
    code = dossiers_of(payload["MaHoSo"]).get().code

    # The portal offers it again (a re-send on its side) …
    national_portal.offer_forwarded([payload])
    again = pull_forwarded()
    # … and the cursor is lost (a restore): the whole list is read again from the start.
    PullCursor.objects.filter(name=PULL_CURSOR).update(position="")
    from_start = pull_forwarded()

    assert (again.received, again.created, again.duplicates) == (1, 0, 1)
    assert (from_start.received, from_start.created, from_start.duplicates) == (2, 0, 2)
    assert dossiers_of(payload["MaHoSo"]).get().code == code
    assert InboundDossier.objects.filter(national_id=payload["MaHoSo"]).count() == 1
    # One number taken from the unit's counter: the duplicates took none.
    counter = DossierCounter.objects.get(unit__code=TRAN_BIEN, day=timezone.localdate())
    assert counter.last == int(code.rsplit("-", 1)[1])


@pytest.mark.parametrize(
    ("changes", "rule", "code", "words"),
    [
        ({"MaTTHC": "9.999999"}, "R-24", "procedure_not_found", "9.999999"),
        ({"MaDonViTiepNhan": "000.00.99.H19"}, "R-02", "unit_not_found", "000.00.99.H19"),
        ({"MaDonViTiepNhan": JUSTICE}, "R-02", "unit_not_receiving_online", "không tiếp nhận trực tuyến"),
        ({"MaTTHC": CERTIFY, "ThanhPhanHoSo": []}, "R-28", "procedure_not_online", "trực tuyến"),
        ({"ThongTinNguoiNop": {"TenNguoiNop": "A", "SoDinhDanh": "123"}}, None, "invalid_input", "12 chữ số"),
    ],
    ids=["unknown-procedure", "unknown-unit", "unit-not-online", "procedure-not-online", "bad-identity"],
)
def test_dossier_the_province_cannot_take_is_refused_and_recorded(
    national_portal, changes, rule, code, words
):
    payload = forwarded(**changes)
    national_portal.offer_forwarded([payload])
    documents = Document.objects.count()

    report = pull_forwarded()

    assert (report.received, report.created, report.refused) == (1, 0, 1)
    assert report.refusals[0][0] == payload["MaHoSo"] and words in report.refusals[0][1]
    assert not dossiers_of(payload["MaHoSo"]).exists()
    record = InboundDossier.objects.get(national_id=payload["MaHoSo"])
    assert record.status == InboundStatus.REFUSED and record.dossier_id is None
    assert words in record.error
    # Refused on the catalogue, before any file was downloaded or stored.
    assert Document.objects.count() == documents
    # The refusal is stored: the pull moved past it.
    assert cursor() == "1"


def test_refused_dossier_sent_again_is_tried_again(national_portal):
    """Refused because the procedure was not published yet; once it is, the same national code
    arriving again creates the dossier (still one record per national code)."""
    from motcua.catalog.models import Procedure

    Procedure.objects.filter(code=BIRTH).update(published=False)
    payload = forwarded()
    national_portal.offer_forwarded([payload])
    assert pull_forwarded().refused == 1

    Procedure.objects.filter(code=BIRTH).update(published=True)
    national_portal.offer_forwarded([payload])
    assert pull_forwarded().created == 1

    record = InboundDossier.objects.get(national_id=payload["MaHoSo"])
    assert record.status == InboundStatus.ACCEPTED and record.error == ""
    assert record.dossier_id == dossiers_of(payload["MaHoSo"]).get().pk


def test_document_hash_mismatch_refuses_the_dossier(national_portal):
    components = [
        {
            "MaThanhPhanHoSo": "1.001193.GT01",
            "GiayToDinhKem": [{"TenGiayTo": "Tờ khai", "HashTepTin": "0" * 64}],
        }
    ]
    payload = forwarded(components=components)
    national_portal.offer_forwarded([payload])
    documents = Document.objects.count()

    report = pull_forwarded()

    assert (report.created, report.refused) == (0, 1)
    assert not dossiers_of(payload["MaHoSo"]).exists()
    record = InboundDossier.objects.get(national_id=payload["MaHoSo"])
    assert record.status == InboundStatus.REFUSED and "mã băm SHA-256" in record.error
    assert Document.objects.count() == documents


def test_file_of_a_type_the_province_does_not_accept_refuses_the_dossier(national_portal):
    """The documents service's checks apply to forwarded files too (type by content, not name)."""
    import base64

    components = [
        {
            "MaThanhPhanHoSo": "1.001193.GT01",
            "GiayToDinhKem": [
                {"TenGiayTo": "to-khai.exe", "NoiDungBase64": base64.b64encode(b"MZ\x90\x00binary").decode()}
            ],
        }
    ]
    payload = forwarded(components=components)
    national_portal.offer_forwarded([payload])

    assert pull_forwarded().refused == 1
    # Named .exe, announced as a PDF: the content decides, and it is neither.
    assert "Nội dung tệp không khớp" in InboundDossier.objects.get(national_id=payload["MaHoSo"]).error
    assert not dossiers_of(payload["MaHoSo"]).exists()


def test_outage_during_pull_keeps_the_cursor(national_portal):
    payloads = [forwarded(), forwarded()]
    national_portal.offer_forwarded(payloads)
    national_portal.control(outage=True)

    down = pull_forwarded()

    assert down.unavailable and (down.received, down.created) == (0, 0)
    assert cursor() == ""
    assert not Dossier.objects.filter(national_id__in=[p["MaHoSo"] for p in payloads]).exists()

    national_portal.control(outage=False)
    up = pull_forwarded()

    assert (up.received, up.created, up.unavailable) == (2, 2, "")
    assert cursor() == "2"


def test_file_store_down_mid_batch_keeps_the_cursor(national_portal, settings, file_host):
    """The list was read, but a file cannot be fetched (its host refuses connections): nothing of
    that dossier is recorded, the cursor stays before the batch, and the next pull — the host back —
    creates every dossier once (the one stored before the failure is not created again)."""
    settings.MOTCUA_INBOUND_FILE_ORIGINS = [file_host.url]
    content = b"%PDF-1.4\n% giay chung sinh\n"
    good, bad = forwarded(), forwarded()
    bad["ThanhPhanHoSo"] = [
        {
            "MaThanhPhanHoSo": "1.001193.GT02",
            "GiayToDinhKem": [
                {
                    "TenGiayTo": "Giấy chứng sinh",
                    "DuongDan": f"{file_host.url}/gcs.pdf",
                    "HashTepTin": sha256(content),
                }
            ],
        }
    ]
    national_portal.offer_forwarded([good, bad])

    report = pull_forwarded()

    assert report.unavailable and "tệp đính kèm" in report.unavailable
    assert (report.created, report.refused) == (1, 0)
    assert cursor() == ""
    assert not InboundDossier.objects.filter(national_id=bad["MaHoSo"]).exists()

    file_host.serve({"/gcs.pdf": content})
    again = pull_forwarded()

    assert (again.duplicates, again.created, again.refused, again.unavailable) == (1, 1, 0, "")
    assert dossiers_of(good["MaHoSo"]).count() == dossiers_of(bad["MaHoSo"]).count() == 1
    attachment = dossiers_of(bad["MaHoSo"]).get().attachments.select_related("document").get()
    assert attachment.document.sha256 == sha256(content)
    assert cursor() == "2"


def test_r22_forwarded_dossier_goes_through_the_engine_and_its_outbox_message_is_written(national_portal):
    """The counter officer of the ward receives it as any online dossier; each change writes its
    national-portal message in the change's transaction (R-22)."""
    payload = forwarded()
    national_portal.offer_forwarded([payload])
    pull_forwarded()
    dossier = dossiers_of(payload["MaHoSo"]).get()
    submitted = OutboxMessage.objects.filter(dossier=dossier, topic=OutboxTopic.NATIONAL_PORTAL)
    assert submitted.count() == 1 and submitted.get().event.action == "submit"

    received = act(dossier, "receive", "chuyenvien.tranbien", now=timezone.now())

    assert received.state == State.RECEIVED and received.due_at is not None
    messages = list(
        OutboxMessage.objects.filter(dossier=dossier, topic=OutboxTopic.NATIONAL_PORTAL)
        .select_related("event")
        .order_by("id")
    )
    assert [m.event.action for m in messages] == ["submit", "receive"]
    # The portal knows the dossier by its own code: the messages speak of that one.
    assert {m.payload["MaHoSo"] for m in messages} == {payload["MaHoSo"]}
    assert all(m.delivered_at is None for m in messages)
    assert not list(verify_chain(Dossier.objects.filter(pk=dossier.pk)))


def test_r26_only_the_units_counter_officer_receives_it(national_portal):
    """A forwarded dossier is the ward's: another ward's counter officer cannot receive it."""
    from motcua.core.errors import DomainError

    payload = forwarded()
    national_portal.offer_forwarded([payload])
    pull_forwarded()
    dossier = dossiers_of(payload["MaHoSo"]).get()

    with pytest.raises(DomainError):
        act(dossier, "receive", "chuyenvien.bienhoa", now=timezone.now())
    assert Dossier.objects.get(pk=dossier.pk).state == State.SUBMITTED
    assert user("chuyenvien.bienhoa").role_assignments.filter(unit__code=BIEN_HOA).exists()
    assert act(dossier, "receive", "chuyenvien.tranbien", now=timezone.now()).state == State.RECEIVED


def test_pull_command_reports_in_vietnamese(national_portal, capsys):
    national_portal.offer_forwarded([forwarded(), forwarded(MaTTHC="9.999999")])

    call_command("pull_national_dossiers")

    out = capsys.readouterr().out
    assert "Đã đọc 2 hồ sơ (1 lượt): tạo mới 1, đã nhận trước đó 0, từ chối 1." in out
    assert "Từ chối" in out and "9.999999" in out
    assert "Vị trí đọc tiếp theo: 2" in out


def test_pull_without_a_configured_portal_reads_nothing(settings):
    from motcua.integrations import registry

    settings.MOTCUA_INTEGRATIONS = {"dvcqg": {"base_url": ""}}
    registry.reset()
    assert pull_forwarded().configured is False
    assert not PullCursor.objects.filter(name=PULL_CURSOR).exists()
