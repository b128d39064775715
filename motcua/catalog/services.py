"""Changes to the procedure catalogue: processes, reception points, mergers.

Rules live here; the admin, the commands and the API call these functions and never write
catalogue rows themselves (R-04: configuration, changeable without code). The import of the
national catalogue is in `national_import`.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from motcua.calendar.units import HOURS_PER_WORKING_DAY
from motcua.catalog.models import (
    Channel,
    OnlineLevel,
    Procedure,
    ProcedureCase,
    ProcedureUnit,
    ProcessStep,
    ProcessVersion,
    ReceptionPoint,
)
from motcua.core.errors import InvalidInput, RuleViolation
from motcua.core.text import nfc, parse_decimal, vietnamese_number
from motcua.org.models import Counter, Role, Unit, UnitKind
from motcua.org.signals import Handover


@dataclass(frozen=True)
class StepSpec:
    """One step of a process: who does what, in how many working hours (R-24)."""

    name: str
    role: str
    budget_hours: Decimal
    unit: Unit | None = None


# ---------------------------------------------------------------------------------------------
# Processes — versioned, each with the decision that approved it; new dossiers only
# ---------------------------------------------------------------------------------------------


def _legal_hours(case: ProcedureCase, channel: str) -> Decimal | None:
    """The legal time of `case` on `channel` ("" = every channel) in working hours.

    None for a calendar-day limit: such a limit counts weekends and public holidays
    (REGULATIONS §7.3), so the number of working hours it contains depends on the day the dossier
    is received — no fixed sum of step budgets can equal it. The due date is then computed on the
    calendar and the step budgets only set the per-step targets.
    """
    durations = list(case.durations.all())
    if channel:
        durations = [d for d in durations if d.channel == channel]
        if not durations:
            raise RuleViolation(
                "R-24",
                f"Trường hợp “{case.name}” chưa có thời hạn giải quyết cho cách thức "
                f"{Channel(channel).label.lower()}; hãy khai báo thời hạn trước khi lập quy trình.",
                field="channel",
            )
    elif not durations:
        raise RuleViolation(
            "R-24",
            f"Trường hợp “{case.name}” chưa có thời hạn giải quyết; "
            "hãy khai báo thời hạn trước khi lập quy trình.",
        )
    legal = {
        ("hours", d.working_hours) if d.working_hours is not None else (d.unit, d.value) for d in durations
    }
    if len(legal) > 1:
        listed = "; ".join(str(d) for d in sorted(durations, key=lambda d: d.channel))
        raise RuleViolation(
            "R-24",
            f"Các cách thức của trường hợp “{case.name}” có thời hạn khác nhau ({listed}); "
            "hãy lập một quy trình riêng cho từng cách thức.",
            field="channel",
        )
    kind, amount = legal.pop()
    return amount if kind == "hours" else None


def validate_process(
    case: ProcedureCase,
    *,
    channel: str,
    steps: Sequence[StepSpec],
    approved_by: str,
    effective_from: datetime.datetime | None = None,
) -> None:
    """The one rule for a process, shared by `create_process_version` and the admin (R-24, R-04).

    Raises RuleViolation("R-24", …) or InvalidInput with a message an administrator can act on.
    """
    if channel not in ("", *Channel.values):
        raise InvalidInput(f"Cách thức “{channel}” không hợp lệ.", field="channel")
    if effective_from is not None and timezone.is_naive(effective_from):
        effective_from = timezone.make_aware(effective_from)
    if not (approved_by or "").strip():
        raise RuleViolation(
            "R-24", "Phải ghi số, ký hiệu quyết định phê duyệt quy trình.", field="approved_by"
        )
    if not steps:
        raise RuleViolation("R-24", "Quy trình phải có ít nhất một bước xử lý.", field="steps")
    total = Decimal(0)
    for number, step in enumerate(steps, start=1):
        if not (step.name or "").strip():
            raise InvalidInput(f"Bước {number}: chưa có tên bước.", field="steps")
        if step.role not in Role.values:
            raise InvalidInput(f"Bước {number}: vai trò “{step.role}” không hợp lệ.", field="steps")
        budget = parse_decimal(step.budget_hours)
        if budget is None or budget <= 0:
            raise InvalidInput(f"Bước {number}: thời gian phải là số giờ làm việc lớn hơn 0.", field="steps")
        if (
            step.unit is not None
            and effective_from is not None
            and step.unit.valid_to is not None
            and step.unit.valid_to < timezone.localdate(effective_from)
        ):
            raise InvalidInput(
                f"Bước {number}: {step.unit} đã hết hiệu lực từ sau ngày {step.unit.valid_to:%d/%m/%Y}.",
                field="steps",
            )
        total += budget
    legal = _legal_hours(case, channel)
    if legal is not None and total != legal:
        days = vietnamese_number(legal / HOURS_PER_WORKING_DAY)
        raise RuleViolation(
            "R-24",
            f"Tổng thời gian các bước ({vietnamese_number(total)} giờ làm việc) "
            f"phải bằng thời hạn giải quyết theo quy định ({vietnamese_number(legal)} giờ làm việc, "
            f"tức {days} ngày làm việc).",
            field="steps",
        )
    if effective_from is not None:
        previous = (
            ProcessVersion.objects.filter(case=case, channel=channel).order_by("-effective_from").first()
        )
        if previous is not None and effective_from < previous.effective_from:
            # a change applies to new dossiers only; a back-dated version would reorder history.
            raise RuleViolation(
                "R-04",
                f"Phiên bản mới phải áp dụng từ {timezone.localtime(previous.effective_from):%H:%M %d/%m/%Y} "
                f"(ngày áp dụng của phiên bản {previous.number}) trở về sau.",
                field="effective_from",
            )


def create_process_version(
    case: ProcedureCase,
    *,
    steps: Sequence[StepSpec],
    approved_by: str,
    approved_on: datetime.date,
    effective_from: datetime.datetime,
    channel: str = "",
) -> ProcessVersion:
    """Record a new version of a case's process (R-24); earlier versions are never changed (R-04).

    Dossiers keep the version they started with; `active_process_version` gives new ones this
    version from `effective_from`.
    """
    steps = list(steps)
    if timezone.is_naive(effective_from):
        effective_from = timezone.make_aware(effective_from)
    with transaction.atomic():
        # Lock the case so two administrators saving at once cannot take the same number.
        case = ProcedureCase.objects.select_for_update().get(pk=case.pk)
        validate_process(
            case, channel=channel, steps=steps, approved_by=approved_by, effective_from=effective_from
        )
        last = ProcessVersion.objects.filter(case=case, channel=channel).aggregate(n=Max("number"))["n"] or 0
        version = ProcessVersion.objects.create(
            case=case,
            channel=channel,
            number=last + 1,
            approved_by=nfc(approved_by),
            approved_on=approved_on,
            effective_from=effective_from,
        )
        ProcessStep.objects.bulk_create(
            ProcessStep(
                version=version,
                order=order,
                name=nfc(step.name),
                role=step.role,
                unit=step.unit,
                budget_hours=parse_decimal(step.budget_hours),
            )
            for order, step in enumerate(steps, start=1)
        )
    return version


# ---------------------------------------------------------------------------------------------
# Reception points
# ---------------------------------------------------------------------------------------------

ONLINE_SERVICE = (OnlineLevel.PARTIAL, OnlineLevel.FULL)


def validate_reception_point(
    procedure: Procedure,
    *,
    channel: str,
    unit: Unit,
    counter: Counter | None = None,
    on_behalf_of: Unit | None = None,
    valid_from: datetime.date | None = None,
) -> None:
    """The rules for who may receive a procedure's dossiers on a channel; shared with the admin."""
    if channel not in Channel.values:
        raise InvalidInput(f"Cách thức “{channel}” không hợp lệ.", field="channel")
    if channel == Channel.ONLINE:
        if on_behalf_of is not None:
            raise RuleViolation(
                "R-02",
                "Hồ sơ nộp trực tuyến được chuyển thẳng đến đầu mối tiếp nhận của cơ quan giải quyết, "
                "không qua tiếp nhận thay.",
                field="on_behalf_of",
            )
        if unit.kind == UnitKind.SERVICE_CENTRE:
            raise RuleViolation(
                "R-02",
                "Hồ sơ nộp trực tuyến phải đến thẳng cơ quan giải quyết, "
                "không qua Trung tâm Phục vụ hành chính công.",
                field="unit",
            )
        if counter is not None:
            raise InvalidInput("Đầu mối tiếp nhận trực tuyến không gắn với quầy tiếp nhận.", field="counter")
    if procedure.internal and procedure.online_level in ONLINE_SERVICE and channel != Channel.ONLINE:
        raise RuleViolation(
            "R-19",
            "Thủ tục nội bộ đã có dịch vụ công trực tuyến phải nộp trực tuyến; "
            "không tiếp nhận trực tiếp hoặc qua bưu chính.",
            field="channel",
        )
    if counter is not None and counter.centre_id != unit.pk:
        raise InvalidInput(f"{counter} không thuộc {unit}.", field="counter")
    if on_behalf_of is not None:
        if unit.kind != UnitKind.SERVICE_CENTRE:
            raise RuleViolation(
                "R-01",
                "Chỉ Trung tâm Phục vụ hành chính công mới tiếp nhận hồ sơ thay cho cơ quan khác.",
                field="on_behalf_of",
            )
        if on_behalf_of.pk == unit.pk:
            raise InvalidInput("Đơn vị không thể tiếp nhận thay cho chính mình.", field="on_behalf_of")
        if (
            counter is not None
            and counter.serves.exists()
            and not counter.serves.filter(pk=on_behalf_of.pk).exists()
        ):
            raise InvalidInput(
                f"{counter} chưa được giao tiếp nhận thay cho {on_behalf_of}.", field="counter"
            )
    day = valid_from or timezone.localdate()
    if unit.valid_to is not None and unit.valid_to < day:
        raise InvalidInput(f"{unit} đã hết hiệu lực từ sau ngày {unit.valid_to:%d/%m/%Y}.", field="unit")


