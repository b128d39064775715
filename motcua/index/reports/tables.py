"""How each report's figures are laid out as tables — one layout for the web page and the Excel file,
so both show the same columns in the same order under the same headings.

A `Column` reads one attribute of a row; a count column names the figure whose records it counts,
which is what the page links it to (the list of dossiers behind the number). Consecutive columns
with the same `group` sit under one heading, as Vietnamese report forms are laid out.
"""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from motcua.index.reports.consultations import ConsultationReport
from motcua.index.reports.internal import InternalReport
from motcua.index.reports.late_steps import LateReport
from motcua.index.reports.on_the_spot import OnTheSpotReport
from motcua.index.reports.online import OnlineReport, ZeroOnlineRow
from motcua.index.reports.quarterly import QuarterlyReport
from motcua.index.reports.supplements import SupplementReport

COUNT, RATE, TEXT, DATETIME = "count", "rate", "text", "datetime"


@dataclass(frozen=True)
class Column:
    key: str  # attribute of the row, dotted for a nested one ("unit.name")
    label: str
    group: str = ""
    kind: str = COUNT
    # The figure the count lists ("" for a count with no list behind it, e.g. procedures).
    figure: str | None = None

    @property
    def linked_figure(self) -> str:
        if self.kind != COUNT:
            return ""
        return self.key if self.figure is None else self.figure


@dataclass(frozen=True)
class Table:
    key: str  # the table's HTML id and Excel sheet
    title: str
    columns: tuple[Column, ...]
    rows: Sequence[Any]
    total: Any = None
    note: str = ""
    empty: str = "Không có số liệu trong kỳ."


def value_of(row: Any, key: str) -> Any:
    value = row
    for part in key.split("."):
        value = getattr(value, part) if value is not None else None
    return value


def percent(value: Decimal | None) -> str:
    """45,45 % as Vietnamese write it; — for a share of nothing."""
    if value is None:
        return "—"
    return f"{value:.2f}".replace(".", ",") + " %"


