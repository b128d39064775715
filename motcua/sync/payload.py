"""The dossier record the national portal receives (`HoSoDongBoDVC`, REGULATIONS §6.4), built at
delivery time from current data, for many dossiers at once in a constant number of queries.

Every field of §6.4 is sent, including those the 766 index scores on (the table under §6.4): the
channel (3.3), the supplement records and dates (2.1), fees and online payment (3.5, 3.6), result
files with their links (4.1, 4.2), digitised and reused components (4.4, 4.5), the VNeID-verified
account and the population database connections (4.6, 4.7). Codes are strings, as on the wire
(vn-code-and-data §2.3); a date that does not exist yet is "".

Where our data does not hold a fact yet, the field says "no" rather than guess. The component
flags are read from the stored file (motcua.documents.selectors): `DuocSoHoa` is 1 for a file
electronic from the start and for a counter scan certified by the receiving unit's signature
(TT 01/2023/TT-VPCP: an unsigned scan is not a digitisation result); `DuocTaiSuDung` is 1 for a
component taken again from the applicant's store (R-30); `DuocLayTuKhoDMQG` is 1 for one taken
from his store on the national portal; `DuocThanhToanTrucTuyen` is 1 (Cổng DVCQG) or 2 (the
province's gateway) once every non-zero fee is paid online (R-29, `DossierFee.paid_via`), else 0;
`DSKetNoiCSDL` is [] until a connection to a national database is used. The text limits are those
the reference systems apply before sending (vn-code-and-data §2.3).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch
from django.utils.dateparse import parse_datetime

from motcua.catalog.models import ResultDocument
from motcua.documents import selectors as documents
from motcua.documents.models import DocumentKind
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, Origin, ResultDelivery
from motcua.dossiers.outbox import KENH, SUMMARY_MAX, dvcqg_time, national_code
from motcua.dossiers.states import Action, State, national_status
from motcua.org.models import ApplicantKind
from motcua.sync.file_links import file_url

# REGULATIONS §6.4: LoaiDoiTuong 1 công dân | 2 doanh nghiệp | 3 CQNN | 4 tổ chức/khác.
APPLICANT_KIND = {ApplicantKind.CITIZEN: "1", ApplicantKind.BUSINESS: "2", ApplicantKind.STATE_BODY: "3"}
# vn-code-and-data §2.3: TenTepDinhKem ≤ 4000, result TenGiayTo ≤ 2000.
FILE_NAME_MAX = 4000
RESULT_NAME_MAX = 2000
TEXT_MAX = 2000
# NoiNopHoSo: the reference system sends "2" for every dossier of its own (provincial) system; we
# read it as 1 = Cổng DVCQG, 2 = the province's system, so a dossier the portal forwarded is "1".
SUBMITTED_ON_PORTAL, SUBMITTED_LOCALLY = "1", "2"
# LoaiPhiLePhi: 1 phí, 2 lệ phí (the catalogue's two kinds, FeeKind).
FEE_KIND = {"fee": "1", "charge": "2"}

# The applicant's own papers (TaiLieuNop) and the result (DanhSachGiayToKetQua); the other papers
# the applicant is given or gives (DanhSachTepDinhKemKhac). Consultation letters are internal.
SUBMITTED_KINDS = {DocumentKind.SUBMITTED, DocumentKind.SUPPLEMENT}
RESULT_KINDS = {DocumentKind.RESULT}
OTHER_KINDS = {
    DocumentKind.REFUSAL,
    DocumentKind.WITHDRAWAL_REQUEST,
    DocumentKind.WITHDRAWAL_APPROVAL,
    DocumentKind.STOP_NOTICE,
    DocumentKind.APOLOGY,
    DocumentKind.OTHER,
}
# Long texts of the procedure that no record field uses: not read.
_DEFERRED = [
    "procedure__steps_text",
    "procedure__methods_text",
    "procedure__applicants_text",
    "procedure__agency_text",
    "procedure__conditions_text",
    "procedure__national_payload",
    "procedure__search_text",
    "search_text",
]


def _flag(value: bool) -> str:
    return "1" if value else "0"


# R-29, REGULATIONS §6.4 `DuocThanhToanTrucTuyen`: 1 = paid on the national platform, 2 = through the
# province's own payment gateway; a fee taken at the counter is not an online payment.
ONLINE_PAYMENT = {"dvcqg_platform": "1", "local_gateway": "2"}


def online_payment_code(fees: Iterable[Any]) -> str:
    """`DuocThanhToanTrucTuyen` of a dossier from its fees (objects with amount, paid_at, paid_via):
    "0" unless it owes something and every non-zero fee is paid online (REGULATIONS §1.3, 3.6: a
    dossier whose fees are all 0 owes nothing, so it is never "paid online"). The index reads the
    same rule (motcua.index.facts)."""
    owed = [fee for fee in fees if fee.amount > 0]
    if not owed or any(fee.paid_at is None or fee.paid_via not in ONLINE_PAYMENT for fee in owed):
        return "0"
    # Mixed channels (a part on each): the national platform saw a transaction, say so.
    return "1" if any(fee.paid_via == "dvcqg_platform" for fee in owed) else "2"


def _wire_time(iso: str | None) -> str:
    """A local ISO time stored in an event's data, as a DVCQG date."""
    value = parse_datetime(iso) if iso else None
    return dvcqg_time(value) if value else ""


