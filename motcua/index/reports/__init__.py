"""The one-stop reports the province's letters ask for (issue 10 item 5): each a page for officials,
an Excel file, and a PDF where a signature goes (R-10).

`REPORTS` lists them for the /bao-cao/ landing page: (slug, title, rule, url name, description).
The url names are those of `motcua.backoffice.views.reports.urlpatterns`, under whatever namespace
that module is included in; each report's list of dossiers behind a figure is `<url name>-list`.
"""

from typing import NamedTuple


class ReportInfo(NamedTuple):
    slug: str  # the page's path segment under the reports' mount point
    title: str
    rule: str  # the rules it answers (R-nn), as the pages cite them
    url_name: str
    description: str


REPORTS: list[ReportInfo] = [
    ReportInfo(
        "ty-le-truc-tuyen",
        "Tỷ lệ hồ sơ trực tuyến",
        "R-05, R-06, R-28",
        "report-online",
        "Hồ sơ tiếp nhận theo cách thức nộp, tỷ lệ trực tuyến so với chỉ tiêu, kết quả theo mức độ dịch vụ "
        "công trực tuyến, hồ sơ xử lý toàn trình; danh sách đơn vị không có hồ sơ trực tuyến từ một ngày.",
    ),
    ReportInfo(
        "ket-qua-giai-quyet",
        "Kết quả giải quyết TTHC theo quý",
        "R-10",
        "report-quarterly",
        "Báo cáo định kỳ kết quả giải quyết thủ tục hành chính tại Bộ phận Một cửa: tiếp nhận (kỳ trước "
        "chuyển qua, mới tiếp nhận theo cách thức), đã giải quyết trước hạn, đúng hạn, quá hạn, đang giải "
        "quyết; tải Excel và PDF có chỗ ký.",
    ),
    ReportInfo(
        "xin-y-kien-tre-han",
        "Trả lời xin ý kiến trễ hạn",
        "R-16",
        "report-consultations",
        "Yêu cầu xin ý kiến trả lời trễ hạn hoặc quá hạn chưa trả lời theo đơn vị được xin ý kiến và theo "
        "cán bộ, các lần nhắc đã gửi — phục vụ đánh giá cán bộ của Sở Nội vụ.",
    ),
    ReportInfo(
        "tre-han",
        "Hồ sơ trễ hạn theo bước, cán bộ; phiếu xin lỗi",
        "R-27",
        "report-late",
        "Hằng tháng: bước xử lý trễ hạn theo đơn vị, bước, cán bộ; hồ sơ trễ hạn có và chưa có phiếu "
        "xin lỗi; phiếu xin lỗi đã ban hành.",
    ),
    ReportInfo(
        "thu-tuc-noi-bo",
        "Tuân thủ thủ tục nội bộ",
        "R-21",
        "report-internal",
        "Hồ sơ thủ tục nội bộ theo cách thức nộp và tỷ lệ trực tuyến; hồ sơ nhận trực tiếp dù thủ tục đã có "
        "dịch vụ công trực tuyến.",
    ),
    ReportInfo(
        "giai-quyet-tai-cho",
        "Giải quyết tại chỗ",
        "R-08",
        "report-on-the-spot",
        "Thủ tục giải quyết tại chỗ và tỷ lệ hồ sơ được tiếp nhận, thẩm định, phê duyệt ngay trong một lượt "
        "tại quầy.",
    ),
    ReportInfo(
        "bo-sung-nhieu-lan",
        "Hồ sơ yêu cầu bổ sung nhiều lần",
        "R-17",
        "report-supplements",
        "Hồ sơ bị yêu cầu bổ sung, hoàn thiện từ hai lần trở lên theo đơn vị và thủ tục.",
    ),
]

BY_SLUG: dict[str, ReportInfo] = {r.slug: r for r in REPORTS}


def readable_reports(user) -> list[ReportInfo]:
    """The reports `user` may open (R-26), in `REPORTS` order: for the landing page's menu."""
    from motcua.index.reports.common import reader_scope

    # R-16 is also read by the Department of Home Affairs; the others by the same readers.
    general = reader_scope(user, "R-05").allowed
    consultations = reader_scope(user, "R-16").allowed
    return [r for r in REPORTS if (consultations if r.rule == "R-16" else general)]
