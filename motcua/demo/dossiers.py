"""Demo dossiers in every state, so that a newcomer opening `/can-bo/` finds full queues.

Each dossier is driven through the same services the counter and the API use (`submit`, `apply`),
with times in the past, so its history, deadlines, process-control sheet and hash-chained events are
what a real one would have — not rows written by hand. The set is made once: when the database
already holds dossiers (a second `load_demo`, or a real installation) nothing is added.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from motcua.calendar.services import get_calendar
from motcua.catalog.models import Procedure
from motcua.demo.signing import plain_pdf, signed_pdf
from motcua.documents.models import Document, DocumentKind, DocumentOrigin
from motcua.documents.services import store_document
from motcua.dossiers import services
from motcua.dossiers.context import ActionInput
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services import ApplicantInput, SubmissionInput
from motcua.dossiers.states import State

NOTARY = "1.019901"  # Thành lập Văn phòng công chứng — Sở Tư pháp, via the Centre's counter 1
CONSULTED = "1.019914"  # internal, Sở Nội vụ consults Sở Tài chính, via the Centre's counter 3
ON_THE_SPOT = "2.000815"  # Chứng thực bản sao từ bản chính — phường Trấn Biên, on the spot
FINANCE = "000.00.03.H19"
WARD = "000.00.61.H19"

# Who acts at each step of the notary procedure's process (step order → username).
NOTARY_HANDLERS = {2: "chuyenvien.sotuphap", 3: "truongphong.sotuphap", 4: "lanhdao.sotuphap"}
LAST_SIGNER = "lanhdao.ubndtinh"  # step 5: the provincial People's Committee decides

# Synthetic applicants (the 0750… identifiers of accounts.json's comment; never a real person's).
PEOPLE = [
    ("075088000011", "Trần Văn Bình", "0900000011"),
    ("075088000012", "Lê Thị Cúc", "0900000012"),
    ("075088000013", "Phạm Quốc Dũng", "0900000013"),
    ("075088000014", "Ngô Thị Én", "0900000014"),
    ("075088000015", "Đỗ Minh Giang", "0900000015"),
    ("075088000016", "Vương Thị Hạnh", "0900000016"),
    ("075088000017", "Lý Văn Khải", "0900000017"),
    ("075088000018", "Tạ Thị Liên", "0900000018"),
]
User = get_user_model()
# Online, the applicant is the signed-in account's own verified identity: nothing is typed.
OWN_IDENTITY = ApplicantInput(kind="", identifier="", name="")
CONGDAN1 = ApplicantInput(
    kind="citizen",
    identifier="075088000001",
    name="Nguyễn Văn Thử",
    phone="0900000001",
    address="Khu phố 1, phường Trấn Biên, tỉnh Đồng Nai",
)


@dataclass
class DemoDossiers:
    """What was made, by state (Vietnamese label → codes), for the command's summary."""

    by_state: dict[str, list[str]] = field(default_factory=dict)
    skipped: bool = False

    def lines(self) -> list[str]:
        if self.skipped:
            return ["Hồ sơ mẫu: cơ sở dữ liệu đã có hồ sơ, không tạo thêm."]
        total = sum(len(codes) for codes in self.by_state.values())
        lines = [f"Hồ sơ mẫu: {total} hồ sơ"]
        lines += [f"  {label}: {', '.join(codes)}" for label, codes in self.by_state.items()]
        return lines


class _Clock:
    """Working-time instants counted back from now, so the demo's deadlines look like today's."""

    def __init__(self, now: datetime.datetime):
        self.now = now
        self.calendar = get_calendar()

    def days_ago(self, days: int, hour: int = 8, minute: int = 30) -> datetime.datetime:
        local = timezone.localtime(self.now)
        day = local.date()
        while days > 0:
            day -= datetime.timedelta(days=1)
            if self.calendar.is_working_day(day):
                days -= 1
        instant = local.replace(
            year=day.year, month=day.month, day=day.day, hour=hour, minute=minute, second=0, microsecond=0
        )
        return min(instant, self.now - datetime.timedelta(minutes=5))