def _identity(dossier: Dossier) -> list[dict[str, str]]:
    """DinhDanhCHS: 1 = 12-digit personal number (CCCD), 2 = 9-digit CMND; none for a tax code."""
    number = dossier.applicant_identifier
    if dossier.applicant.kind != ApplicantKind.CITIZEN or not number.isdigit():
        return []
    if len(number) == 12:
        return [{"LoaiDinhDanh": "1", "SoDinhDanh": number}]
    if len(number) == 9:
        return [{"LoaiDinhDanh": "2", "SoDinhDanh": number}]
    return []


class _Links:
    """The address of a dossier's file the national portal can open (motcua.sync.file_links)."""

    def __call__(self, code: str, document_id) -> str:
        return file_url(code, document_id)


def _submitted(link: DossierDocument, url: str) -> dict[str, Any]:
    required = link.required_document
    return {
        "TepDinhKemId": str(link.document_id),
        "TenTepDinhKem": link.document.name[:FILE_NAME_MAX],
        "IsDeleted": "0",
        "MaThanhPhanHoSo": required.code if required else "",
        "DuongDanTaiTepTin": url,
        "DuocSoHoa": _flag(documents.is_digitised(link.document)),
        # R-30 (4.4): a copy of a paper from the applicant's own store, not a new upload.
        "DuocTaiSuDung": _flag(documents.reused(link.document)),
        "DuocLayTuKhoDMQG": _flag(documents.from_national_store(link.document)),
        "MaKetQuaThayThe": "",
    }


