"""Synthetic load data: `manage.py generate_dossiers --count 1000000 [--seed N]` (DESIGN.md CLI).

Dossiers are spread over the catalogue's published procedures and their reception points in force
(so routing obeys R-01/R-02/R-19 as configured), with a realistic mix of channels, states and
dates over the last `--days` days: old dossiers are mostly returned, recent ones are still being
received, processed, paused or waiting for their result to be collected, and some are late.

What is written, in bulk (bulk_create in batches, one transaction per batch):
- synthetic citizens (personal numbers 075098xxxxxx: the demo's fake 0750… range, never a real
  person's number), reused across dossiers;
- dossiers with a code from the same per-unit daily sequence as real submissions — the counter rows
  are raised afterwards, so later real submissions continue the sequence without a duplicate;
- **one `submit` event per dossier**, hashed onto an empty chain exactly as `services.submit` does
  (`audit.chain_event`), with `data.synthetic = true`: `verify_audit` finds every chain intact.
  The states a generated dossier reached later are not backed by events — it is load data, not
  history — so the event log of a generated dossier shows its submission only;
- the fees of the case for the channel (as `submit` copies them), paid for dossiers past reception
  except those paused for the financial obligation: at the counter, or — for about half the online
  dossiers and one counter dossier in ten (the citizen pays by the link of the receipt) — on the
  national payment platform (R-29, indicators 3.4/3.6);
- for dossiers being processed or waiting for collection: their current step (open), for paused or
  supplement-awaiting ones their open pause, and for some a consultation of another department
  (R-12), a few of them overdue and reminded;
- no outbox message: generated dossiers are never sent to the national portal;
- `dossiers.signals.bulk_written` with the batch's ids, in its transaction (the 766 index marks them).
"""

import datetime
import random
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from motcua.calendar.services import get_calendar
from motcua.catalog.models import Channel, ProcessVersion, ReceptionPoint
from motcua.consultations.models import Consultation
from motcua.core.text import fold
from motcua.dossiers import audit
from motcua.dossiers.models import (
    REFORM_DATE,
    Dossier,
    DossierCounter,
    DossierEvent,
    DossierFee,
    DossierPause,
    DossierStep,
    LegalBasis,
    PauseKind,
    ResultDelivery,
)
from motcua.dossiers.signals import bulk_written
from motcua.dossiers.states import State
from motcua.org.models import Applicant, ApplicantKind, Role, Unit, UnitKind

MAX_COUNT = 10_000_000
IDENTIFIER_PREFIX = "075098"  # + 6 digits: the demo's synthetic 0750… personal numbers
SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # as motcua.dossiers.codes

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trịnh",
    "Mai",
    "Tạ",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Minh",
    "Ngọc",
    "Thanh",
    "Đức",
    "Hữu",
    "Quốc",
    "Thu",
    "Kim",
    "Mỹ",
    "Thành",
    "Hoài",
    "Bảo",
    "Gia",
    "Xuân",
]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hoa",
    "Hùng",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Phương",
    "Quang",
    "Tâm",
    "Thảo",
    "Trung",
    "Tuấn",
    "Uyên",
    "Vy",
    "Yến",
    "Thư",
    "Sơn",
    "Hiếu",
    "Nhung",
    "Khánh",
    "Đạt",
    "Trâm",
    "Thắng",
    "Hạnh",
]