class _Maker:
    def __init__(self, now: datetime.datetime):
        self.clock = _Clock(now)
        self.result = DemoDossiers()
        self._people = iter(PEOPLE * 4)
        self._users: dict[str, object] = {}
        self._scan_pdfs: dict[int, bytes] = {}

    def user(self, username: str):
        if username not in self._users:
            self._users[username] = User.objects.get(username=username)
        return self._users[username]

    def applicant(self) -> ApplicantInput:
        identifier, name, phone = next(self._people)
        return ApplicantInput(
            kind="citizen",
            identifier=identifier,
            name=name,
            phone=phone,
            address="Khu phố 3, phường Trấn Biên, tỉnh Đồng Nai",
        )

    def document(self, kind: str, title: str, by: str, *, signed: bool = False) -> Document:
        actor = self.user(by)
        # A result or a head's approval carries a real signature that the demo CA verifies.
        content = signed_pdf(title, signer=actor.get_full_name()) if signed else plain_pdf(title)
        return store_document(name=f"{title}.pdf", content=content, kind=kind, uploaded_by=actor)

    def scans(self, procedure: str) -> list[services.Upload]:
        """The counter scans every paper handed in, one page each here (TT 03/2025 Điều 5)."""
        case = Procedure.objects.get(code=procedure).cases.order_by("pk").first()
        uploads = []
        for component in case.documents.order_by("order", "pk") if case else []:
            if component.pk not in self._scan_pdfs:
                self._scan_pdfs[component.pk] = plain_pdf(component.name, "Bản quét tại Bộ phận Một cửa")
            uploads.append(
                services.Upload(
                    name=f"Bản quét - {component.name[:100]}.pdf",
                    content=self._scan_pdfs[component.pk],
                    kind=DocumentKind.SUBMITTED,
                    required_document_id=component.pk,
                    origin=DocumentOrigin.SCANNED,
                )
            )
        return uploads

    def submit(self, procedure: str, by: str, at: datetime.datetime, *, applicant=None, **extra) -> Dossier:
        channel = extra.pop("channel", "counter")
        uploads = self.scans(procedure) if channel == "counter" else []
        documents = services.store_uploads(uploads, self.user(by))
        data = SubmissionInput(
            procedure_code=procedure,
            channel=channel,
            applicant=applicant or self.applicant(),
            summary=extra.pop("summary", ""),
            documents=[d.pk for d in documents],
            **extra,
        )
        dossier = services.submit(data, actor=self.user(by), now=at)
        services.link_required_documents(dossier, uploads, documents)
        return dossier

    def act(self, dossier: Dossier, action: str, by: str, at: datetime.datetime, **fields) -> Dossier:
        version = Dossier.objects.values_list("version", flat=True).get(pk=dossier.pk)
        fields["documents"] = [d.pk for d in fields.get("documents", [])]
        return services.apply(
            dossier.code, action, self.user(by), ActionInput(version=version, **fields), now=at
        )

    def receive(self, dossier: Dossier, by: str, at: datetime.datetime) -> Dossier:
        """The officer ticks every component handed in on paper (R-17: only a complete dossier is
        received); the demo's applicants bring them all."""
        handed_in = list(dossier.case.documents.values_list("pk", flat=True))
        pages = dict(
            DossierDocument.objects.filter(dossier=dossier, required_document__isnull=False).values_list(
                "required_document_id", "document__page_count"
            )
        )
        return self.act(dossier, "receive", by, at, components=handed_in, pages=pages)

    def keep(self, dossier: Dossier) -> None:
        label = State(dossier.state).label
        self.result.by_state.setdefault(label, []).append(dossier.code)

    # -- the notary procedure's path, step by step ------------------------------------------------

    def notary_received(self, at: datetime.datetime, applicant: ApplicantInput | None = None) -> Dossier:
        d = self.submit(NOTARY, "tiepnhan.tinh", at, applicant=applicant)
        return self.receive(d, "tiepnhan.tinh", at)

    def notary_at_step(
        self,
        order: int,
        at: datetime.datetime,
        *,
        step_gap_hours: int = 3,
        applicant: ApplicantInput | None = None,
    ) -> Dossier:
        d = self.notary_received(at, applicant)
        d = self.act(d, "forward", "tiepnhan.tinh", at + datetime.timedelta(minutes=20))
        moment = at + datetime.timedelta(hours=1)
        while d.current_step.order < order:
            moment += datetime.timedelta(hours=step_gap_hours)
            d = self.act(d, "forward", NOTARY_HANDLERS[d.current_step.order], min(moment, self.clock.now))
        return d


