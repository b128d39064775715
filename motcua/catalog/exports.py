"""R-20: each unit's published list of internal procedures not received in person, as rows for the
page and as an Excel workbook — always computed from the catalogue, never kept by hand."""

import datetime
import io
import re
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from motcua.catalog.models import AgencyRole, OnlineLevel, ProcedureUnit
from motcua.catalog.selectors import OWNING_ROLES, internal_procedures_not_received_in_person
from motcua.org.models import Unit, UnitKind
from motcua.org.selectors import active_assignments


@dataclass(frozen=True)
class InternalProcedureRow:
    code: str
    name: str
    field: str
    online_level: str  # Vietnamese label
    implementing: str  # cơ quan thực hiện (tiếp nhận, giải quyết)
    deciding: str  # cơ quan có thẩm quyền quyết định, where the catalogue names one


def _names(links: list[ProcedureUnit], roles: tuple[str, ...]) -> str:
    return "; ".join(dict.fromkeys(link.unit.name for link in links if link.role in roles))


def internal_procedure_rows(unit: Unit | None) -> list[InternalProcedureRow]:
    """The R-20 list of `unit` (or of every unit), in a fixed number of queries."""
    links = ProcedureUnit.objects.select_related("unit").order_by("role", "unit__code")
    procedures = internal_procedures_not_received_in_person(unit).prefetch_related(
        Prefetch("unit_links", queryset=links, to_attr="owners")
    )
    rows = []
    for p in procedures:
        implementing = _names(p.owners, (AgencyRole.IMPLEMENTING, AgencyRole.AUTHORISED))
        rows.append(
            InternalProcedureRow(
                code=p.code,
                name=p.name,
                field=p.field.name,
                online_level=OnlineLevel(p.online_level).label,
                implementing=implementing,
                deciding=_names(p.owners, (AgencyRole.COMPETENT,)) or implementing,
            )
        )
    return rows


def publishing_units() -> QuerySet[Unit]:
    """Units that have such procedures to publish (they implement, decide or are authorised)."""
    listed = internal_procedures_not_received_in_person().values("pk")
    owners = ProcedureUnit.objects.filter(procedure__in=listed, role__in=OWNING_ROLES).values("unit_id")
    return Unit.objects.filter(pk__in=owners).order_by("code")


def default_unit(user, candidates: list[Unit]) -> Unit | None:
    """The signed-in officer's own unit when it publishes a list (a division's department, a
    commune centre's commune), else None: the whole province."""
    by_pk = {u.pk: u for u in candidates}
    for assignment in active_assignments(user):
        node = assignment.unit
        while node is not None:
            if node.pk in by_pk:
                return by_pk[node.pk]
            if node.kind not in (UnitKind.DIVISION, UnitKind.SERVICE_CENTRE):
                break
            node = node.parent
    return None


# --- the workbook ------------------------------------------------------------------------------------

HEADERS = (
    ("STT", 6),
    ("Mã thủ tục", 14),
    ("Tên thủ tục hành chính", 60),
    ("Lĩnh vực", 24),
    ("Mức độ dịch vụ công trực tuyến", 26),
    ("Cơ quan thực hiện", 30),
    ("Cơ quan có thẩm quyền quyết định", 30),
)


def internal_procedures_workbook(
    unit: Unit | None, rows: list[InternalProcedureRow], *, at: datetime.datetime | None = None
) -> bytes:
    """An .xlsx of the list: a title row, the legal note, Vietnamese headers, one row per procedure."""
    at = timezone.localtime(at or timezone.now())
    wb = Workbook()
    ws = wb.active
    ws.title = "Thủ tục nội bộ"
    last_column = get_column_letter(len(HEADERS))
    title = "DANH MỤC THỦ TỤC HÀNH CHÍNH NỘI BỘ KHÔNG TIẾP NHẬN HỒ SƠ TRỰC TIẾP"
    ws.append([title])
    ws.merge_cells(f"A1:{last_column}1")
    ws["A1"].font = Font(bold=True, size=13)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 32
    ws.append([f"Đơn vị: {unit.name if unit else 'Tất cả cơ quan, đơn vị của tỉnh'}"])
    ws.merge_cells(f"A2:{last_column}2")
    ws.append(
        [
            "Thủ tục nội bộ đã có dịch vụ công trực tuyến phải nộp trực tuyến; Bộ phận Một cửa không "
            f"tiếp nhận trực tiếp hoặc qua bưu chính (R-19, R-20). Lập lúc {at:%H:%M %d/%m/%Y} từ danh "
            "mục thủ tục hành chính của hệ thống."
        ]
    )
    ws.merge_cells(f"A3:{last_column}3")
    ws["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[3].height = 30
    ws.append([])
    ws.append([h for h, _ in HEADERS])
    header_row = ws.max_row
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, (_, width) in enumerate(HEADERS, start=1):
        cell = ws.cell(row=header_row, column=col)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = width
    for n, row in enumerate(rows, start=1):
        ws.append([n, row.code, row.name, row.field, row.online_level, row.implementing, row.deciding])
        for col in range(1, len(HEADERS) + 1):
            cell = ws.cell(row=ws.max_row, column=col)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def workbook_filename(unit: Unit | None, at: datetime.datetime | None = None) -> str:
    """ASCII only, so that every browser and mail gateway keeps it."""
    day = timezone.localtime(at or timezone.now()).strftime("%Y%m%d")
    scope = re.sub(r"[^0-9A-Za-z.-]", "", unit.code) if unit else "toan-tinh"
    return f"thu-tuc-noi-bo-khong-tiep-nhan-truc-tiep-{scope}-{day}.xlsx"
