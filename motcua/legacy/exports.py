"""R-25: the report of legacy dossiers still open past a cut-off, as an Excel workbook (one sheet of
counts per unit, one of the dossiers), for the units to work through and the provincial office to
follow up (letter 522/UBND-HCC, seed 004)."""

import datetime
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from motcua.legacy.selectors import AGE_BUCKETS, OpenLegacyReport

LETTER = (
    "Văn bản số 522/UBND-HCC ngày 15/01/2025: rà soát hồ sơ đã tiếp nhận, đang tiếp tục xử lý trên phần "
    "mềm Một cửa điện tử cũ để xử lý dứt điểm, không để tồn tại hồ sơ chưa xử lý, chưa kết thúc (R-25)."
)

SUMMARY_HEADERS = (
    ("STT", 6),
    ("Mã đơn vị", 16),
    ("Cơ quan, đơn vị giải quyết", 44),
    ("Số hồ sơ tồn đọng", 12),
    *((f"Quá hẹn {label.lower()}", 12) for _, label in AGE_BUCKETS),
    ("Lâu nhất (ngày)", 12),
    ("Trung bình (ngày)", 12),
)
LIST_HEADERS = (
    ("STT", 6),
    ("Mã hồ sơ", 28),
    ("Cơ quan, đơn vị giải quyết", 32),
    ("Đơn vị tiếp nhận (phần mềm cũ)", 32),
    ("Thủ tục hành chính", 44),
    ("Chủ hồ sơ", 24),
    ("Trạng thái hiện tại", 22),
    ("Trạng thái ở phần mềm cũ", 14),
    ("Ngày tiếp nhận", 16),
    ("Ngày hẹn trả", 16),
    ("Số ngày quá hẹn", 10),
)

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _local(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def _title(ws: Worksheet, title: str, lines: list[str], width: int) -> None:
    last = get_column_letter(width)
    ws.append([title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=13)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 30
    for text in lines:
        ws.append([text])
        row = ws.max_row
        ws.merge_cells(f"A{row}:{last}{row}")
        ws[f"A{row}"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 30
    ws.append([])


def _table(ws: Worksheet, headers, rows) -> None:
    ws.append([h for h, _ in headers])
    header_row = ws.max_row
    for col, (_, width) in enumerate(headers, start=1):
        cell = ws.cell(row=header_row, column=col)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
        ws.column_dimensions[get_column_letter(col)].width = width
    for values in rows:
        ws.append(list(values))
        for col in range(1, len(headers) + 1):
            cell = ws.cell(row=ws.max_row, column=col)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = _BORDER
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1


def open_legacy_workbook(
    report: OpenLegacyReport, scope: str, *, at: datetime.datetime | None = None
) -> bytes:
    """The R-25 report as .xlsx: "Tổng hợp" (per unit: count, age buckets, oldest, average) and
    "Danh sách hồ sơ" (one row per dossier, oldest appointment first within each unit)."""
    at = timezone.localtime(at or timezone.now())
    lines = [
        f"Phạm vi: {scope}. Mốc rà soát: hồ sơ có ngày hẹn trả (không có thì ngày tiếp nhận, ngày nộp) "
        f"trước ngày {report.cutoff:%d/%m/%Y}; số ngày quá hẹn tính đến ngày {report.today:%d/%m/%Y}. "
        f"Lập lúc {at:%H:%M %d/%m/%Y}.",
        LETTER,
    ]
    wb = Workbook()
    summary = wb.active
    summary.title = "Tổng hợp"
    _title(summary, "HỒ SƠ TỒN ĐỌNG CHUYỂN TỪ PHẦN MỀM MỘT CỬA CŨ", lines, len(SUMMARY_HEADERS))
    summary_rows = [
        (n, g.unit.code, g.unit.name, g.count, *g.buckets, g.oldest_days, g.average_days)
        for n, g in enumerate(report.groups, start=1)
    ]
    summary_rows.append(("", "", "Tổng cộng", report.total, *report.bucket_totals, "", ""))
    _table(summary, SUMMARY_HEADERS, summary_rows)
    for col in range(1, len(SUMMARY_HEADERS) + 1):
        summary.cell(row=summary.max_row, column=col).font = Font(bold=True)

    listing = wb.create_sheet("Danh sách hồ sơ")
    _title(listing, "DANH SÁCH HỒ SƠ TỒN ĐỌNG CHUYỂN TỪ PHẦN MỀM MỘT CỬA CŨ", lines, len(LIST_HEADERS))
    _table(
        listing,
        LIST_HEADERS,
        (
            (
                n,
                r.dossier.code,
                r.dossier.deciding_unit.name,
                r.dossier.receiving_unit.name,
                f"{r.dossier.procedure.code} — {r.dossier.procedure.name}",
                r.dossier.applicant_name,
                r.dossier.get_state_display(),
                r.legacy_status,
                _local(r.dossier.received_at),
                _local(r.dossier.original_due_at or r.dossier.due_at),
                r.age_days,
            )
            for n, r in enumerate(report.rows, start=1)
        ),
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def workbook_filename(report: OpenLegacyReport, at: datetime.datetime | None = None) -> str:
    """ASCII only, so that every browser and mail gateway keeps it."""
    day = timezone.localtime(at or timezone.now()).strftime("%Y%m%d")
    return f"ho-so-ton-dong-phan-mem-cu-moc-{report.cutoff:%Y%m%d}-lap-{day}.xlsx"
