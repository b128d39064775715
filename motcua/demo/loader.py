"""Load the demo province — Tỉnh Đồng Nai after the 2025 reform — from the JSON files in `data/`.

Everything goes through the services the admin uses (org.services, catalog.services), so the
demo obeys the rules it demonstrates: a reception point that breaks R-02/R-19 or a process whose
steps do not add up to the legal time (R-24) makes the load fail instead of seeding bad data.

The load is idempotent: every row is looked up by its natural key (unit code, counter number,
username, procedure code…) and written only when it differs, so a second run creates and updates
nothing. It runs in one transaction: a broken file leaves the database as it was.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from motcua.catalog.models import Procedure, ProcedureCase, ProcessVersion, ReceptionPoint
from motcua.catalog.national_import import import_procedure
from motcua.catalog.services import StepSpec, add_reception_point, create_process_version
from motcua.core.errors import DomainError
from motcua.core.text import fold, nfc
from motcua.org.identity import set_officer_personal_id
from motcua.org.models import Applicant, Counter, RoleAssignment, Unit, UnitMerger
from motcua.org.services import grant_role, merge_units

DATA_DIR = Path(__file__).resolve().parent / "data"

UNIT_FIELDS = ("name", "short_name", "kind", "level", "area_code", "address", "phone", "email")
APPLICANT_FIELDS = ("name", "phone", "email", "address")

# Vietnamese labels of the summary, in the order things are loaded.
LABELS = {
    "units": "Cơ quan, đơn vị",
    "counters": "Quầy tiếp nhận",
    "mergers": "Sáp nhập đơn vị",
    "users": "Tài khoản",
    "roles": "Phân quyền",
    "applicants": "Người nộp hồ sơ",
    "procedures": "Thủ tục hành chính",
    "reception_points": "Đầu mối tiếp nhận",
    "process_versions": "Quy trình nội bộ",
}


class DemoDataError(Exception):
    """The demo files contradict themselves or a rule; the message says where, in Vietnamese."""


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class DemoSummary:
    tallies: dict[str, Tally] = field(default_factory=lambda: {key: Tally() for key in LABELS})
    warnings: list[str] = field(default_factory=list)

    def count(self, kind: str, *, created: bool = False, updated: bool = False) -> None:
        tally = self.tallies[kind]
        if created:
            tally.created += 1
        elif updated:
            tally.updated += 1
        else:
            tally.unchanged += 1

    @property
    def changed(self) -> bool:
        return any(t.created or t.updated for t in self.tallies.values())

    def lines(self) -> list[str]:
        lines = [
            f"{LABELS[key]}: {t.created} tạo mới, {t.updated} cập nhật, {t.unchanged} giữ nguyên."
            for key, t in self.tallies.items()
        ]
        lines.append(
            "Đã nạp dữ liệu mẫu tỉnh Đồng Nai."
            if self.changed
            else "Dữ liệu mẫu tỉnh Đồng Nai đã có đủ, không có gì thay đổi."
        )
        return lines


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DemoDataError(f"Không đọc được tệp {path}: {exc.strerror or exc}.") from exc
    except json.JSONDecodeError as exc:
        raise DemoDataError(
            f"Tệp {path} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno})."
        ) from exc


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _validated(obj, label: str) -> None:
    # search_text is derived in save(); it is empty until then, which full_clean would call blank.
    try:
        obj.full_clean(exclude=["search_text"])
    except ValidationError as exc:
        raise DemoDataError(f"{label}: {'; '.join(exc.messages)}") from exc


def _parents_first(specs: list[dict]) -> list[dict]:
    """Order unit specs so every parent comes before its children, whatever the file order."""
    codes = {spec["code"] for spec in specs}
    placed: set[str] = set()
    ordered: list[dict] = []
    pending = list(specs)
    while pending:
        # A parent outside the file (already in the database) does not hold a unit back.
        ready = [s for s in pending if s.get("parent") in placed or s.get("parent") not in codes]
        if not ready:
            raise DemoDataError("Cây đơn vị có vòng lặp: " + ", ".join(s["code"] for s in pending) + ".")
        placed.update(s["code"] for s in ready)
        ordered.extend(ready)
        pending = [s for s in pending if s["code"] not in placed]
    return ordered


class _PasswordCache:
    """Hashing is deliberately slow (PBKDF2); ~80 accounts would take tens of seconds per run.

    Demo accounts share one hash made once per run, and a stored hash is checked once however
    many accounts carry it, so a second run costs a single check and rewrites nothing.
    """

    def __init__(self, password: str):
        self.password = password
        self._hash: str | None = None
        self._checked: dict[str, bool] = {}

    def new_hash(self) -> str:
        if self._hash is None:
            self._hash = make_password(self.password)
            self._checked[self._hash] = True
        return self._hash

    def matches(self, encoded: str) -> bool:
        if encoded not in self._checked:
            self._checked[encoded] = check_password(self.password, encoded)
        return self._checked[encoded]


class _Run:
    """One load: the summary and the look-up caches, which must not outlive the transaction."""

    def __init__(self) -> None:
        self.summary = DemoSummary()
        self.units: dict[str, Unit] = {}
        self._counters: dict[tuple[int, int], Counter] = {}

    # -- look-ups ------------------------------------------------------------------------------

    def unit(self, code: str, label: str) -> Unit:
        unit = self.units.get(code) or Unit.objects.filter(code=code).first()
        if unit is None:
            raise DemoDataError(f"{label}: không có đơn vị mã {code}.")
        self.units[code] = unit
        return unit

    def counter(self, centre: Unit, number: int, label: str) -> Counter:
        key = (centre.pk, number)
        if key not in self._counters:
            counter = Counter.objects.filter(centre=centre, number=number).first()
            if counter is None:
                raise DemoDataError(f"{label}: {centre} không có quầy số {number}.")
            self._counters[key] = counter
        return self._counters[key]

    # -- units, counters, mergers --------------------------------------------------------------

    def load_units(self, specs: list[dict]) -> None:
        self.units.update((u.code, u) for u in Unit.objects.filter(code__in=[s["code"] for s in specs]))
        for spec in _parents_first(specs):
            code = spec["code"]
            parent = self.unit(spec["parent"], f"Đơn vị {code}") if spec.get("parent") else None
            wanted = {name: nfc(spec.get(name) or "") for name in UNIT_FIELDS}
            wanted.update(
                parent_id=parent.pk if parent else None,
                valid_from=_date(spec.get("valid_from")),
                valid_to=_date(spec.get("valid_to")),
            )
            unit = self.units.get(code)
            created = unit is None
            if created:
                unit = Unit(code=code)
            elif unit.successor_id and wanted["valid_to"] is None:
                # A merger ended this unit; a file that forgot valid_to must not bring it back to life.
                wanted["valid_to"] = unit.valid_to
            diff = {name: value for name, value in wanted.items() if getattr(unit, name) != value}
            if diff:
                for name, value in diff.items():
                    setattr(unit, name, value)
                _validated(unit, f"Đơn vị {code}")
                unit.save()
            self.units[code] = unit
            self.summary.count("units", created=created, updated=bool(diff))

    def load_counters(self, specs: list[dict]) -> None:
        for spec in specs:
            label = f"Quầy {spec['number']} của {spec['centre']}"
            centre = self.unit(spec["centre"], label)
            serves = {self.unit(code, label).pk for code in spec.get("serves", [])}
            name = nfc(spec["name"])
            counter = Counter.objects.filter(centre=centre, number=spec["number"]).first()
            created, updated = counter is None, False
            if created:
                counter = Counter(centre=centre, number=spec["number"], name=name)
                _validated(counter, label)
                counter.save()
            elif counter.name != name:
                counter.name = name
                counter.save(update_fields=["name"])
                updated = True
            if set(counter.serves.values_list("pk", flat=True)) != serves:
                counter.serves.set(serves)
                updated = not created
            self.summary.count("counters", created=created, updated=updated)

    def load_mergers(self, specs: list[dict]) -> None:
        for spec in specs:
            label = f"Sáp nhập vào {spec['successor']}"
            successor = self.unit(spec["successor"], label)
            predecessors = [self.unit(code, label) for code in spec["predecessors"]]
            effective_on = _date(spec["effective_on"])
            decision = nfc(spec["decision"])
            existing = UnitMerger.objects.filter(
                successor=successor, effective_on=effective_on, decision=decision
            ).first()
            recorded = set(existing.predecessors.values_list("pk", flat=True)) if existing else set()
            missing = [unit for unit in predecessors if unit.pk not in recorded]
            if missing:
                # merge_units ends each predecessor, points it at its successor and (through the
                # unit_merged signal) hands its procedures over — the same path as a real merger.
                try:
                    merge_units(missing, successor, effective_on=effective_on, decision=decision)
                except DomainError as exc:
                    raise DemoDataError(f"{label}: {exc.message}") from exc
                for unit in missing:
                    unit.refresh_from_db()
            self.summary.count("mergers", created=bool(missing))

    # -- accounts ------------------------------------------------------------------------------

    def load_accounts(self, doc: dict) -> None:
        passwords = _PasswordCache(doc["password"])
        for spec in doc["accounts"]:
            user = self._user(spec, passwords)
            for role in spec.get("roles", []):
                self._role(user, role)
            if spec.get("applicant"):
                self._applicant(user, spec["applicant"], spec["full_name"])
            if spec.get("personal_id"):
                # The number this officer signs in with by VNeID (R-26; tools/oidc-provider).
                set_officer_personal_id(user, spec["personal_id"])

    def _user(self, spec: dict, passwords: _PasswordCache):
        user_model = get_user_model()
        superuser = bool(spec.get("superuser"))
        # Vietnamese names are written family name first; get_full_name() joins first + last, so
        # the whole name goes in first_name to print in the right order.
        wanted = {
            "first_name": nfc(spec["full_name"]),
            "last_name": "",
            "is_active": True,
            "is_staff": superuser,
            "is_superuser": superuser,
        }
        user = user_model.objects.filter(username=spec["username"]).first()
        if user is None:
            user = user_model(username=spec["username"], **wanted)
            user.password = passwords.new_hash()
            user.save()
            self.summary.count("users", created=True)
            return user
        diff = [name for name, value in wanted.items() if getattr(user, name) != value]
        for name in diff:
            setattr(user, name, wanted[name])
        if not passwords.matches(user.password):
            user.password = passwords.new_hash()
            diff.append("password")
        if diff:
            user.save(update_fields=diff)
        self.summary.count("users", updated=bool(diff))
        return user

    def _role(self, user, spec: dict) -> None:
        # Roles an administrator granted later are left alone: the loader only adds what it lists.
        label = f"Tài khoản {user.username}"
        unit = self.unit(spec["unit"], label)
        counter = self.counter(unit, spec["counter"], label) if spec.get("counter") else None
        existing = RoleAssignment.objects.filter(user=user, unit=unit, role=spec["role"]).first()
        if (
            existing is not None
            and existing.counter_id == (counter.pk if counter else None)
            and existing.valid_to is None
        ):
            self.summary.count("roles")
            return
        try:
            grant_role(user, unit, spec["role"], counter=counter)
        except DomainError as exc:
            raise DemoDataError(f"{label}: {exc.message}") from exc
        self.summary.count("roles", created=existing is None, updated=existing is not None)

    def _applicant(self, user, spec: dict, full_name: str) -> None:
        label = f"Người nộp hồ sơ {user.username}"
        unit = self.unit(spec["unit"], label) if spec.get("unit") else None
        wanted: dict[str, Any] = {name: nfc(spec.get(name) or "") for name in APPLICANT_FIELDS}
        wanted["name"] = nfc(spec.get("name") or full_name)
        wanted.update(user_id=user.pk, unit_id=unit.pk if unit else None)
        applicant = Applicant.objects.filter(kind=spec["kind"], identifier=spec["identifier"]).first()
        created = applicant is None
        if created:
            applicant = Applicant(kind=spec["kind"], identifier=spec["identifier"])
        diff = {name: value for name, value in wanted.items() if getattr(applicant, name) != value}
        if diff:
            for name, value in diff.items():
                setattr(applicant, name, value)
            _validated(applicant, label)  # Applicant.clean checks the 12-digit id / tax code
            applicant.save()
        self.summary.count("applicants", created=created, updated=bool(diff) and not created)

    # -- procedures ----------------------------------------------------------------------------

    def load_procedures(self, payloads: list[dict]) -> None:
        for payload in payloads:
            try:
                outcome = import_procedure(payload)
            except DomainError as exc:
                raise DemoDataError(f"Thủ tục {payload.get('MaTTHC', '?')}: {exc.message}") from exc
            procedure = outcome.procedure
            self.summary.count(
                "procedures", created=outcome.created, updated=outcome.changed and not outcome.created
            )
            self.summary.warnings.extend(f"Thủ tục {procedure.code}: {w}" for w in outcome.warnings)
            local = payload.get("MOTCUA") or {}
            self._reception(procedure, local.get("reception", []))
            self._processes(procedure, local.get("processes", []))

    def _reception(self, procedure: Procedure, specs: list[dict]) -> None:
        label = f"Thủ tục {procedure.code}"
        # One query per procedure rather than per point: commune procedures have a point per commune.
        in_force = set(
            ReceptionPoint.objects.filter(procedure=procedure, valid_to__isnull=True).values_list(
                "channel", "unit_id", "counter_id", "on_behalf_of_id", "valid_from"
            )
        )
        for spec in specs:
            unit = self.unit(spec["unit"], label)
            counter = self.counter(unit, spec["counter"], label) if spec.get("counter") else None
            on_behalf_of = self.unit(spec["on_behalf_of"], label) if spec.get("on_behalf_of") else None
            valid_from = _date(spec.get("valid_from"))
            key = (
                spec["channel"],
                unit.pk,
                counter.pk if counter else None,
                on_behalf_of.pk if on_behalf_of else None,
                valid_from,
            )
            exists = key in in_force
            if not exists:
                try:
                    add_reception_point(
                        procedure,
                        channel=spec["channel"],
                        unit=unit,
                        counter=counter,
                        on_behalf_of=on_behalf_of,
                        valid_from=valid_from,
                    )
                except DomainError as exc:
                    raise DemoDataError(
                        f"{label}, đầu mối {spec['channel']} tại {unit.code}: {exc.message}"
                    ) from exc
                in_force.add(key)
            self.summary.count("reception_points", created=not exists)

    def _processes(self, procedure: Procedure, specs: list[dict]) -> None:
        label = f"Thủ tục {procedure.code}"
        for spec in specs:
            channel = spec.get("channel") or ""
            steps = [
                StepSpec(
                    name=step["name"],
                    role=step["role"],
                    # str() first: a JSON float such as 6.5 must become Decimal("6.5") exactly.
                    budget_hours=Decimal(str(step["hours"])),
                    unit=self.unit(step["unit"], label) if step.get("unit") else None,
                )
                for step in spec["steps"]
            ]
            for case in _cases_of(procedure, spec.get("case")):
                latest = ProcessVersion.objects.filter(case=case, channel=channel).order_by("-number").first()
                if _same_version(latest, spec, steps):
                    self.summary.count("process_versions")
                    continue
                try:
                    create_process_version(
                        case,
                        steps=steps,
                        approved_by=spec["approved_by"],
                        approved_on=_date(spec["approved_on"]),
                        effective_from=datetime.datetime.fromisoformat(spec["effective_from"]),
                        channel=channel,
                    )
                except DomainError as exc:
                    raise DemoDataError(f"{label}, trường hợp “{case.name}”: {exc.message}") from exc
                self.summary.count("process_versions", created=latest is None, updated=latest is not None)


def _cases_of(procedure: Procedure, case_name: str | None) -> list[ProcedureCase]:
    """`case: null` means every case of the procedure; otherwise the case of that name (or code)."""
    cases = list(procedure.cases.order_by("order", "pk"))
    if case_name is None:
        return cases
    chosen = [c for c in cases if fold(c.name) == fold(case_name) or c.code == case_name]
    if not chosen:
        raise DemoDataError(f"Thủ tục {procedure.code}: không có trường hợp “{case_name}”.")
    return chosen


def _same_version(version: ProcessVersion | None, spec: dict, steps: list[StepSpec]) -> bool:
    """A new version is recorded only when the approved process really changed (R-04, R-24)."""
    if version is None:
        return False
    stored = [(s.name, s.role, s.budget_hours, s.unit_id) for s in version.steps.order_by("order")]
    wanted = [(nfc(s.name), s.role, s.budget_hours, s.unit.pk if s.unit else None) for s in steps]
    return (
        version.approved_by == nfc(spec["approved_by"])
        and version.approved_on == _date(spec["approved_on"])
        and version.effective_from == datetime.datetime.fromisoformat(spec["effective_from"])
        and stored == wanted
    )


def load_demo(data_dir: Path = DATA_DIR) -> DemoSummary:
    """Create or complete the demo province; running it again changes nothing."""
    units_doc = _read(data_dir / "units.json")
    accounts_doc = _read(data_dir / "accounts.json")
    procedures_doc = _read(data_dir / "procedures.json")
    run = _Run()
    with transaction.atomic():
        run.load_units(units_doc["units"])
        run.load_counters(units_doc.get("counters", []))
        run.load_mergers(units_doc.get("mergers", []))
        run.load_accounts(accounts_doc)
        run.load_procedures(procedures_doc["data"])
    return run.summary