def _supplements(dossier: Dossier, events: list[DossierEvent], files: dict[str, dict]) -> list[dict]:
    """DanhSachHoSoBoSung: each supplement request with, once handed in, who received it, when, the
    papers and the appointment before and after (REGULATIONS §2.4: the time restarts)."""
    records: list[dict] = []
    for event in events:
        if event.action == Action.REQUEST_SUPPLEMENT:
            items = (event.data or {}).get("items") or []
            content = "; ".join([event.reason, *items]) if event.reason else "; ".join(items)
            records.append(
                {
                    "HoSoBoSungId": f"{national_code(dossier)}-BS{event.seq}",
                    "NguoiYeuCauBoSung": event.actor_name[:255],
                    "NoiDungBoSung": content[:TEXT_MAX],
                    "NgayBoSung": dvcqg_time(event.at),
                    "NguoiTiepNhanBoSung": "",
                    "ThongTinTiepNhan": "",
                    "NgayTiepNhanBoSung": "",
                    "TrangThaiBoSung": "0",
                    "DanhSachGiayToBoSung": [],
                    "DanhSachLePhiBoSung": [],
                    "NgayHenTraTruoc": dvcqg_time(dossier.due_at),
                    "NgayHenTraMoi": "",
                }
            )
        elif event.action == Action.SUBMIT_SUPPLEMENT and records and records[-1]["TrangThaiBoSung"] == "0":
            data = event.data or {}
            papers = [files[d] for d in event.documents or [] if d in files]
            records[-1].update(
                {
                    "NguoiTiepNhanBoSung": event.actor_name[:255],
                    "ThongTinTiepNhan": "Đã nhận hồ sơ bổ sung",
                    "NgayTiepNhanBoSung": dvcqg_time(event.at),
                    "TrangThaiBoSung": "1",
                    "DanhSachGiayToBoSung": [
                        {
                            "TenGiayTo": p["TenTepDinhKem"],
                            "GiayToId": p["TepDinhKemId"],
                            "DuongDanTepTin": p["DuongDanTaiTepTin"],
                        }
                        for p in papers
                    ],
                    "NgayHenTraTruoc": _wire_time(data.get("due_before")) or records[-1]["NgayHenTraTruoc"],
                    "NgayHenTraMoi": _wire_time(data.get("due_after")),
                }
            )
    return records


def _fees(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "TenPhiLePhi": (fee.description or fee.get_kind_display())[:TEXT_MAX],
            "MaPhiLePhi": "",
            "HinhThucThu": "",
            "Gia": fee.amount,
            "LoaiPhiLePhi": FEE_KIND.get(fee.kind, ""),
        }
        for fee in dossier.fees.all()
    ]


def _note(dossier: Dossier) -> str:
    """GhiChu: the apology's new date — NgayHenTra stays the original one (REGULATIONS §2.5, R-27)."""
    if dossier.extended_due_at:
        return f"Hẹn trả mới (xin lỗi, gia hạn): {dvcqg_time(dossier.extended_due_at)}"
    return ""