def add_reception_point(
    procedure: Procedure,
    *,
    channel: str,
    unit: Unit,
    counter: Counter | None = None,
    on_behalf_of: Unit | None = None,
    valid_from: datetime.date | None = None,
) -> ReceptionPoint:
    """Add where a procedure's dossiers are received on a channel (R-01); an identical point in
    force from `valid_from` is returned instead of a duplicate."""
    validate_reception_point(
        procedure,
        channel=channel,
        unit=unit,
        counter=counter,
        on_behalf_of=on_behalf_of,
        valid_from=valid_from,
    )
    open_points = ReceptionPoint.objects.filter(
        procedure=procedure,
        channel=channel,
        unit=unit,
        counter=counter,
        on_behalf_of=on_behalf_of,
        valid_to__isnull=True,
    )
    if valid_from is None:
        existing = open_points.filter(valid_from__isnull=True).first()
    else:
        existing = open_points.valid_on(valid_from).first()
    if existing is not None:
        return existing
    return ReceptionPoint.objects.create(
        procedure=procedure,
        channel=channel,
        unit=unit,
        counter=counter,
        on_behalf_of=on_behalf_of,
        valid_from=valid_from,
    )


# ---------------------------------------------------------------------------------------------
# Mergers (REGULATIONS §0.2): the successor takes over the predecessor's procedures
# ---------------------------------------------------------------------------------------------

