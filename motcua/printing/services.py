"""The printable forms of Circular 03/2025/TT-VPCP (Phụ lục I) as PDF: one dossier's forms and the
dossier register (issue 4 item 6; REGULATIONS §3.1–3.2).

A form prints what the event log recorded (`DossierEvent.data`, written by `dossiers.effects`): the
log is the source of truth, so a form reprinted next year says exactly what was decided then. A form
whose event never happened does not exist for that dossier (no apology event → no apology form).

Rendering never depends on the machine: the fonts are the package's own Noto Serif files and the
renderer may fetch nothing but those files and inline `data:` images.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from motcua.calendar.services import appointment_text
from motcua.core.errors import InvalidInput, NotFound, RuleViolation
from motcua.core.text import vietnamese_number
from motcua.documents.models import DocumentKind
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import process_control_sheet
from motcua.dossiers.states import Action, State
from motcua.org.models import Counter, Unit, UnitKind
from motcua.printing import selectors
from motcua.printing.selectors import RegisterPlace
from motcua.printing.templatetags.printing_vi import date_line

STATIC_DIR = Path(__file__).resolve().parent / "static" / "printing"
FONTS_DIR = STATIC_DIR / "fonts"
FONT_FILES = {
    "regular": "NotoSerif-Regular.ttf",
    "bold": "NotoSerif-Bold.ttf",
    "italic": "NotoSerif-Italic.ttf",
    "bold_italic": "NotoSerif-BoldItalic.ttf",
}

# A register is printed for at most a month at a time: a provincial centre receives hundreds of
# dossiers a day, and a register of a year would be a book, not a print job.
MAX_REGISTER_DAYS = 31

# Documents of the application itself; results, notices and signed requests are attached later
# and are not "Thành phần hồ sơ nộp" on the receipt.
SUBMITTED_KINDS = frozenset({DocumentKind.SUBMITTED, DocumentKind.SUPPLEMENT, DocumentKind.OTHER})


@dataclass(frozen=True)
class Signer:
    title: str  # NGƯỜI TIẾP NHẬN HỒ SƠ, THỦ TRƯỞNG CƠ QUAN …
    name: str
    note: str = "(Ký, ghi rõ họ tên)"


@dataclass(frozen=True)
class FormInput:
    """What every form builder gets: the dossier (with its prefetched log), the event the form
    prints, the printing time, and the public address the receipt's QR code points to."""

    dossier: Dossier
    event: DossierEvent | None
    now: datetime.datetime
    base_url: str


Builder = Callable[[FormInput], dict[str, Any]]


@dataclass(frozen=True)
class PrintForm:
    slug: str  # used in URLs: /can-bo/ho-so/<code>/in/<slug>.pdf
    title: str  # the form's name in TT 03/2025 Phụ lục I (REGULATIONS §3.1)
    template: str
    number_suffix: str  # "Số …/PXL"
    needs: tuple[str, ...]  # actions whose (last) event the form prints; () = printable any time
    missing: str  # why the form does not exist for a dossier without that event
    rule: str  # the rule the form serves, cited when it does not apply
    build: Builder


# --- the parts every form shares -----------------------------------------------------------------

_ADMIN_PREFIXES = ("tỉnh ", "thành phố ", "phường ", "xã ", "đặc khu ", "huyện ", "thị xã ", "thị trấn ")
_PEOPLES_COMMITTEE = "Ủy ban nhân dân "


def _place_name(unit: Unit) -> str:
    """The địa danh of the date line (NĐ 30/2020/NĐ-CP Phụ lục I): the name of the province or
    commune whose People's Committee the unit belongs to, without "tỉnh"/"xã"/"phường"."""
    node: Unit | None = unit
    for _ in range(3):  # the unit, its parent, its grandparent: what the selectors fetched
        if node is None:
            break
        if node.kind in (UnitKind.PEOPLES_COMMITTEE, UnitKind.COMMUNE, UnitKind.LEGACY_DISTRICT):
            name = node.name.removeprefix(_PEOPLES_COMMITTEE)
            for prefix in _ADMIN_PREFIXES:
                if name.lower().startswith(prefix):
                    return name[len(prefix) :]
            return name
        node = node.parent if Unit.parent.is_cached(node) else None
    province = settings.MOTCUA_PROVINCE_NAME
    for prefix in _ADMIN_PREFIXES:
        if province.lower().startswith(prefix):
            return province[len(prefix) :]
    return province