def _scenarios(m: _Maker) -> list[Callable[[], Dossier]]:
    c = m.clock
    later = datetime.timedelta

    def online_by(username: str, at: datetime.datetime) -> Dossier:
        # Sent from the portal by an account signed in with its own identity: waits at the counter.
        return m.submit(NOTARY, username, at, channel="online", applicant=OWN_IDENTITY)

    def submitted_online() -> Dossier:
        return online_by("congdan1", c.days_ago(0, 7, 45))

    def submitted_online_business() -> Dossier:
        return online_by("doanhnghiep1", c.days_ago(1, 15, 10))

    def received() -> Dossier:
        return m.notary_received(c.days_ago(0, 8, 5))

    def processing_fresh() -> Dossier:
        return m.notary_at_step(2, c.days_ago(2))

    def processing_with_head() -> Dossier:
        return m.notary_at_step(3, c.days_ago(8))

    def processing_due_soon() -> Dossier:
        # 20 working days: received 19 working days ago, due tomorrow.
        return m.notary_at_step(4, c.days_ago(19, 9, 0))

    def processing_overdue() -> Dossier:
        return m.notary_at_step(2, c.days_ago(23, 10, 0))

    def awaiting_supplement() -> Dossier:
        start = c.days_ago(4)
        d = m.notary_at_step(2, start)
        return m.act(
            d,
            "request_supplement",
            "chuyenvien.sotuphap",
            start + later(days=1),
            reason="Hồ sơ thiếu giấy tờ theo quy định",
            items=["Đề án thành lập Văn phòng công chứng", "Bản sao Quyết định bổ nhiệm công chứng viên"],
        )

    def paused() -> Dossier:
        start = c.days_ago(5)
        d = m.notary_at_step(2, start)
        return m.act(
            d,
            "pause",
            "chuyenvien.sotuphap",
            start + later(days=1),
            pause_reason="financial_obligation",
            reason="Chờ tổ chức nộp phí thẩm định tiêu chuẩn, điều kiện hành nghề",
        )

    def awaiting_consultation() -> Dossier:
        start = c.days_ago(3)
        applicant = ApplicantInput(
            kind="state_body", identifier=WARD, name="Ủy ban nhân dân phường Trấn Biên"
        )
        d = m.submit(CONSULTED, "tiepnhan.tinh3", start, applicant=applicant)
        d = m.receive(d, "tiepnhan.tinh3", start)
        d = m.act(d, "forward", "tiepnhan.tinh3", start + later(minutes=30))
        return m.act(
            d,
            "consult",
            "chuyenvien.sonoivu",
            start + later(hours=2),
            to_unit=FINANCE,
            reply_days=3,
            content="Đề nghị Sở Tài chính cho ý kiến về phương án tài chính, tài sản của đơn vị.",
        )

    def withdrawal_requested_at(start: datetime.datetime) -> Dossier:
        # The applicant's written request, handed in at the counter.
        d = m.notary_at_step(2, start)
        request = m.document(DocumentKind.WITHDRAWAL_REQUEST, "Đơn đề nghị rút hồ sơ", "tiepnhan.tinh")
        return m.act(d, "request_withdrawal", "tiepnhan.tinh", start + later(days=1), documents=[request])

    def withdrawal_requested() -> Dossier:
        return withdrawal_requested_at(c.days_ago(6))

    def withdrawn() -> Dossier:
        start = c.days_ago(9)
        d = withdrawal_requested_at(start)
        approval = m.document(
            DocumentKind.WITHDRAWAL_APPROVAL, "Văn bản đồng ý rút hồ sơ", "lanhdao.sotuphap", signed=True
        )
        return m.act(d, "approve_withdrawal", "lanhdao.sotuphap", start + later(days=2), documents=[approval])

    def result_issued_at(start: datetime.datetime, applicant: ApplicantInput | None = None) -> Dossier:
        # The Chairman's signed decision, six days after the hand-over.
        d = m.notary_at_step(5, start, applicant=applicant)
        title = "Quyết định cho phép thành lập Văn phòng công chứng"
        result = m.document(DocumentKind.RESULT, title, LAST_SIGNER, signed=True)
        return m.act(d, "issue_result", LAST_SIGNER, start + later(days=6), documents=[result])

    def result_ready() -> Dossier:
        return result_issued_at(c.days_ago(15))

    def returned() -> Dossier:
        # Handed in at the counter by congdan1 (the same person as his VNeID account): his "Hồ sơ của
        # tôi" holds a finished dossier to rate (R-32) and a signed result to take again (R-30).
        start = c.days_ago(18)
        d = result_issued_at(start, CONGDAN1)
        return m.act(d, "return_result", "tiepnhan.tinh", start + later(days=7), delivery="counter")

    def returned_on_the_spot() -> Dossier:
        start = c.days_ago(1, 9, 15)
        d = m.submit(ON_THE_SPOT, "tiepnhan.tranbien", start)
        d = m.receive(d, "tiepnhan.tranbien", start + later(minutes=5))
        result = m.document(DocumentKind.RESULT, "Bản sao chứng thực", "tiepnhan.tranbien", signed=True)
        d = m.act(d, "issue_result", "tiepnhan.tranbien", start + later(minutes=25), documents=[result])
        return m.act(d, "return_result", "tiepnhan.tranbien", start + later(minutes=30), delivery="counter")

    def rejected() -> Dossier:
        start = c.days_ago(2, 14, 0)
        d = m.submit(NOTARY, "tiepnhan.tinh", start)
        return m.act(
            d,
            "reject",
            "tiepnhan.tinh",
            start + later(minutes=10),
            reason="Hồ sơ không thuộc thẩm quyền giải quyết của Sở Tư pháp.",
        )

    def stopped() -> Dossier:
        start = c.days_ago(12)
        d = m.notary_at_step(4, start)
        notice = m.document(
            DocumentKind.STOP_NOTICE, "Thông báo dừng giải quyết hồ sơ", "lanhdao.sotuphap", signed=True
        )
        return m.act(
            d,
            "stop",
            "lanhdao.sotuphap",
            start + later(days=3),
            reason="Tổ chức đề nghị dừng giải quyết do thay đổi phương án thành lập.",
            documents=[notice],
        )

    return [
        submitted_online,
        submitted_online_business,
        received,
        processing_fresh,
        processing_with_head,
        processing_due_soon,
        processing_overdue,
        awaiting_supplement,
        paused,
        awaiting_consultation,
        withdrawal_requested,
        withdrawn,
        result_ready,
        returned,
        returned_on_the_spot,
        rejected,
        stopped,
    ]


def load_demo_dossiers(now: datetime.datetime | None = None) -> DemoDossiers:
    """Make the demo dossiers, all or none (one transaction), unless the database has dossiers."""
    maker = _Maker(now or timezone.now())
    if Dossier.objects.exists():
        maker.result.skipped = True
        return maker.result
    with transaction.atomic():
        for scenario in _scenarios(maker):
            maker.keep(scenario())
    return maker.result
