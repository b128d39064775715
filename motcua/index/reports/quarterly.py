"""R-10: the quarterly report of one-stop results per unit (letter 001, 2018), in the shape of the
Vietnamese report form on the handling of administrative procedures (tình hình, kết quả giải
quyết TTHC): dossiers to handle (carried over from the previous period + newly received, by
channel), handled (before the deadline, on the deadline, late), being handled at the end of the
period (within the deadline, late), withdrawn, stopped; and beside it the results returned and
the dossiers refused at reception.

Definitions (period [S, E), Vietnam's days; C = E, or now if the period has not ended):
- to handle: received before E and not finished before S; carried over if received before S.
- handled: finished in the period with a result (`finished_at`, the national status "Đã xử lý
  xong", REGULATIONS §1.3 rule 2.1) — a refusal after appraisal is a result (R-14), shown as
  "of which refused"; withdrawn (R-15) and stopped (NĐ 118 Điều 21) are counted apart.
- before the deadline: finished on a day before the appointment day; on the deadline: on the
  appointment day, not after its hour; late: after `due_at` (the deadline as the law counts it:
  pauses added, restarted after a supplement). An apology's new date does not make a late dossier
  on time (REGULATIONS §2.5). No deadline at all (none was due): on time.
- being handled: not finished at E; late if its deadline passed before C, except a dossier paused
  or waiting for the applicant's supplement since before its deadline, whose clock stands still
  (as the queues' "Quá hạn", dossiers.selectors._overdue_q; paused after the deadline, it was late
  already).
So every dossier to handle is exactly one of handled / withdrawn / stopped / being handled.

Rows are the deciding units (the unit that answers for the result), or the fields (lĩnh vực) of
the procedures, as the form lists them, within the units chosen.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThan

from motcua.catalog.models import Channel, Field
from motcua.dossiers.models import Dossier, DossierEvent, DossierPause
from motcua.dossiers.states import Action, State
from motcua.index.reports import common
from motcua.index.reports.common import LOCAL_TZ, TOTAL, Figure, UnitRef, Window, rate
from motcua.sync.selectors import Period, UnitTree

RESULT_STATES = (State.RESULT_READY, State.RETURNED)

GROUPS = {"unit": "deciding_unit_id", "field": "procedure__field_id"}


def _to_handle(w: Window) -> Q:
    return Q(received_at__isnull=False, received_at__lt=w.end) & (
        Q(finished_at__isnull=True) | Q(finished_at__gte=w.start)
    )


def _finished_in(w: Window) -> Q:
    return _to_handle(w) & Q(finished_at__gte=w.start, finished_at__lt=w.end)


def _handled(w: Window) -> Q:
    return _finished_in(w) & Q(state__in=RESULT_STATES)


def _early() -> LessThan:
    return LessThan(TruncDate("finished_at", tzinfo=LOCAL_TZ), TruncDate("due_at", tzinfo=LOCAL_TZ))


def _handled_late(w: Window) -> Q:
    return _handled(w) & Q(finished_at__gt=F("due_at"))


def _handled_early(w: Window) -> Q:
    return _handled(w) & Q(due_at__isnull=False) & Q(_early())


def _handled_on_time(w: Window) -> Q:
    # On the appointment day, not after its hour; or no appointment at all.
    return _handled(w) & (Q(due_at__isnull=True) | (Q(finished_at__lte=F("due_at")) & ~Q(_early())))


def _refused(w: Window) -> Q:
    # The refusal's `issue_result` event is the one that finished the dossier (same instant as
    # `finished_at`), so it falls in the period too: read by (action, at), never the whole log.
    refusals = DossierEvent.objects.filter(
        action=Action.ISSUE_RESULT, data__outcome="refusal", at__gte=w.start, at__lt=w.end
    ).values("dossier_id")
    return _handled(w) & Q(pk__in=refusals)


def _in_progress(w: Window) -> Q:
    return _to_handle(w) & (Q(finished_at__isnull=True) | Q(finished_at__gte=w.end))


def _clock_stopped_before_due() -> Exists:
    """Paused, or waiting for the applicant, since before the deadline (and still): the dossier is
    not getting later (R-13, NĐ 118 Điều 17); one paused after its deadline had already passed
    was late before the pause."""
    return Exists(
        DossierPause.objects.filter(
            dossier_id=OuterRef("pk"), ended_at__isnull=True, started_at__lt=OuterRef("due_at")
        )
    )


def _in_progress_late(w: Window) -> Q:
    return _in_progress(w) & Q(due_at__lt=w.cutoff) & ~Q(_clock_stopped_before_due())


def _in_progress_on_time(w: Window) -> Q:
    return _in_progress(w) & ~_in_progress_late(w)


def _returned(w: Window) -> Q:
    return Q(returned_at__gte=w.start, returned_at__lt=w.end)


def _rejected(w: Window) -> Q:
    return Q(state=State.REJECTED, received_at__isnull=True, finished_at__gte=w.start, finished_at__lt=w.end)


def records(w: Window) -> QuerySet[Dossier]:
    """Every dossier the report may count: to handle in the period, result returned in it, or
    refused at reception in it. Each of them is unfinished, finished since the start, or returned
    since the start: stated first, so that the database can read only those rows (open and recent
    dossiers, through indexes on `finished_at` and `returned_at`) instead of the whole history."""
    recent = (
        Q(finished_at__isnull=True)
        | Q(finished_at__gte=w.start)
        | Q(returned_at__gte=w.start, returned_at__lt=w.end)
    )
    return Dossier.objects.filter(recent).filter(_to_handle(w) | _returned(w) | _rejected(w))


FIGURES: dict[str, Figure] = common.figure_table(
    Figure("total", "Tổng số hồ sơ nhận giải quyết", _to_handle),
    Figure("carried", "Số kỳ trước chuyển qua", lambda w: _to_handle(w) & Q(received_at__lt=w.start)),
    Figure("new", "Số mới tiếp nhận", lambda w: _to_handle(w) & Q(received_at__gte=w.start)),
    Figure(
        "new_online",
        "Mới tiếp nhận trực tuyến",
        lambda w: _to_handle(w) & Q(received_at__gte=w.start, channel=Channel.ONLINE),
    ),
    Figure(
        "new_counter",
        "Mới tiếp nhận trực tiếp",
        lambda w: _to_handle(w) & Q(received_at__gte=w.start, channel=Channel.COUNTER),
    ),
    Figure(
        "new_postal",
        "Mới tiếp nhận qua bưu chính công ích",
        lambda w: _to_handle(w) & Q(received_at__gte=w.start, channel=Channel.POSTAL),
    ),
    Figure("handled", "Đã giải quyết", _handled),
    Figure("handled_early", "Đã giải quyết trước hạn", _handled_early),
    Figure("handled_on_time", "Đã giải quyết đúng hạn", _handled_on_time),
    Figure("handled_late", "Đã giải quyết quá hạn", _handled_late),
    Figure("refused", "Trong đó từ chối giải quyết (có văn bản nêu lý do)", _refused),
    Figure("in_progress", "Đang giải quyết", _in_progress),
    Figure("in_progress_on_time", "Đang giải quyết trong hạn", _in_progress_on_time),
    Figure("in_progress_late", "Đang giải quyết quá hạn", _in_progress_late),
    Figure(
        "withdrawn",
        "Rút hồ sơ (theo yêu cầu của người nộp)",
        lambda w: _finished_in(w) & Q(state=State.WITHDRAWN),
    ),
    Figure("stopped", "Dừng xử lý", lambda w: _finished_in(w) & Q(state=State.STOPPED)),
    Figure("returned", "Đã trả kết quả trong kỳ", _returned),
    Figure("rejected", "Từ chối tiếp nhận trong kỳ", _rejected),
)

LISTING = common.dossier_listing(
    records, FIGURES, order=("received_at", "submitted_at", "pk"), params={"field": "procedure__field__code"}
)


@dataclass(frozen=True)
class QuarterlyRow:
    unit: UnitRef | None  # the row's unit (grouped by unit)
    field: tuple[str, str] | None  # (code, name) of the row's field (grouped by field)
    total: int
    carried: int
    new: int
    new_online: int
    new_counter: int
    new_postal: int
    handled: int
    handled_early: int
    handled_on_time: int
    handled_late: int
    refused: int
    in_progress: int
    in_progress_on_time: int
    in_progress_late: int
    withdrawn: int
    stopped: int
    returned: int
    rejected: int

    @property
    def label(self) -> str:
        if self.unit is not None:
            return self.unit.name
        return self.field[1] if self.field else "(không rõ lĩnh vực)"

    @property
    def handled_in_time(self) -> int:
        return self.handled_early + self.handled_on_time

    @property
    def handled_in_time_share(self) -> Decimal | None:
        return rate(self.handled_in_time, self.handled)

    @property
    def link_params(self) -> dict[str, str]:
        if self.field is not None:
            return {"field": self.field[0]}
        return {"row": self.unit.code} if self.unit and self.unit.code else {}


@dataclass(frozen=True)
class QuarterlyReport:
    window: Window
    group: str  # "unit" | "field"
    rows: list[QuarterlyRow]
    total: QuarterlyRow


def quarterly_report(
    period: Period,
    units: frozenset[int] | None,
    *,
    now: datetime.datetime,
    group: str = "unit",
    tree: UnitTree | None = None,
) -> QuarterlyReport:
    """R-10 for the deciding units in `units` (None = all), one row per unit or per field of
    procedures: one query for the figures (and one for the fields' names)."""
    window = Window(period, now)
    tree = tree or common.unit_tree()
    counts = LISTING.counts(window, units, [GROUPS[group]])
    rows: list[QuarterlyRow] = []
    if group == "field":
        names = {
            pk: (code, name)
            for pk, code, name in Field.objects.filter(pk__in=[k[0] for k in counts]).values_list(
                "pk", "code", "name"
            )
        }
        for (pk,), values in counts.items():
            rows.append(QuarterlyRow(unit=None, field=names.get(pk, ("", "")), **values))
        rows.sort(key=lambda r: r.label)
    else:
        for (pk,), values in counts.items():
            rows.append(QuarterlyRow(unit=common.unit_ref(tree, pk), field=None, **values))
        rows.sort(key=lambda r: r.unit.code)
    total = common.summed(rows, QuarterlyRow, unit=TOTAL, field=None)
    return QuarterlyReport(window=window, group=group, rows=rows, total=total)
