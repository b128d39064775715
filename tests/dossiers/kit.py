"""Helpers for the dossier-engine tests: demo people, documents, and one-line submit/apply calls.

Times are explicit (`at("2026-03-02 08:00")`, Asia/Ho_Chi_Minh) so every deadline is deterministic.
The demo province is loaded once per test module (`demo_module` fixture, see conftest.py).
"""

import datetime
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from motcua.catalog.models import RequiredDocument
from motcua.demo.loader import load_demo
from motcua.demo.signing import signed_pdf
from motcua.documents.models import DocumentKind
from motcua.documents.services import store_document
from motcua.dossiers import services
from motcua.dossiers.context import ActionInput
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import ApplicantInput, SubmissionInput

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
User = get_user_model()

# Demo procedures used by the tests (motcua/demo/data/procedures.json).
NOTARY = "1.019901"  # Thành lập Văn phòng công chứng — Sở Tư pháp, 20 working days, partial online
CONSULTED = "1.019914"  # internal, no online service, Sở Nội vụ consults Sở Tài chính (step 3, 32 h)
INTERNAL_ONLINE = "1.019912"  # internal with a full online service
ON_THE_SPOT = "2.000815"  # Chứng thực bản sao từ bản chính — commune, on the spot, 4 working hours
NO_RESULT_DOC = "1.019945"  # Thông báo tổ chức lễ hội cấp xã — no result document

JUSTICE = "000.00.05.H19"  # Sở Tư pháp
FINANCE = "000.00.03.H19"  # Sở Tài chính
HOME_AFFAIRS = "000.00.02.H19"  # Sở Nội vụ
CENTRE = "000.00.40.H19"  # Trung tâm Phục vụ hành chính công tỉnh
WARD = "000.00.61.H19"  # UBND phường Trấn Biên
WARD_CENTRE = "000.01.61.H19"  # its one-stop centre


def at(text: str) -> datetime.datetime:
    """An aware local time: at("2026-03-02 08:00")."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


def local(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(TZ)


@contextmanager
def loaded_demo():
    """Load the demo province inside a transaction rolled back at the end (module scope)."""
    with (
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        summary = load_demo()
        yield summary
        transaction.set_rollback(True)


def user(username: str):
    return User.objects.get(username=username)


_PDF = b"%PDF-1.4\n% MotCua test document\n"


def doc(
    kind: str = DocumentKind.OTHER, *, signed: bool = False, name: str = "tai-lieu.pdf", by: str | None = None
):
    """A stored document; `signed` makes it a PDF truly signed by the demo CA's signer (verified on
    storing), `by` the username that uploads it (only they, or an officer handling the dossier,
    may cite it — item 4 of issue 8)."""
    content = signed_pdf(DocumentKind(kind).label) if signed else _PDF + kind.encode()
    return store_document(name=name, content=content, kind=kind, uploaded_by=user(by) if by else None)


CITIZEN = ApplicantInput(kind="citizen", identifier="075088000001", name="Nguyễn Văn Thử", phone="0900000001")


def submit(
    procedure: str,
    *,
    channel: str = "online",
    actor: str | None = "congdan1",
    now: datetime.datetime,
    applicant: ApplicantInput = CITIZEN,
    unit: str = "",
    **extra,
) -> Dossier:
    data = SubmissionInput(
        procedure_code=procedure, channel=channel, applicant=applicant, unit_code=unit, **extra
    )
    return services.submit(data, actor=user(actor) if actor else None, now=now)


def act(
    dossier: Dossier | str, action: str, actor: str | None, *, now: datetime.datetime, **fields
) -> Dossier:
    """Apply `action` with the dossier's current version (read fresh from the database)."""
    code = dossier if isinstance(dossier, str) else dossier.code
    version = Dossier.objects.values_list("version", flat=True).get(code=code)
    fields.setdefault("version", version)
    fields["documents"] = [d.pk for d in fields.get("documents", [])]
    if action == "receive" and "components" not in fields:  # a complete dossier unless said otherwise
        fields["components"] = list(
            RequiredDocument.objects.filter(case__dossiers__code=code).values_list("pk", flat=True)
        )
    return services.apply(code, action, user(actor) if actor else None, ActionInput(**fields), now=now)


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def events(dossier: Dossier) -> list:
    return list(dossier.events.order_by("seq"))


def last_event(dossier: Dossier):
    return dossier.events.order_by("-seq").first()


# --- ready-made dossiers -------------------------------------------------------------------------

# Who acts at each step of the notary procedure's process (order → username).
NOTARY_HANDLERS = {
    2: "chuyenvien.sotuphap",
    3: "truongphong.sotuphap",
    4: "lanhdao.sotuphap",
    5: "lanhdao.ubndtinh",
}


def notary_received(now: datetime.datetime, *, channel: str = "counter") -> Dossier:
    """A notary-office dossier received at the Centre's counter 1 on behalf of Sở Tư pháp (or
    online at Sở Tư pháp's own point)."""
    if channel == "counter":
        d = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=now)
        return act(d, "receive", "tiepnhan.tinh", now=now)
    d = submit(NOTARY, now=now)
    return act(d, "receive", "chuyenvien.sotuphap", now=now)


def notary_processing(now: datetime.datetime, **kwargs) -> Dossier:
    """Received and handed over at `now`: at step 2 (appraisal) in Sở Tư pháp."""
    d = notary_received(now, **kwargs)
    return act(d, "forward", "tiepnhan.tinh" if d.channel == "counter" else "chuyenvien.sotuphap", now=now)


def forward_to(d: Dossier, order: int, *, now: datetime.datetime) -> Dossier:
    """Forward a notary dossier step by step until its current step is `order`."""
    d = fresh(d)
    while d.current_step.order < order:
        d = act(d, "forward", NOTARY_HANDLERS[d.current_step.order], now=now)
    return d


def consulted_processing(now: datetime.datetime) -> Dossier:
    """An internal dossier of Sở Nội vụ (received at the Centre's counter 3), at its appraisal step."""
    applicant = ApplicantInput(kind="state_body", identifier=WARD, name="Ủy ban nhân dân phường Trấn Biên")
    d = submit(CONSULTED, channel="counter", actor="tiepnhan.tinh3", now=now, applicant=applicant)
    d = act(d, "receive", "tiepnhan.tinh3", now=now)
    return act(d, "forward", "tiepnhan.tinh3", now=now)


def consult(d: Dossier, *, now: datetime.datetime, to_unit: str = FINANCE, days: int = 3, **fields):
    fields.setdefault("content", "Đề nghị cho ý kiến về phương án tài chính, tài sản của đơn vị.")
    return act(d, "consult", "chuyenvien.sonoivu", now=now, to_unit=to_unit, reply_days=days, **fields)