def local_time(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


def text_of(column: Column, value: Any) -> str:
    if column.kind == RATE:
        return percent(value)
    if column.kind == DATETIME:
        return local_time(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return str(value)


@dataclass(frozen=True)
class HeaderCell:
    label: str
    colspan: int = 1
    rowspan: int = 1


def header_rows(columns: Sequence[Column]) -> tuple[list[HeaderCell], list[HeaderCell]]:
    """The two heading rows: group headings over their columns, ungrouped columns spanning both."""
    top: list[HeaderCell] = []
    bottom: list[HeaderCell] = []
    grouped = any(c.group for c in columns)
    i = 0
    while i < len(columns):
        column = columns[i]
        if not column.group:
            top.append(HeaderCell(column.label, rowspan=2 if grouped else 1))
            i += 1
            continue
        span = 1
        while i + span < len(columns) and columns[i + span].group == column.group:
            span += 1
        top.append(HeaderCell(column.group, colspan=span))
        bottom.extend(HeaderCell(c.label) for c in columns[i : i + span])
        i += span
    return top, bottom


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""
    numeric: bool = False
    label: str = ""  # the column's label, for the phone layout (data-label)


@dataclass
class TableView:
    table: Table
    top: list[HeaderCell]
    bottom: list[HeaderCell]
    rows: list[list[Cell]] = field(default_factory=list)
    total: list[Cell] | None = None


Linker = Callable[[Any, str], str]


def view_of(table: Table, link: Linker | None = None) -> TableView:
    """The table as the page renders it: every count a link to its records when `link` gives one."""
    top, bottom = header_rows(table.columns)

    def cells(row: Any) -> list[Cell]:
        out = []
        for c in table.columns:
            value = value_of(row, c.key)
            href = link(row, c.linked_figure) if link and c.linked_figure and value else ""
            label = f"{c.group}: {c.label}" if c.group else c.label
            out.append(Cell(text_of(c, value), href, c.kind in (COUNT, RATE), label))
        return out

    return TableView(
        table=table,
        top=top,
        bottom=bottom,
        rows=[cells(r) for r in table.rows],
        total=cells(table.total) if table.total is not None else None,
    )


# --- the layouts ---------------------------------------------------------------------------------

UNIT = Column("unit.name", "Cơ quan, đơn vị", kind=TEXT)
UNIT_CODE = Column("unit.code", "Mã đơn vị", kind=TEXT)
# The unit beside what a row names first (an officer, a step, a procedure).
OF_UNIT = Column("unit.name", "Đơn vị", kind=TEXT)


def online_tables(report: OnlineReport, zero: Sequence[ZeroOnlineRow], since: datetime.date) -> list[Table]:
    shares = "Tỷ lệ hồ sơ trực tuyến (R-05)"
    received = "Hồ sơ tiếp nhận trong kỳ"
    return [
        Table(
            "ty-le-truc-tuyen",
            "Tỷ lệ hồ sơ nộp trực tuyến theo đơn vị (R-05)",
            (
                UNIT,
                Column("received", "Tổng số", received),
                Column("online", "Trực tuyến", received),
                Column("counter", "Trực tiếp", received),
                Column("postal", "Bưu chính công ích", received),
                Column("online_share", "Tỷ lệ", shares, RATE),
                Column("target", "Chỉ tiêu (%)", shares, TEXT),
                Column("target_text", "Đánh giá", shares, TEXT),
            ),
            report.rows,
            report.total,
            note=(
                "Chỉ tiêu lấy từ cấu hình MOTCUA_ONLINE_TARGETS (mã đơn vị → tỷ lệ %, “*” cho các đơn vị "
                "khác)."
                if report.targets_configured
                else "Chưa cấu hình chỉ tiêu tỷ lệ trực tuyến cho đơn vị nào (MOTCUA_ONLINE_TARGETS): "
                "chỉ hiện tỷ lệ, không đánh giá đạt hay chưa đạt."
            ),
        ),
        Table(
            "theo-muc-do",
            "Kết quả cung cấp dịch vụ công trực tuyến theo mức độ (R-06)",
            (
                UNIT,
                Column("level_full", "Hồ sơ", "DVC trực tuyến toàn trình"),
                Column("level_full_online", "Nộp trực tuyến", "DVC trực tuyến toàn trình"),
                Column("fully_online_share", "Tỷ lệ", "DVC trực tuyến toàn trình", RATE),
                Column("level_partial", "Hồ sơ", "DVC trực tuyến một phần"),
                Column("level_partial_online", "Nộp trực tuyến", "DVC trực tuyến một phần"),
                Column("partial_online_share", "Tỷ lệ", "DVC trực tuyến một phần", RATE),
                Column("level_none", "Hồ sơ của thủ tục chưa có DVC trực tuyến"),
            ),
            report.rows,
            report.total,
        ),
        Table(
            "dich-vu-truc-tuyen",
            "Thủ tục có dịch vụ công trực tuyến và hồ sơ xử lý toàn trình (R-28)",
            (
                UNIT,
                Column("procedures", "Thủ tục thực hiện", "Thủ tục hành chính", figure=""),
                Column("online_procedures", "Có DVC trực tuyến", "Thủ tục hành chính", figure=""),
                Column("procedures_share", "Tỷ lệ", "Thủ tục hành chính", RATE),
                Column("used_procedures", "DVC có hồ sơ trực tuyến trong kỳ", "Dịch vụ công", figure=""),
                Column("used_share", "Tỷ lệ", "Dịch vụ công", RATE),
                Column("fully_online_share", "Tỷ lệ", "Hồ sơ xử lý toàn trình (chỉ tiêu ≥ 70 %)", RATE),
                Column("fully_online_text", "Đánh giá", "Hồ sơ xử lý toàn trình (chỉ tiêu ≥ 70 %)", TEXT),
            ),
            report.rows,
            report.total,
        ),
        Table(
            "khong-co-truc-tuyen",
            f"Đơn vị không phát sinh hồ sơ trực tuyến từ ngày {since:%d/%m/%Y} (R-05)",
            (
                UNIT_CODE,
                UNIT,
                Column("online_procedures", "Số DVC trực tuyến đang cung cấp", figure=""),
                Column("last_online_at", "Hồ sơ trực tuyến gần nhất", kind=DATETIME),
            ),
            zero,
            note="Đơn vị đang hoạt động, có ít nhất một thủ tục có dịch vụ công trực tuyến, nhưng không có "
            "hồ sơ nào nộp trực tuyến kể từ ngày đã chọn.",
            empty="Mọi đơn vị có dịch vụ công trực tuyến đều có hồ sơ nộp trực tuyến kể từ ngày này.",
        ),
    ]


RECEIVED = "Số hồ sơ nhận giải quyết"
HANDLED = "Số hồ sơ đã giải quyết"
IN_PROGRESS = "Số hồ sơ đang giải quyết"
OTHER_ENDS = "Kết thúc khác"
BESIDES = "Ngoài ra trong kỳ"

QUARTERLY_COLUMNS: tuple[Column, ...] = (
    Column("total", "Tổng số", RECEIVED),
    Column("carried", "Kỳ trước chuyển qua", RECEIVED),
    Column("new", "Mới tiếp nhận", RECEIVED),
    Column("new_online", "Trực tuyến", RECEIVED),
    Column("new_counter", "Trực tiếp", RECEIVED),
    Column("new_postal", "Bưu chính công ích", RECEIVED),
    Column("handled", "Tổng số", HANDLED),
    Column("handled_early", "Trước hạn", HANDLED),
    Column("handled_on_time", "Đúng hạn", HANDLED),
    Column("handled_late", "Quá hạn", HANDLED),
    Column("refused", "Trong đó từ chối giải quyết", HANDLED),
    Column("in_progress", "Tổng số", IN_PROGRESS),
    Column("in_progress_on_time", "Trong hạn", IN_PROGRESS),
    Column("in_progress_late", "Quá hạn", IN_PROGRESS),
    Column("withdrawn", "Rút hồ sơ", OTHER_ENDS),
    Column("stopped", "Dừng xử lý", OTHER_ENDS),
    Column("handled_in_time_share", "Tỷ lệ giải quyết trước hạn, đúng hạn", kind=RATE),
    Column("returned", "Đã trả kết quả", BESIDES),
    Column("rejected", "Từ chối tiếp nhận", BESIDES),
)


def quarterly_tables(report: QuarterlyReport) -> list[Table]:
    first = Column("label", "Lĩnh vực" if report.group == "field" else "Cơ quan, đơn vị", kind=TEXT)
    return [
        Table(
            "ket-qua",
            "Tình hình, kết quả giải quyết thủ tục hành chính (R-10)",
            (first, *QUARTERLY_COLUMNS),
            report.rows,
            report.total,
            note=(
                "Số hồ sơ nhận giải quyết = đã giải quyết + rút + dừng + đang giải quyết. Quá hạn tính theo "
                "ngày hẹn trả (đã cộng thời gian tạm dừng, tính lại sau bổ sung); phiếu xin lỗi hẹn lại "
                "không làm hồ sơ trễ hạn thành đúng hạn."
            ),
        )
    ]


def consultation_tables(report: ConsultationReport) -> list[Table]:
    replies = "Trả lời"
    reminders = "Nhắc trả lời (R-12)"
    return [
        Table(
            "theo-don-vi",
            "Trả lời xin ý kiến theo đơn vị được xin ý kiến (R-16)",
            (
                Column("unit.name", "Đơn vị được xin ý kiến", kind=TEXT),
                Column("due", "Đến hạn trong kỳ"),
                Column("answered_on_time", "Đúng hạn", replies),
                Column("answered_late", "Trễ hạn", replies),
                Column("unanswered_late", "Quá hạn chưa trả lời", replies),
                Column("waiting", "Chưa đến hạn", replies),
                Column("late", "Tổng số trễ hạn"),
                Column("late_share", "Tỷ lệ trễ hạn", kind=RATE),
                Column("reminder1", "Nhắc lần 1", reminders),
                Column("reminder2", "Nhắc lần 2 (gửi kèm Sở Nội vụ)", reminders),
            ),
            report.units,
            report.total,
        ),
        Table(
            "theo-can-bo",
            "Trả lời xin ý kiến theo cán bộ trả lời (R-16)",
            (
                Column("officer", "Cán bộ trả lời", kind=TEXT),
                OF_UNIT,
                Column("answered", "Số lần trả lời", figure="answered"),
                Column("answered_on_time", "Đúng hạn"),
                Column("answered_late", "Trễ hạn"),
            ),
            report.officers,
            note="Yêu cầu chưa có ai trả lời được tính cho đơn vị (bảng trên), không tính cho cá nhân.",
            empty="Không có lượt trả lời nào cho các yêu cầu đến hạn trong kỳ.",
        ),
    ]


def late_tables(report: LateReport) -> list[Table]:
    steps = "Bước xử lý trễ hạn"
    dossiers = "Hồ sơ trễ hạn"
    apologies = "Phiếu xin lỗi ban hành trong kỳ"
    late_steps = (
        Column("late", "Bước trễ hạn"),
        Column("ended_late", "Đã xong"),
        Column("still_open", "Chưa xong"),
    )
    none_late = "Không có bước xử lý nào trễ hạn trong kỳ."
    return [
        Table(
            "theo-don-vi",
            "Hồ sơ, bước xử lý trễ hạn và phiếu xin lỗi theo đơn vị (R-27)",
            (
                UNIT,
                Column("late", "Tổng số", steps),
                Column("ended_late", "Đã xong", steps),
                Column("still_open", "Chưa xong", steps),
                Column("late_dossiers", "Tổng số", dossiers),
                Column("with_apology", "Có phiếu xin lỗi", dossiers),
                Column("without_apology", "Chưa có phiếu xin lỗi", dossiers),
                Column("apology_share", "Tỷ lệ có phiếu xin lỗi", dossiers, RATE),
                Column("apologies", "Tổng số", apologies),
                Column("apologies_in_time", "Gửi trước hạn ≥ 01 ngày làm việc", apologies),
                Column("apologies_late", "Gửi muộn", apologies),
            ),
            report.units,
            report.total,
        ),
        Table(
            "theo-can-bo",
            "Cán bộ có bước xử lý trễ hạn (R-27)",
            (Column("officer", "Cán bộ xử lý", kind=TEXT), OF_UNIT, *late_steps),
            report.officers,
            empty=none_late,
        ),
        Table(
            "theo-buoc",
            "Bước xử lý trễ hạn theo bước của quy trình (R-27)",
            (Column("step", "Bước xử lý", kind=TEXT), OF_UNIT, *late_steps),
            report.steps,
            empty=none_late,
        ),
    ]


def internal_tables(report: InternalReport) -> list[Table]:
    received = "Hồ sơ thủ tục nội bộ tiếp nhận trong kỳ"
    return [
        Table(
            "noi-bo",
            "Hồ sơ thủ tục nội bộ theo cách thức nộp (R-21)",
            (
                UNIT,
                Column("procedures", "Thủ tục nội bộ", "Thủ tục", figure=""),
                Column("online_only", "Chỉ nhận trực tuyến (R-19)", "Thủ tục", figure=""),
                Column("received", "Tổng số", received),
                Column("online", "Trực tuyến", received),
                Column("counter", "Trực tiếp", received),
                Column("postal", "Bưu chính công ích", received),
                Column("online_share", "Tỷ lệ trực tuyến", received, RATE),
                Column("offline_breach", "Nhận trực tiếp, bưu chính dù đã có DVC trực tuyến"),
            ),
            report.rows,
            report.total,
        ),
        Table(
            "tu-choi",
            f"Lượt từ chối tiếp nhận trực tiếp thủ tục nội bộ (R-19): {report.refused_total}",
            (
                Column("unit_name", "Nơi tiếp nhận", kind=TEXT),
                Column("procedure_code", "Mã thủ tục", kind=TEXT),
                Column("procedure_name", "Thủ tục", kind=TEXT),
                Column("attempts", "Số lượt từ chối", figure=""),
            ),
            report.refusals,
            note="Quầy ghi nhận mỗi lượt người nộp bị từ chối vì thủ tục phải nộp trực tuyến (R-19).",
            empty="Không có lượt từ chối nào được ghi nhận trong kỳ.",
        ),
    ]


def on_the_spot_tables(report: OnTheSpotReport) -> list[Table]:
    procedures = "Thủ tục"
    dossiers = "Hồ sơ tiếp nhận trong kỳ"
    return [
        Table(
            "tai-cho",
            "Giải quyết tại chỗ (R-08)",
            (
                UNIT,
                Column("procedures", "Thủ tục thực hiện", procedures, figure=""),
                Column("spot_procedures", "Giải quyết tại chỗ", procedures, figure=""),
                Column("procedures_share", "Tỷ lệ", procedures, RATE),
                Column("received", "Tổng số", dossiers),
                Column("eligible", "Của thủ tục tại chỗ", dossiers),
                Column("on_the_spot", "Giải quyết tại chỗ", dossiers),
                Column("eligible_not_on_the_spot", "Thủ tục tại chỗ, không giải quyết tại chỗ", dossiers),
                Column("eligible_share", "Tỷ lệ trên hồ sơ thủ tục tại chỗ", dossiers, RATE),
                Column("received_share", "Tỷ lệ trên tổng số hồ sơ", dossiers, RATE),
            ),
            report.rows,
            report.total,
        )
    ]


def supplement_tables(report: SupplementReport) -> list[Table]:
    figures = (
        Column("submitted", "Hồ sơ nộp trong kỳ"),
        Column("supplemented", "Có yêu cầu bổ sung"),
        Column("repeated", "Bổ sung từ 2 lần trở lên"),
        Column("repeated_share", "Tỷ lệ bổ sung nhiều lần", kind=RATE),
    )
    return [
        Table(
            "theo-don-vi",
            "Yêu cầu bổ sung theo đơn vị (R-17)",
            (UNIT, *figures),
            report.units,
            report.total,
        ),
        Table(
            "theo-thu-tuc",
            "Yêu cầu bổ sung theo thủ tục (R-17)",
            (
                Column("procedure_code", "Mã thủ tục", kind=TEXT),
                Column("procedure_name", "Thủ tục hành chính", kind=TEXT),
                OF_UNIT,
                *figures,
            ),
            report.procedures,
            note="Chỉ liệt kê thủ tục có hồ sơ phải bổ sung; thủ tục có hồ sơ bổ sung nhiều lần ở trên cùng.",
            empty="Không có hồ sơ nào phải bổ sung trong kỳ.",
        ),
    ]