# State mix by the dossier's age in days (weights). Old dossiers are mostly finished; a few linger
# (forgotten at a counter, still processed long after their due date).
STATE_MIX: list[tuple[float, dict[str, float]]] = [
    (
        1,
        {
            State.SUBMITTED: 30,
            State.RECEIVED: 15,
            State.PROCESSING: 40,
            State.AWAITING_SUPPLEMENT: 3,
            State.REJECTED: 2,
            State.RETURNED: 10,
        },
    ),
    (
        30,
        {
            State.SUBMITTED: 1,
            State.RECEIVED: 2,
            State.PROCESSING: 45,
            State.AWAITING_SUPPLEMENT: 5,
            State.PAUSED: 2,
            State.WITHDRAWAL_REQUESTED: 1,
            State.RESULT_READY: 12,
            State.RETURNED: 27,
            State.REJECTED: 3,
            State.STOPPED: 1,
            State.WITHDRAWN: 1,
        },
    ),
    (
        90,
        {
            State.PROCESSING: 5,
            State.AWAITING_SUPPLEMENT: 1,
            State.RESULT_READY: 4,
            State.RETURNED: 83,
            State.REJECTED: 4,
            State.STOPPED: 1.5,
            State.WITHDRAWN: 1.5,
        },
    ),
    (
        float("inf"),
        {
            State.SUBMITTED: 0.05,
            State.PROCESSING: 0.3,
            State.RESULT_READY: 0.8,
            State.RETURNED: 91,
            State.REJECTED: 4,
            State.STOPPED: 2,
            State.WITHDRAWN: 1.85,
        },
    ),
]
CHANNEL_WEIGHTS = {Channel.ONLINE: 60, Channel.COUNTER: 35, Channel.POSTAL: 5}
WITH_CURRENT_STEP = {
    State.PROCESSING,
    State.AWAITING_SUPPLEMENT,
    State.PAUSED,
    State.WITHDRAWAL_REQUESTED,
    State.RESULT_READY,
}
FINISHED = {State.RESULT_READY, State.RETURNED, State.REJECTED, State.STOPPED, State.WITHDRAWN}


@dataclass
class Route:
    """One way a procedure's dossier arrives: a reception point with its case, time limit and process."""

    point: ReceptionPoint
    case_id: int
    time_limit: Decimal
    time_limit_unit: str
    process_version_id: int | None
    steps: list = field(default_factory=list)  # the version's ProcessSteps, in order
    internal: bool = False
    summary: str = ""
    fees: list = field(default_factory=list)  # the case's catalog Fees for this channel