def record(
    dossier: Dossier, events: list[DossierEvent], result_codes: list[str], links: _Links
) -> dict[str, Any]:
    """`HoSoDongBoDVC` of one dossier loaded as `dossier_records` loads it."""
    code = national_code(dossier)
    submitted, results, others = [], [], []
    files: dict[str, dict] = {}
    for link in dossier.attachments.all():
        kind = link.document.kind
        url = links(dossier.code, link.document_id)
        if kind in SUBMITTED_KINDS:
            files[str(link.document_id)] = item = _submitted(link, url)
            submitted.append(item)
        elif kind in RESULT_KINDS:
            results.append((link, url))
        elif kind in OTHER_KINDS:
            others.append(link)
    procedure = dossier.procedure
    online = dossier.channel == "online"
    return {
        "MaHoSo": code,
        "MaTTHC": procedure.code,
        "TenTTHC": procedure.name,
        "MaLinhVuc": procedure.field.code,
        "TenLinhVuc": procedure.field.name,
        "KenhThucHien": str(KENH[dossier.channel]),
        "SoGiayToChuHoSo": dossier.applicant_identifier,
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": APPLICANT_KIND.get(dossier.applicant.kind, "4"),
        # The applicant's TechID on the portal, sent only for an online dossier (vn-code-and-data §2.3).
        "MaDoiTuong": dossier.applicant_tech_id if online else "",
        "ThongTinKhac": "",
        "Email": dossier.applicant_email,
        "Fax": "",
        "SoDienThoai": dossier.applicant_phone,
        "TrichYeuHoSo": dossier.summary[:SUMMARY_MAX] or procedure.name[:SUMMARY_MAX],
        "NgayTiepNhan": dvcqg_time(dossier.received_at),
        "NgayHenTra": dvcqg_time(dossier.due_at),
        "TrangThaiHoSo": str(national_status(dossier)),
        "NgayTra": dvcqg_time(dossier.returned_at),
        "ThongTinTra": dossier.get_result_delivery_display() if dossier.returned_at else "",
        "HinhThuc": "1" if dossier.result_delivery == ResultDelivery.POSTAL else "0",
        "NgayKetThucXuLy": dvcqg_time(dossier.finished_at),
        "DonViXuLy": dossier.deciding_unit.code,
        "GhiChu": _note(dossier),
        "TaiLieuNop": submitted,
        "DanhSachLePhi": _fees(dossier),
        "DanhSachTepDinhKemKhac": [
            {
                "TenGiayTo": link.document.name[:RESULT_NAME_MAX],
                "SoLuong": "1",
                "LoaiGiayTo": link.document.get_kind_display(),
            }
            for link in others
        ],
        "DanhSachHoSoBoSung": _supplements(dossier, events, files),
        "DanhSachGiayToKetQua": [
            {
                "TenGiayTo": link.document.name[:RESULT_NAME_MAX],
                "MaThanhPhanHoSo": "",
                "GiayToId": str(link.document_id),
                "DuongDanTepTinKetQua": url,
                "MaGiayToKetQua": result_codes[0] if result_codes else "",
            }
            for link, url in results
        ],
        "NoiNopHoSo": SUBMITTED_ON_PORTAL if dossier.origin == Origin.NATIONAL_PORTAL else SUBMITTED_LOCALLY,
        "HoSoCoThanhPhanSoHoa": _flag(any(item["DuocSoHoa"] == "1" for item in submitted)),
        "TaiKhoanDuocXacThucVoiVNeID": _flag(dossier.vneid_verified),
        # R-29 (3.6): 1 on the national platform, 2 through the province's gateway, 0 otherwise.
        "DuocThanhToanTrucTuyen": online_payment_code(dossier.fees.all()),
        "NgayTuChoi": dvcqg_time(dossier.finished_at) if dossier.state == State.REJECTED else "",
        "DinhDanhCHS": _identity(dossier),
        "NgayNopHoSo": dvcqg_time(dossier.submitted_at),
        "DSKetNoiCSDL": [],
    }


def dossier_records(dossiers: Iterable[Dossier | int]) -> dict[int, dict[str, Any]]:
    """{dossier id: its record as it is now} for `dossiers` (instances or ids), in five queries
    whatever their number: the dossiers with their procedure, field, unit and applicant; their
    attached files; their fees; their procedures' result codes; their supplement events."""
    ids = [d.pk if isinstance(d, Dossier) else int(d) for d in dossiers]
    if not ids:
        return {}
    rows = (
        Dossier.objects.filter(pk__in=ids)
        .select_related("procedure__field", "deciding_unit", "applicant")
        .defer(*_DEFERRED)
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=DossierDocument.objects.select_related("document", "required_document").order_by(
                    "attached_at", "pk"
                ),
            ),
            "fees",
        )
    )
    supplements: dict[int, list[DossierEvent]] = defaultdict(list)
    for event in (
        DossierEvent.objects.filter(
            dossier_id__in=ids, action__in=[Action.REQUEST_SUPPLEMENT, Action.SUBMIT_SUPPLEMENT]
        )
        .only("dossier_id", "seq", "at", "action", "actor_name", "reason", "data", "documents")
        .order_by("dossier_id", "seq")
    ):
        supplements[event.dossier_id].append(event)
    rows = list(rows)
    # The procedures' result codes, once per procedure (not once per dossier's copy of it).
    result_codes: dict[int, list[str]] = defaultdict(list)
    for procedure_id, code in (
        ResultDocument.objects.filter(procedure_id__in={d.procedure_id for d in rows})
        .exclude(code="")
        .order_by("pk")
        .values_list("procedure_id", "code")
    ):
        result_codes[procedure_id].append(code)
    links = _Links()
    return {d.pk: record(d, supplements.get(d.pk, []), result_codes[d.procedure_id], links) for d in rows}