MERGER_ITEMS_SHOWN = 50


def hand_over_to_successor(predecessor: Unit, successor: Unit, effective_on: datetime.date) -> list[Handover]:
    """Move a merged unit's procedures and reception points to its successor; say what moved.

    Procedure links move (the successor now implements them). Reception points are history — a
    dossier received last month was received by the predecessor — so they end the day before the
    merger and an equivalent point for the successor starts on `effective_on` (R-04: the change
    applies to dossiers submitted from then on).
    """
    return [
        _hand_over_procedures(predecessor, successor),
        _hand_over_reception_points(predecessor, successor, effective_on),
        _processes_naming(predecessor),
    ]


def _hand_over_procedures(predecessor: Unit, successor: Unit) -> Handover:
    items, warnings, by_role = [], [], {}
    links = (
        ProcedureUnit.objects.select_for_update(of=("self",))
        .filter(unit=predecessor)
        .select_related("procedure")
        .order_by("procedure__code", "role")
    )
    count = 0
    for link in links:
        count += 1
        label = f"{link.procedure.code} — {link.procedure.name}"
        role = link.get_role_display()
        by_role[role] = by_role.get(role, 0) + 1
        if ProcedureUnit.objects.filter(
            procedure_id=link.procedure_id, unit=successor, role=link.role
        ).exists():
            link.delete()  # the successor already holds this role: no duplicate
            warnings.append(
                f"Thủ tục {link.procedure.code}: {successor} đã là {role.lower()}; giữ một liên kết."
            )
        else:
            link.unit = successor
            link.save(update_fields=["unit"])
        if len(items) < MERGER_ITEMS_SHOWN:
            items.append(f"{label} ({role.lower()})")
    return Handover(
        key="procedures",
        label=f"Thủ tục hành chính chuyển sang {successor}",
        count=count,
        breakdown=by_role,
        items=items,
        warnings=warnings,
    )