@dataclass
class Pending:
    """A dossier built in memory with what goes with it once it has a primary key."""

    dossier: Dossier
    event: DossierEvent
    step: DossierStep | None = None
    pause: DossierPause | None = None
    consultation: Consultation | None = None
    fees: list[DossierFee] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Sinh hồ sơ tổng hợp để đo hiệu năng (dữ liệu giả, mỗi hồ sơ có một sự kiện nộp hồ sơ "
        "với chuỗi băm hợp lệ). Cần nạp dữ liệu mẫu trước (load_demo)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000, help="Số hồ sơ cần sinh (mặc định 1000).")
        parser.add_argument("--seed", type=int, default=1, help="Hạt giống ngẫu nhiên (mặc định 1).")
        parser.add_argument(
            "--days", type=int, default=730, help="Ngày nộp trải trong bấy nhiêu ngày gần nhất (730)."
        )
        parser.add_argument("--batch", type=int, default=5000, help="Số hồ sơ mỗi lô ghi (5000).")

    def handle(self, *args, count: int, seed: int, days: int, batch: int, **options):
        if not 1 <= count <= MAX_COUNT:
            raise CommandError(f"--count phải từ 1 đến {MAX_COUNT:,}.")
        if not 1 <= days <= 3650:
            raise CommandError("--days phải từ 1 đến 3650.")
        generator = Generator(seed=seed, days=days, now=timezone.now())
        began = time.perf_counter()
        done = 0
        while done < count:
            size = min(max(100, batch), count - done)
            generator.write_batch(size)
            done += size
            if options["verbosity"] >= 2 or (options["verbosity"] >= 1 and done % 100_000 < size):
                rate = done / (time.perf_counter() - began)
                self.stdout.write(f"  {done:,}/{count:,} hồ sơ ({rate:,.0f} hồ sơ/giây)")
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Fresh statistics for the planner, and the visibility map set so that the queues'
            # covering indexes are read without visiting the table (index-only scans).
            with connection.cursor() as cursor:
                cursor.execute(
                    "VACUUM (ANALYZE) dossiers_dossier, dossiers_dossierstep, consultations_consultation"
                )
        elapsed = time.perf_counter() - began
        self.stdout.write(f"Đã sinh {count:,} hồ sơ tổng hợp trong {elapsed:.0f} giây.")


class Generator:
    def __init__(self, *, seed: int, days: int, now: datetime.datetime):
        self.rng = random.Random(seed)
        self.now = now
        self.days = days
        self.calendar = get_calendar()
        routes = self._routes()
        if not routes:
            raise CommandError("Chưa có thủ tục và đầu mối tiếp nhận nào: hãy chạy load_demo trước.")
        # procedure → channel → its routes (one per unit for a commune-level procedure)
        self.routes: dict[int, dict[str, list[Route]]] = defaultdict(lambda: defaultdict(list))
        for route in routes:
            self.routes[route.point.procedure_id][route.point.channel].append(route)
        self.procedures = sorted(self.routes)
        # A few procedures carry most of the traffic (birth registration, certified copies…).
        self.procedure_weights = [self.rng.paretovariate(1.1) for _ in self.procedures]
        self.units_by_id = {u.pk: u for u in Unit.objects.all()}
        self.departments = [
            u for u in self.units_by_id.values() if u.kind == UnitKind.DEPARTMENT and u.valid_to is None
        ]
        self.citizens = self._citizens(seed)
        self.state_bodies = self._state_bodies()
        self.counters: dict[tuple[int, datetime.date], int] = {
            (unit_id, day): last
            for unit_id, day, last in DossierCounter.objects.values_list("unit_id", "day", "last")
        }

    # --- reference data --------------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        today = timezone.localdate(self.now)
        versions: dict[tuple[int, str], ProcessVersion] = {}
        for version in (
            ProcessVersion.objects.filter(effective_from__lte=self.now)
            .prefetch_related("steps")
            .order_by("effective_from", "number")
        ):
            versions[(version.case_id, version.channel)] = version  # the latest in force wins
        routes = []
        points = (
            ReceptionPoint.objects.valid_on(today)
            .filter(procedure__published=True)
            .select_related("unit", "on_behalf_of", "counter", "procedure")
            .prefetch_related("procedure__cases__durations", "procedure__cases__fees")
            .order_by("pk")
        )
        for point in points:
            for case in point.procedure.cases.all():
                durations = {d.channel: d for d in case.durations.all()}
                duration = durations.get(point.channel) or durations.get(Channel.COUNTER)
                if duration is None:
                    continue
                version = versions.get((case.id, point.channel)) or versions.get((case.id, ""))
                routes.append(
                    Route(
                        point=point,
                        case_id=case.id,
                        time_limit=duration.value,
                        time_limit_unit=duration.unit,
                        process_version_id=version.pk if version else None,
                        steps=sorted(version.steps.all(), key=lambda s: s.order) if version else [],
                        internal=point.procedure.internal,
                        summary=point.procedure.name[:1000],
                        fees=[f for f in case.fees.all() if f.channel in ("", point.channel)],
                    )
                )
        return routes

    def _citizens(self, seed: int) -> list[Applicant]:
        """A pool of synthetic citizens (created once per seed range, reused by later runs)."""
        rng = random.Random(seed * 7919)
        wanted = [
            Applicant(
                kind=ApplicantKind.CITIZEN,
                identifier=f"{IDENTIFIER_PREFIX}{n:06d}",
                name=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                phone=f"09{n:08d}",
                address="Tỉnh Đồng Nai (địa chỉ giả)",
            )
            for n in range(1, 20_001)
        ]
        for applicant in wanted:
            applicant.search_text = fold(f"{applicant.name} {applicant.identifier}")
        Applicant.objects.bulk_create(wanted, batch_size=2000, ignore_conflicts=True)
        return list(
            Applicant.objects.filter(
                kind=ApplicantKind.CITIZEN, identifier__startswith=IDENTIFIER_PREFIX
            ).order_by("identifier")
        )

    def _state_bodies(self) -> list[Applicant]:
        """Internal procedures (R-18) are applied for by state bodies: the communes' committees."""
        communes = [u for u in self.units_by_id.values() if u.kind == UnitKind.COMMUNE and u.valid_to is None]
        for unit in communes:
            Applicant.objects.get_or_create(
                kind=ApplicantKind.STATE_BODY,
                identifier=unit.code,
                defaults={"name": unit.name, "unit": unit},
            )
        return list(Applicant.objects.filter(kind=ApplicantKind.STATE_BODY).order_by("identifier"))

    # --- one dossier -----------------------------------------------------------------------------

    @staticmethod
    def _secret() -> str:
        # Random even for a fixed seed: the secret guards the public look-up (never predictable).
        return "".join(SECRET_ALPHABET[b % len(SECRET_ALPHABET)] for b in secrets.token_bytes(8))

    def _working_instant(self, days_ago: float) -> datetime.datetime:
        """A moment in office hours about `days_ago` days before now (never in the future)."""
        moment = self.now - datetime.timedelta(days=days_ago)
        moment = self.calendar.normalize(moment)
        moment += datetime.timedelta(minutes=self.rng.randrange(0, 240))
        moment = self.calendar.normalize(moment)
        return min(moment, self.now - datetime.timedelta(minutes=1))

    def _state(self, age_days: float) -> str:
        for limit, mix in STATE_MIX:
            if age_days < limit:
                states, weights = zip(*mix.items(), strict=True)
                return self.rng.choices(states, weights)[0]
        raise AssertionError("unreachable")

    def _route(self) -> Route:
        procedure = self.rng.choices(self.procedures, self.procedure_weights)[0]
        by_channel = self.routes[procedure]
        # The province's channel mix, within what the procedure offers (R-19 already applied).
        channels = list(by_channel)
        channel = self.rng.choices(channels, [CHANNEL_WEIGHTS.get(c, 1) for c in channels])[0]
        return self.rng.choice(by_channel[channel])

    def _code(self, unit: Unit, day: datetime.date) -> str:
        key = (unit.pk, day)
        number = self.counters.get(key, 0) + 1
        self.counters[key] = number
        self.touched.add(key)
        return f"{unit.code}-{day:%y%m%d}-{number:04d}"

    def _dossier(self) -> Pending:
        rng, route = self.rng, self._route()
        point = route.point
        age = rng.random() ** 1.3 * self.days  # a little denser towards today
        submitted = self._working_instant(age)
        state = self._state((self.now - submitted).total_seconds() / 86400)
        applicant = rng.choice(self.state_bodies if route.internal else self.citizens)
        receiving = point.unit
        deciding = point.on_behalf_of or point.unit
        day = timezone.localdate(submitted)
        d = Dossier(
            lookup_secret=self._secret(),
            procedure_id=point.procedure_id,
            case_id=route.case_id,
            process_version_id=route.process_version_id,
            channel=point.channel,
            applicant=applicant,
            applicant_name=applicant.name,
            applicant_identifier=applicant.identifier,
            applicant_phone=applicant.phone,
            applicant_address=applicant.address,
            summary=route.summary,
            reception_point=point,
            receiving_unit=receiving,
            deciding_unit=deciding,
            counter_id=point.counter_id,
            result_delivery=ResultDelivery.ONLINE
            if point.channel == Channel.ONLINE
            else ResultDelivery.COUNTER,
            state=state,
            legal_basis=LegalBasis.BEFORE_2025_07 if day < REFORM_DATE else LegalBasis.FROM_2025_07,
            time_limit=route.time_limit,
            time_limit_unit=route.time_limit_unit,
            submitted_at=submitted,
        )
        d.code = self._code(receiving, day)
        d.search_text = fold(f"{d.code} {d.applicant_name} {d.applicant_identifier}")
        event = audit.chain_event(
            d,
            at=submitted,
            actor=None,
            actor_name="",
            action="submit",
            from_state="",
            to_state=State.SUBMITTED,
            unit=receiving,
            data={
                "channel": point.channel,
                "receiving_unit": receiving.code,
                "deciding_unit": deciding.code,
                "synthetic": True,
            },
            documents=[],
        )
        pending = Pending(d, event)
        if state == State.SUBMITTED:
            return pending
        if state == State.REJECTED:
            d.finished_at = min(submitted + datetime.timedelta(hours=rng.uniform(0.2, 30)), self.now)
            return pending
        received = submitted
        if point.channel != Channel.COUNTER:
            received = min(
                self.calendar.normalize(submitted + datetime.timedelta(hours=rng.uniform(0.5, 20))), self.now
            )
        d.received_at = d.clock_started_at = received
        d.due_at = d.original_due_at = self.calendar.due_at(received, route.time_limit, route.time_limit_unit)
        if d.due_at < self.now and state not in FINISHED and rng.random() < 0.8:
            # Most dossiers are finished by their due date: about one open dossier in six is late.
            state = d.state = State.RETURNED
        if state in FINISHED:
            # Most on time, about one in twelve late.
            spent = rng.uniform(0.3, 1.0) if rng.random() > 0.08 else rng.uniform(1.02, 1.6)
            finished = received + (d.due_at - received) * spent
            d.finished_at = min(finished, self.now - datetime.timedelta(minutes=1))
            if state == State.RETURNED:
                d.returned_at = min(d.finished_at + datetime.timedelta(days=rng.uniform(0, 5)), self.now)
        if d.due_at < self.now and state == State.PROCESSING and rng.random() < 0.3:
            d.extended_due_at = d.due_at + datetime.timedelta(days=rng.randint(3, 15))  # apologised
        if state in (State.AWAITING_SUPPLEMENT, State.PAUSED, State.WITHDRAWAL_REQUESTED):
            d.resume_state = State.PROCESSING
        if state in WITH_CURRENT_STEP:
            pending.step = self._current_step(d, route, state)
        if state in (State.AWAITING_SUPPLEMENT, State.PAUSED):
            kind = PauseKind.SUPPLEMENT if state == State.AWAITING_SUPPLEMENT else PauseKind.PAUSE
            if state == State.PAUSED:
                d.pause_ground = "financial_obligation"
            pending.pause = DossierPause(
                kind=kind,
                reason="Dữ liệu tổng hợp: chờ người nộp",
                started_at=self._between(received, self.now),
            )
        if state == State.PROCESSING and self.departments and rng.random() < 0.05:
            pending.consultation = self._consultation(d)
        pending.fees = self._fees(d, route)
        return pending

    def _fees(self, d: Dossier, route: Route) -> list[DossierFee]:
        owed = d.state == State.PAUSED and d.pause_ground == "financial_obligation"
        online_share = 0.5 if d.channel == Channel.ONLINE else 0.1
        via = "dvcqg_platform" if self.rng.random() < online_share else "counter"
        paid_at = None if owed else d.received_at
        return [
            DossierFee(
                kind=fee.kind,
                amount=fee.amount,
                description=fee.description,
                paid_at=paid_at,
                paid_via=via if paid_at else "",
            )
            for fee in route.fees
            if d.received_at is not None
        ]

    def _between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        return start + (end - start) * self.rng.random()

    def _current_step(self, d: Dossier, route: Route, state: str) -> DossierStep | None:
        steps = route.steps
        if not steps:
            return None
        if state == State.RESULT_READY:
            counters = [s for s in steps if s.role == Role.COUNTER_OFFICER]
            step, unit = (counters[-1], d.receiving_unit) if len(counters) > 1 else (None, None)
            if step is None:
                return None
        else:
            working = [s for s in steps if s.role != Role.COUNTER_OFFICER] or steps
            step = self.rng.choice(working)
            unit = self.units_by_id[step.unit_id] if step.unit_id else d.deciding_unit
        started = self._between(d.received_at, d.finished_at or self.now)
        return DossierStep(
            process_step=step,
            order=step.order,
            name=step.name,
            unit=unit,
            role=step.role,
            started_at=started,
            planned_end_at=self.calendar.due_at(started, step.budget_hours, "working_hours"),
        )

    def _consultation(self, d: Dossier) -> Consultation:
        to_unit = self.rng.choice(
            [u for u in self.departments if u.pk != d.deciding_unit_id] or self.departments
        )
        requested = self._between(d.received_at, self.now)
        due = self.calendar.due_at(requested, 5, "working_days")
        c = Consultation(
            from_unit=d.deciding_unit,
            to_unit=to_unit,
            content="Dữ liệu tổng hợp: đề nghị cho ý kiến về hồ sơ.",
            reply_days=5,
            requested_at=requested,
            due_at=due,
        )
        if due < self.now:
            c.reminder1_at = min(due + datetime.timedelta(hours=2), self.now)
        return c

    # --- writing ---------------------------------------------------------------------------------

    def write_batch(self, size: int) -> None:
        self.touched: set[tuple[int, datetime.date]] = set()
        batch = [self._dossier() for _ in range(size)]
        steps = [p for p in batch if p.step is not None]
        # Primary keys taken up front, so a dossier is written already pointing at its open step
        # (the foreign keys are checked at commit) and no UPDATE pass is needed.
        for p, pk in zip(batch, reserve_ids(Dossier, len(batch)), strict=True):
            p.dossier.pk = p.event.dossier_id = pk
            for related in (p.step, p.pause, p.consultation, *p.fees):
                if related is not None:
                    related.dossier_id = pk
        for p, pk in zip(steps, reserve_ids(DossierStep, len(steps)), strict=True):
            p.step.pk = p.dossier.current_step_id = pk
        with transaction.atomic():
            self._raise_counters()
            insert(Dossier, [p.dossier for p in batch])
            insert(DossierStep, [p.step for p in steps])
            insert(DossierEvent, [p.event for p in batch])
            insert(DossierPause, [p.pause for p in batch if p.pause is not None])
            insert(Consultation, [p.consultation for p in batch if p.consultation is not None])
            insert(DossierFee, [fee for p in batch for fee in p.fees])
            bulk_written.send(sender=Generator, dossier_ids=[p.dossier.pk for p in batch])

    def _raise_counters(self) -> None:
        """The per-unit daily code counters continue after the generated codes (in the batch's
        transaction, so an interrupted run leaves no code that a later submission would reuse).
        Meant for an idle database: a submission to the same unit on the same day while the batch
        is written would take a number the batch also uses, and one of the two inserts would fail."""
        DossierCounter.objects.bulk_create(
            [DossierCounter(unit_id=u, day=day, last=self.counters[(u, day)]) for u, day in self.touched],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["unit", "day"],
            update_fields=["last"],
        )


# --- bulk writing ----------------------------------------------------------------------------------


def reserve_ids(model, count: int) -> list[int]:
    """`count` fresh primary keys of `model`'s table. PostgreSQL hands them out from the identity
    sequence (safe beside concurrent inserts); SQLite, single-writer, continues after the largest."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')
        (last,) = cursor.fetchone()
    return list(range(last + 1, last + 1 + count))


def insert(model, objects: list) -> None:
    """Insert model instances as they are (`save()` is not called). On PostgreSQL through COPY,
    several times faster than INSERT at a million rows; elsewhere with bulk_create."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=500)
        return
    from psycopg.types.json import Jsonb

    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and objects[0].pk is None)]
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    columns = ", ".join(f'"{f.column}"' for f in fields)
    names = [f.attname for f in fields]
    copy_sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
    with connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for obj in objects:
            values = obj.__dict__
            copy.write_row([Jsonb(values[n]) if n in json_fields else values[n] for n in names])
