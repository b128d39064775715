"""The reports as files: an Excel workbook for every report (Excel is how reports travel between
offices, DESIGN.md), one sheet per table, laid out as on the page (`tables`); and the quarterly
one-stop report (R-10) as a PDF with its signature block, since it is signed and sent.

The PDF is rendered as the printed forms are (motcua.printing: WeasyPrint, the package's own
Vietnamese fonts, nothing fetched from outside)."""

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from motcua.index.reports.quarterly import QuarterlyReport
from motcua.index.reports.tables import COUNT, DATETIME, RATE, Table, header_rows, quarterly_tables, value_of
from motcua.org.models import Unit
from motcua.printing.services import Signer, document_frame, render_pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SHEETS = {
    "ty-le-truc-tuyen": "Tỷ lệ trực tuyến",
    "theo-muc-do": "Theo mức độ DVC",
    "dich-vu-truc-tuyen": "DVC trực tuyến",
    "khong-co-truc-tuyen": "Không có hồ sơ trực tuyến",
    "ket-qua": "Kết quả giải quyết",
    "theo-don-vi": "Theo đơn vị",
    "theo-can-bo": "Theo cán bộ",
    "theo-buoc": "Theo bước xử lý",
    "theo-thu-tuc": "Theo thủ tục",
    "noi-bo": "Thủ tục nội bộ",
    "tu-choi": "Lượt từ chối (R-19)",
    "tai-cho": "Giải quyết tại chỗ",
}

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Heading:
    """What every file of a report says above its figures."""

    title: str  # e.g. "TỶ LỆ HỒ SƠ TRỰC TUYẾN"
    scope: str  # "toàn tỉnh" or the unit's name
    period: str  # "Quý I/2026 (01/01/2026 – 31/03/2026)"
    rule: str  # "R-05, R-06, R-28"
    made_at: datetime.datetime
    made_by: str = ""


def _width(label: str) -> int:
    return max(10, min(48, len(label) + 2))


def _write_table(ws: Worksheet, heading: Heading, table: Table) -> None:
    columns = table.columns
    last = get_column_letter(len(columns))
    lines = [
        f"Phạm vi: {heading.scope}. Kỳ báo cáo: {heading.period}. Căn cứ: {heading.rule}.",
        f"Lập lúc {timezone.localtime(heading.made_at):%H:%M %d/%m/%Y}"
        + (f" bởi {heading.made_by}" if heading.made_by else "")
        + ". Giờ Việt Nam (Asia/Ho_Chi_Minh).",
    ]
    if table.note:
        lines.append(table.note)
    ws.append([heading.title.upper()])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=13)
    ws["A1"].alignment = _CENTRE
    ws.row_dimensions[1].height = 30
    ws.append([table.title])
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].font = Font(bold=True)
    ws["A2"].alignment = _CENTRE
    for text in lines:
        ws.append([text])
        row = ws.max_row
        ws.merge_cells(f"A{row}:{last}{row}")
        ws[f"A{row}"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 30
    ws.append([])

    # Two heading rows when the columns are grouped, as the report forms are.
    top, bottom = header_rows(columns)
    first = ws.max_row + 1
    grouped = bool(bottom)
    col = 1
    sub = 1
    for cell in top:
        ws.cell(row=first, column=col, value=cell.label)
        if cell.colspan > 1:
            ws.merge_cells(
                start_row=first, start_column=col, end_row=first, end_column=col + cell.colspan - 1
            )
            for i in range(cell.colspan):
                ws.cell(row=first + 1, column=col + i, value=bottom[sub - 1 + i].label)
            sub += cell.colspan
        elif grouped and cell.rowspan > 1:
            ws.merge_cells(start_row=first, start_column=col, end_row=first + 1, end_column=col)
        elif grouped:  # a group of one column
            ws.cell(row=first + 1, column=col, value=bottom[sub - 1].label)
            sub += 1
        col += cell.colspan
    head_rows = 2 if grouped else 1
    for r in range(first, first + head_rows):
        for c in range(1, len(columns) + 1):
            cell = ws.cell(row=r, column=c)
            cell.font = Font(bold=True)
            cell.fill = _HEAD_FILL
            cell.alignment = _CENTRE
            cell.border = _BORDER
    for c, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = _width(column.label)

    body = [*table.rows, *([table.total] if table.total is not None else [])]
    for row in body:
        values = []
        for column in columns:
            value = value_of(row, column.key)
            if column.kind == RATE:
                value = float(value) if value is not None else None
            elif column.kind == DATETIME:
                value = timezone.localtime(value).replace(tzinfo=None) if value else None
            elif isinstance(value, Decimal):
                value = float(value)
            values.append(value)
        ws.append(values)
        r = ws.max_row
        for c, column in enumerate(columns, start=1):
            cell = ws.cell(row=r, column=c)
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=column.kind not in (COUNT, RATE))
            if column.kind == RATE:
                cell.number_format = '0.00" %"'
            elif column.kind == DATETIME:
                cell.number_format = "dd/mm/yyyy hh:mm"
            if table.total is not None and row is table.total:
                cell.font = Font(bold=True)
    if not body:
        ws.append([table.empty])
    ws.freeze_panes = ws.cell(row=first + head_rows, column=2)
    ws.print_title_rows = f"{first}:{first + head_rows - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1


def workbook(heading: Heading, tables: Sequence[Table]) -> bytes:
    """One sheet per table, each with the report's heading, its note and its two-row header."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for table in tables:
        name = SHEETS.get(table.key, table.key)[:31]
        while name in used:
            name = name[:29] + f"{len(used)}"
        used.add(name)
        _write_table(wb.create_sheet(name), heading, table)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def filename(slug: str, period_slug: str, at: datetime.datetime, ext: str) -> str:
    """ASCII only, so that every browser and mail gateway keeps it."""
    return f"bao-cao-{slug}-{period_slug}-lap-{timezone.localtime(at):%Y%m%d}.{ext}"


# --- R-10 as a signed document -------------------------------------------------------------------


def quarterly_pdf(report: QuarterlyReport, heading: Heading, issuer: Unit) -> bytes:
    """The quarterly one-stop report as an A4 landscape PDF headed by `issuer` (the unit reporting,
    with its parent cached for the heading), with the signature block of the person who made it and
    of the head of the unit (người lập biểu, thủ trưởng đơn vị)."""
    table = quarterly_tables(report)[0]
    day = timezone.localdate(heading.made_at)
    context = {
        **document_frame(
            "Báo cáo tình hình, kết quả giải quyết thủ tục hành chính", issuer, day, orientation="landscape"
        ),
        "number": "……/BC",
        "heading": heading,
        "report": report,
        "rows": table.rows,
        "total": table.total,
        "first_label": table.columns[0].label,
        "note": table.note,
        "signers": [
            Signer("NGƯỜI LẬP BIỂU", heading.made_by),
            Signer("THỦ TRƯỞNG ĐƠN VỊ", "", "(Ký, ghi rõ họ tên, đóng dấu)"),
        ],
    }
    return render_pdf(render_to_string("reports/quarterly_pdf.html", context))