def _hand_over_reception_points(predecessor: Unit, successor: Unit, effective_on: datetime.date) -> Handover:
    last_day = effective_on - datetime.timedelta(days=1)
    points = (
        ReceptionPoint.objects.select_for_update(of=("self",))
        .filter(Q(unit=predecessor) | Q(on_behalf_of=predecessor))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=effective_on))
        .select_related("counter", "procedure")
        .order_by("procedure__code", "channel", "pk")
    )
    ended = moved = opened = 0
    items, warnings = [], []
    for point in points:
        unit_id = successor.pk if point.unit_id == predecessor.pk else point.unit_id
        on_behalf_of_id = successor.pk if point.on_behalf_of_id == predecessor.pk else point.on_behalf_of_id
        if on_behalf_of_id == unit_id:
            on_behalf_of_id = None
        # A counter belongs to its centre; if the centre itself was merged, the successor's counter
        # is chosen by its administrator.
        counter_id = point.counter_id if point.counter_id and point.counter.centre_id == unit_id else None
        if point.counter_id and counter_id is None:
            warnings.append(
                f"Thủ tục {point.procedure.code} ({point.get_channel_display().lower()}): "
                f"đầu mối mới của {successor} chưa gắn quầy tiếp nhận."
            )
        if len(items) < MERGER_ITEMS_SHOWN:
            items.append(f"{point.procedure.code} — {point}")
        if point.valid_from is not None and point.valid_from >= effective_on:
            # Not yet in force under the predecessor: nothing to keep, just re-point it.
            point.unit_id, point.on_behalf_of_id, point.counter_id = unit_id, on_behalf_of_id, counter_id
            point.save(update_fields=["unit", "on_behalf_of", "counter"])
            moved += 1
            continue
        original_end = point.valid_to
        point.valid_to = last_day
        point.save(update_fields=["valid_to"])
        ended += 1
        equivalent = ReceptionPoint.objects.valid_on(effective_on).filter(
            procedure_id=point.procedure_id,
            channel=point.channel,
            unit_id=unit_id,
            counter_id=counter_id,
            on_behalf_of_id=on_behalf_of_id,
        )
        if not equivalent.exists():
            ReceptionPoint.objects.create(
                procedure_id=point.procedure_id,
                channel=point.channel,
                unit_id=unit_id,
                counter_id=counter_id,
                on_behalf_of_id=on_behalf_of_id,
                valid_from=effective_on,
                valid_to=original_end,
            )
            opened += 1
    breakdown = {
        f"kết thúc ngày {last_day:%d/%m/%Y}": ended,
        f"mở mới cho {successor}": opened,
        "chưa áp dụng, chuyển thẳng": moved,
    }
    return Handover(
        key="reception_points",
        label="Đầu mối tiếp nhận hồ sơ",
        count=ended + moved,
        breakdown={k: v for k, v in breakdown.items() if v},
        items=items,
        warnings=warnings,
    )


def _processes_naming(predecessor: Unit) -> Handover:
    """R-24: a process version is never edited (R-04), so steps it assigns to the predecessor stay
    there; the administrator approves a new version naming the successor. Listed, never changed."""
    steps = (
        ProcessStep.objects.filter(unit=predecessor)
        .select_related("version__case__procedure")
        .order_by("version__case__procedure__code", "version__number", "order")
    )
    warnings, versions = [], set()
    for step in steps:
        version = step.version
        superseded = ProcessVersion.objects.filter(
            case_id=version.case_id, channel=version.channel, effective_from__gt=version.effective_from
        ).exists()
        if superseded or version.pk in versions:
            continue
        versions.add(version.pk)
        if len(warnings) < MERGER_ITEMS_SHOWN:
            warnings.append(
                f"Thủ tục {version.case.procedure.code}, quy trình phiên bản {version.number}: bước "
                f"{step.order} “{step.name}” giao cho {predecessor}; "
                "hãy phê duyệt phiên bản quy trình mới (R-24)."
            )
    return Handover(
        key="process_versions",
        label="Quy trình đang áp dụng còn giao bước cho đơn vị bị sáp nhập",
        count=len(versions),
        warnings=warnings,
    )
