"""What the applicant is told, and when: the texts of each change that concerns them (issue 11).

Each action's e-mail is the template `notifications/<action>.txt` — its first line the subject, the
rest the body — and its SMS `notifications/<action>.sms.txt`. Both are rendered in the transaction
of the change (the message says what was true then) with plain-text escaping, times in
Asia/Ho_Chi_Minh whatever the process's zone.

SMS are sent without diacritics, at most 160 characters: Vietnamese letters with diacritics are
not in the GSM-7 alphabet (3GPP TS 23.038), so a single one makes the gateway send the whole text
in UCS-2, where one SMS holds 70 characters instead of 160 — a message two or three times as long
and as costly, split on phones, and garbled by many gateways and older handsets.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Sum
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from motcua.documents.models import Document
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.states import Action

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SMS_MAX = 160
FINANCIAL_OBLIGATION = "financial_obligation"

# The changes that concern the applicant: what they must do (supplement, pay), what they will get
# and when (received, new date, result), and every end of the dossier (refused, stopped, withdrawn,
# returned). Steps inside the administration (forward, consult, …) are not theirs to be told.
APPLICANT_ACTIONS = frozenset(
    {
        Action.RECEIVE,
        Action.REJECT,
        Action.REQUEST_SUPPLEMENT,
        Action.PAUSE,  # only for a financial obligation (`concerns_applicant`)
        Action.APOLOGISE,
        Action.ISSUE_RESULT,
        Action.RETURN_RESULT,
        Action.STOP,
        Action.APPROVE_WITHDRAWAL,
    }
)


def concerns_applicant(event: DossierEvent) -> bool:
    if event.action not in APPLICANT_ACTIONS:
        return False
    if event.action == Action.PAUSE:
        # A force-majeure pause asks nothing of the applicant; a financial obligation asks them to pay.
        return (event.data or {}).get("pause_reason") == FINANCIAL_OBLIGATION
    return True


@dataclass(frozen=True)
class Text:
    subject: str
    body: str
    sms: str


def local(value: datetime.datetime | str | None) -> str:
    """ "08:00 ngày 02/03/2026" in Asia/Ho_Chi_Minh (or "" when there is no time)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return ""
    return value.astimezone(TZ).strftime("%H:%M ngày %d/%m/%Y")


def money(amount: int | None) -> str:
    """1500000 → "1.500.000 đồng" (Vietnamese groups thousands with dots)."""
    if not amount:
        return ""
    return f"{amount:,}".replace(",", ".") + " đồng"


def public_base() -> str:
    """The citizens' address of the installation; the demo's own address while developing."""
    return (settings.PUBLIC_URL or ("http://127.0.0.1:8000" if settings.DEBUG else "")).rstrip("/")


def lookup_url(dossier: Dossier) -> str:
    """The public look-up page with the dossier's code and secret (as on the printed receipt)."""
    base = public_base()
    if not base:
        return ""
    query = urlencode({"ma": dossier.code, "ma_tra_cuu": dossier.lookup_secret})
    return f"{base}{reverse('portal:lookup')}?{query}"


def _context(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    data = event.data or {}
    ctx: dict[str, Any] = {
        "applicant_name": dossier.applicant_name,
        "code": dossier.code,
        "lookup_code": dossier.lookup_secret,
        "lookup_url": lookup_url(dossier),
        "lookup_page": f"{public_base()}{reverse('portal:lookup')}" if public_base() else "",
        "procedure": dossier.procedure.name,
        "receiving_unit": dossier.receiving_unit.name,
        "deciding_unit": dossier.deciding_unit.name,
        "province": getattr(settings, "MOTCUA_PROVINCE_NAME", ""),
        "at": local(event.at),
        "due_at": local(dossier.due_at),
        "reason": event.reason,
        "result_delivery": dossier.get_result_delivery_display(),
    }
    if event.action == Action.REQUEST_SUPPLEMENT:
        ctx["items"] = list(data.get("items", []))
        ctx["legal_exception"] = data.get("legal_exception", "")
        # No date for the supplement is recorded by the engine (NĐ 61 Điều 19 sets none for the
        # applicant); a date given with the request is said, otherwise the rule that the time
        # limit restarts once the dossier is complete.
        ctx["supplement_due_at"] = local(data.get("supplement_due_at"))
    elif event.action == Action.PAUSE:
        unpaid = dossier.fees.filter(paid_at__isnull=True).aggregate(total=Sum("amount"))["total"]
        ctx["amount"] = money(unpaid)
    elif event.action == Action.APOLOGISE:
        ctx["new_due_at"] = local(data.get("new_due_at"))
        ctx["explanation"] = data.get("explanation", "")
    elif event.action == Action.ISSUE_RESULT:
        ctx["refused"] = data.get("outcome", "result") != "result"
        # the results sealed by the unit at issue, with the code that verifies them anywhere.
        sealed = [s.get("document") for s in data.get("sealed", [])]
        ctx["verification_codes"] = list(
            Document.objects.filter(pk__in=sealed, verification_code__isnull=False)
            .order_by("verification_code")
            .values_list("verification_code", flat=True)
        )
        ctx["verify_page"] = f"{public_base()}{reverse('portal:verify')}" if public_base() else ""
    elif event.action == Action.RETURN_RESULT:
        ctx["returned_at"] = local(dossier.returned_at or event.at)
    return ctx


def _render(name: str, ctx: dict[str, Any]) -> str:
    # Plain text: nothing is HTML-escaped (an "&" in a procedure's name stays an "&").
    return get_template(name).template.render(Context(ctx, autoescape=False))


def compose(dossier: Dossier, event: DossierEvent) -> Text:
    """The e-mail and the SMS of an event that concerns the applicant."""
    ctx = _context(dossier, event)
    subject, _, body = _render(f"notifications/{event.action}.txt", ctx).lstrip().partition("\n")
    return Text(
        subject=" ".join(subject.split())[:255],
        body=_tidy(body),
        sms=sms_text(_render(f"notifications/{event.action}.sms.txt", ctx)),
    )


def _tidy(text: str) -> str:
    """Template lines without trailing spaces, at most one blank line in a row."""
    lines, blank = [], False
    for line in text.strip().splitlines():
        line = line.rstrip()
        if not line and blank:
            continue
        blank = not line
        lines.append(line)
    return "\n".join(lines) + "\n"


# "đ" is a letter of its own (NFD does not split it); typographic marks have GSM-7 equivalents.
_ASCII = str.maketrans({"đ": "d", "Đ": "D", "–": "-", "—": "-", "“": '"', "”": '"', "‘": "'", "’": "'"})


def sms_text(text: str) -> str:
    """One line, no diacritics, GSM-7-safe ASCII, at most 160 characters (module docstring)."""
    decomposed = unicodedata.normalize("NFD", text.translate(_ASCII))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.encode("ascii", "ignore").decode()
    plain = " ".join(plain.split())
    return plain if len(plain) <= SMS_MAX else plain[: SMS_MAX - 3].rstrip() + "..."