def _governing_name(unit: Unit) -> str:
    """The cơ quan chủ quản line above the issuing unit's name ("UBND TỈNH ĐỒNG NAI")."""
    parent = unit.parent if Unit.parent.is_cached(unit) else None
    if parent is None:
        return ""
    return parent.name.replace("Ủy ban nhân dân", "UBND").upper()


def _font_urls() -> dict[str, str]:
    return {key: (FONTS_DIR / name).as_uri() for key, name in FONT_FILES.items()}


def _local_day(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date()


def document_frame(
    form_title: str, issuer: Unit, day: datetime.date, *, orientation: str = "portrait"
) -> dict[str, Any]:
    """What printing/base.html frames every printed document with (the administrative document's
    layout, NĐ 30/2020/NĐ-CP Phụ lục I): its title, the issuing unit under its governing body, the
    place-and-date line of `day`, the package's fonts and the A4 page's orientation."""
    return {
        "title": form_title,
        "issuer": issuer,
        "issuer_name": issuer.name,
        "governing": _governing_name(issuer),
        "place_date": f"{_place_name(issuer)}, {date_line(day)}",
        "fonts": _font_urls(),
        "orientation": orientation,
    }


def _person_name(event: DossierEvent | None) -> str:
    if event is None:
        return ""
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor_name or event.actor.get_username()
    return event.actor_name


def _when(value: Any) -> datetime.datetime | None:
    """A time the effects stored as ISO text in `DossierEvent.data`."""
    if isinstance(value, str):
        return parse_datetime(value)
    return None


def _lookup(data: FormInput) -> dict[str, str]:
    """The public look-up address of the dossier with its secret, and its QR code: printed on every
    paper the applicant takes home from the counter (receipt, supplement request, refusal) so that
    the dossier can be followed, and a supplemented one found again, without an account."""
    d = data.dossier
    lookup_url = (
        data.base_url.rstrip("/")
        + reverse("portal:lookup")
        + "?"
        + urlencode({"ma": d.code, "ma_tra_cuu": d.lookup_secret})
    )
    # The QR code is what a citizen scans from the paper; SVG keeps it sharp at any printer
    # resolution, and the white border (quiet zone of 4 modules, ISO/IEC 18004) keeps it readable.
    qr = segno.make(lookup_url, error="m", micro=False)
    return {
        "lookup_url": lookup_url,
        "qr_data_uri": qr.svg_data_uri(scale=1, border=4, dark="#000", light="#fff"),
    }


# --- each form -----------------------------------------------------------------------------------


def _receipt(data: FormInput) -> dict[str, Any]:
    """Mẫu 01: what was received, when, and when the result is due (NĐ 118 Điều 17)."""
    d = data.dossier
    received = d.received_at
    documents = [
        (a.required_document.name if a.required_document_id else a.document.name)
        for a in d.attachments.all()
        if a.document.kind in SUBMITTED_KINDS and a.attached_at <= received
    ]
    fees = list(d.fees.all())
    return {
        "received_at": received,
        "time_limit": f"{vietnamese_number(d.time_limit)} {d.get_time_limit_unit_display().lower()}",
        "appointment": appointment_text(d.due_at) if d.due_at else "",
        "documents": documents,
        "fees": fees,
        "fees_total": sum(f.amount for f in fees),
        "officer": _person_name(data.event),
        "counter": d.counter,
        **_lookup(data),
        "signers": [
            Signer("NGƯỜI NỘP HỒ SƠ", d.applicant_name),
            Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", _person_name(data.event)),
        ],
        **document_frame("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", d.receiving_unit, _local_day(received)),
    }


def _issuer_of(d: Dossier, event: DossierEvent) -> Unit:
    """At reception the one-stop unit speaks; after it, the deciding unit (NĐ 118 Điều 17, 19)."""
    return d.receiving_unit if event.from_state == State.SUBMITTED else d.deciding_unit


def _supplement(data: FormInput) -> dict[str, Any]:
    """Mẫu 02: every missing item at once (R-17), with the reason and whom to ask."""
    d, event = data.dossier, data.event
    assert event is not None
    issuer = _issuer_of(d, event)
    officer = _person_name(event)
    return {
        "items": list(event.data.get("items", [])),
        "reason": event.reason,
        "legal_exception": event.data.get("legal_exception", ""),
        "officer": officer,
        "contact_phone": issuer.phone,
        "requested_at": event.at,
        **_lookup(data),
        "signers": [Signer("NGƯỜI HƯỚNG DẪN", officer)],
        **document_frame("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", issuer, _local_day(event.at)),
    }


def _refusal(data: FormInput) -> dict[str, Any]:
    """Mẫu 03: refused at reception (not eligible, out of scope), or after appraisal with the
    decision maker's written reason (R-14)."""
    d, event = data.dossier, data.event
    assert event is not None
    at_reception = event.action == Action.REJECT
    person = _person_name(event)
    if at_reception:
        issuer = d.receiving_unit
        signers = [Signer("NGƯỜI NỘP HỒ SƠ", d.applicant_name), Signer("NGƯỜI TIẾP NHẬN HỒ SƠ", person)]
    else:
        # The decision step may sit above the deciding unit (the provincial People's Committee
        # decides for a department's procedure): the unit whose step the refusal closed decided.
        decided = next((s for s in d.steps.all() if s.ended_at == event.at), None)
        issuer = decided.unit if decided is not None else d.deciding_unit
        signers = [Signer("THỦ TRƯỞNG CƠ QUAN", person, "(Ký, ghi rõ họ tên, đóng dấu)")]
    return {
        "reason": event.reason,
        "at_reception": at_reception,
        **_lookup(data),
        "signers": signers,
        **document_frame("Phiếu từ chối tiếp nhận giải quyết hồ sơ", issuer, _local_day(event.at)),
    }


def _due_before(d: Dossier, event: DossierEvent) -> datetime.datetime | None:
    """The appointment in force when the apology was written: the last one the log recorded before
    it (receipt, a supplement's restart, a pause's end), since `due_at` may move afterwards."""
    due = None
    for earlier in d.events.all():
        if earlier.seq >= event.seq:
            break
        for key in ("due_at", "due_after"):
            if key in earlier.data:
                due = _when(earlier.data[key]) or due
    return due or d.original_due_at or d.due_at


def _apology(data: FormInput) -> dict[str, Any]:
    """Mẫu 04: the head's apology with the one new date (R-27, REGULATIONS §2.5)."""
    d, event = data.dossier, data.event
    assert event is not None
    return {
        "due_before": _due_before(d, event),
        "new_due_at": _when(event.data.get("new_due_at")) or d.extended_due_at,
        "explanation": event.data.get("explanation", ""),
        "signers": [Signer("THỦ TRƯỞNG CƠ QUAN", _person_name(event), "(Ký, ghi rõ họ tên, đóng dấu)")],
        **document_frame(
            "Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết", d.deciding_unit, _local_day(event.at)
        ),
    }


def _stop(data: FormInput) -> dict[str, Any]:
    """Mẫu 05 (new in TT 03/2025): the processing stops — the agency's decision (NĐ 118 Điều 21,
    R-14) or the applicant's approved withdrawal (R-15)."""
    d, event = data.dossier, data.event
    assert event is not None
    if event.action == Action.APPROVE_WITHDRAWAL:
        requests = [e for e in d.events.all() if e.action == Action.REQUEST_WITHDRAWAL and e.seq < event.seq]
        asked = requests[-1] if requests else None
        reason = "Tổ chức, cá nhân đề nghị dừng giải quyết, rút hồ sơ"
        if asked is not None and asked.reason:
            reason += f": {asked.reason}"
    else:
        reason = event.reason
    return {
        "reason": reason,
        "stopped_at": event.at,
        "signers": [Signer("THỦ TRƯỞNG CƠ QUAN", _person_name(event), "(Ký, ghi rõ họ tên, đóng dấu)")],
        **document_frame("Thông báo dừng giải quyết hồ sơ", d.deciding_unit, _local_day(event.at)),
    }


def _budget_text(hours) -> str:
    if hours is None:
        return ""
    if hours % 8 == 0:
        return f"{vietnamese_number(hours / 8)} ngày làm việc"
    return f"{vietnamese_number(hours)} giờ làm việc"


def _control_sheet(data: FormInput) -> dict[str, Any]:
    """Mẫu 06 (R-11): every step as it happened and the steps still to come, printable at any time."""
    d = data.dossier
    consultations = list(d.consultations.all())
    coordinating = list(dict.fromkeys(c.to_unit.name for c in consultations))
    return {
        "rows": [(row, _budget_text(row.budget_hours)) for row in process_control_sheet(d, now=data.now)],
        "consultations": consultations,
        "coordinating": coordinating,
        "now": data.now,
        **document_frame(
            "Phiếu kiểm soát quá trình giải quyết hồ sơ", d.receiving_unit, _local_day(data.now)
        ),
    }


def _is_refusal(event: DossierEvent) -> bool:
    return event.action == Action.REJECT or (
        event.action == Action.ISSUE_RESULT and event.data.get("outcome") == "refusal"
    )


FORMS: dict[str, PrintForm] = {
    f.slug: f
    for f in (
        PrintForm(
            slug="giay-tiep-nhan",
            title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            template="printing/receipt.html",
            number_suffix="",  # TTPVHCC or BPTNTKQ, by the receiving unit (see _number)
            needs=(Action.RECEIVE,),
            missing="Hồ sơ chưa được tiếp nhận nên chưa có Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
            rule="NĐ 118/2025 Điều 17",
            build=_receipt,
        ),
        PrintForm(
            slug="yeu-cau-bo-sung",
            title="Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            template="printing/supplement.html",
            number_suffix="PBS",
            needs=(Action.REQUEST_SUPPLEMENT,),
            missing="Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện nên không có Phiếu yêu cầu bổ sung.",
            rule="R-17",
            build=_supplement,
        ),
        PrintForm(
            slug="tu-choi",
            title="Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            template="printing/refusal.html",
            number_suffix="PTC",
            needs=(Action.REJECT, Action.ISSUE_RESULT),
            missing="Hồ sơ không bị từ chối tiếp nhận hay từ chối giải quyết nên không có Phiếu từ chối.",
            rule="R-14",
            build=_refusal,
        ),
        PrintForm(
            slug="xin-loi",
            title="Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết",
            template="printing/apology.html",
            number_suffix="PXL",
            needs=(Action.APOLOGISE,),
            missing="Hồ sơ chưa có văn bản xin lỗi, hẹn lại ngày trả kết quả nên không có Phiếu xin lỗi.",
            rule="R-27",
            build=_apology,
        ),
        PrintForm(
            slug="thong-bao-dung",
            title="Thông báo dừng giải quyết hồ sơ",
            template="printing/stop.html",
            number_suffix="TB",  # no prefix in REGULATIONS §3.1; TB = Thông báo (NĐ 30/2020 Phụ lục III)
            needs=(Action.STOP, Action.APPROVE_WITHDRAWAL),
            missing="Hồ sơ không bị dừng giải quyết nên không có Thông báo dừng giải quyết hồ sơ.",
            rule="R-14",
            build=_stop,
        ),
        PrintForm(
            slug="phieu-kiem-soat",
            title="Phiếu kiểm soát quá trình giải quyết hồ sơ",
            template="printing/control_sheet.html",
            number_suffix="PKS",
            needs=(),
            missing="",
            rule="R-11",
            build=_control_sheet,
        ),
    )
}


def _form_event(form: PrintForm, dossier: Dossier) -> DossierEvent | None:
    """The last event of the kinds the form prints (each of them happens at most once in a
    dossier's life, R-17/R-27, but the last one is what stands)."""
    matching = [
        e
        for e in dossier.events.all()
        if e.action in form.needs and (e.action != Action.ISSUE_RESULT or _is_refusal(e))
    ]
    return matching[-1] if matching else None


def applicable_forms(dossier: Dossier) -> list[tuple[str, str]]:
    """(slug, title) of the forms the dossier has now, in FORMS order: what its print links offer.
    One query: the events the forms print."""
    needed = {action for form in FORMS.values() for action in form.needs}
    done = list(dossier.events.filter(action__in=needed).only("action", "data").order_by("seq"))
    forms = []
    for form in FORMS.values():
        events = [
            e for e in done if e.action in form.needs and (e.action != Action.ISSUE_RESULT or _is_refusal(e))
        ]
        if _applies(form, dossier, events[-1] if events else None):
            forms.append((form.slug, form.title))
    return forms


def _applies(form: PrintForm, dossier: Dossier, event: DossierEvent | None) -> bool:
    if form.slug == "giay-tiep-nhan":
        # A dossier imported from the old system was received without a receive event here.
        return dossier.received_at is not None
    return not form.needs or event is not None


def _number(form: PrintForm, dossier: Dossier, issuer: Unit) -> str:
    """The form's number, "Số <code>/PXL": the dossier code numbers each form, since a dossier has
    at most one of each (R-17, R-27) and the code is unique in the province (REGULATIONS §3.3)."""
    suffix = form.number_suffix
    if form.slug == "giay-tiep-nhan":
        suffix = "TTPVHCC" if issuer.kind == UnitKind.SERVICE_CENTRE else "BPTNTKQ"
    return f"{dossier.code}/{suffix}" if suffix else dossier.code


def form_context(
    form: str, dossier_code: str, *, user, base_url: str, now: datetime.datetime | None = None
) -> tuple[PrintForm, dict[str, Any]]:
    """The template and its context for one form of one dossier the user may see."""
    spec = FORMS.get(form)
    if spec is None:
        raise NotFound("Không có biểu mẫu này.", code="form_not_found")
    dossier = selectors.printable_dossier(user, dossier_code)
    event = _form_event(spec, dossier)
    if not _applies(spec, dossier, event):
        raise RuleViolation(spec.rule, spec.missing, code="form_not_applicable")
    context = spec.build(
        FormInput(dossier=dossier, event=event, now=now or timezone.now(), base_url=base_url)
    )
    context.update(dossier=dossier, form=spec, event=event)
    context["number"] = _number(spec, dossier, context["issuer"])
    return spec, context


def render_dossier_form(
    form: str, dossier_code: str, *, user, base_url: str, now: datetime.datetime | None = None
) -> bytes:
    """The PDF of one form (a slug of FORMS) of a dossier the user may see.

    Raises NotFound for an unknown form or a dossier the user may not see, and RuleViolation
    (code "form_not_applicable") when the dossier has no such form, e.g. no apology event."""
    spec, context = form_context(form, dossier_code, user=user, base_url=base_url, now=now)
    return render_pdf(render_to_string(spec.template, context))


def form_filename(form: str, dossier_code: str) -> str:
    """An ASCII file name: the slug is already ASCII, the code is dots, digits and capitals."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", f"{form}-{dossier_code}") + ".pdf"


# --- the register (Sổ theo dõi hồ sơ) ------------------------------------------------------------


def _place_key(place: RegisterPlace | Unit | Counter) -> str:
    if isinstance(place, RegisterPlace):
        return place.key
    if isinstance(place, Counter):
        return f"quay:{place.pk}"
    return f"dv:{place.code}"


def register_context(
    place: RegisterPlace | Unit | Counter,
    day_from: datetime.date,
    day_to: datetime.date,
    *,
    user,
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    if day_from > day_to:
        raise InvalidInput("Ngày bắt đầu phải trước hoặc trùng ngày kết thúc.", field="tu_ngay")
    if (day_to - day_from).days + 1 > MAX_REGISTER_DAYS:
        raise InvalidInput(
            f"Mỗi lần in Sổ theo dõi tối đa {MAX_REGISTER_DAYS} ngày; hãy chọn khoảng ngày ngắn hơn.",
            field="den_ngay",
        )
    # Permission: only a place of a unit where the user holds a role.
    chosen = selectors.register_place(user, _place_key(place))
    now = now or timezone.now()
    return {
        "place": chosen,
        "rows": selectors.register_rows(chosen, day_from, day_to),
        "day_from": day_from,
        "day_to": day_to,
        "now": now,
        **document_frame("Sổ theo dõi hồ sơ", chosen.unit, _local_day(now), orientation="landscape"),
    }


def render_register(
    place: RegisterPlace | Unit | Counter,
    day_from: datetime.date,
    day_to: datetime.date,
    *,
    user,
    now: datetime.datetime | None = None,
) -> bytes:
    """The register (Mẫu 07) of one receiving unit or one counter for the local days
    [day_from, day_to]: every dossier received there, in order of receipt."""
    context = register_context(place, day_from, day_to, user=user, now=now)
    return render_pdf(render_to_string("printing/register.html", context))


# --- rendering -----------------------------------------------------------------------------------


class _PackageFilesOnly(URLFetcher):
    """The templates name only the package's fonts and inline data: images; anything else (a
    stray link, text an applicant typed that looks like a URL) must never be fetched."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if path.is_relative_to(STATIC_DIR):
                return super().fetch(url, headers)
        raise ValueError(f"Biểu mẫu in không được tải tài nguyên ngoài: {url}")


def render_pdf(html: str) -> bytes:
    """`html` (a template extending printing/base.html, rendered) as a PDF: WeasyPrint with the
    package's own fonts, fetching nothing but those and inline `data:` images (`_PackageFilesOnly`)."""
    fetcher = _PackageFilesOnly(allowed_protocols={"file", "data"}, fail_on_errors=True)
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(font_config=FontConfiguration())
