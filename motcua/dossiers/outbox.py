"""Messages for the national portal and for notifications, written in the change's transaction
(R-22: every status change reaches the national portal; delivery is a worker's job, `motcua.sync`).

A national-portal message carries what the portal must be told of one event: its progress row
(`QuaTrinhXuLyDongBoDVC`, REGULATIONS §6.4) stamped with the message's stable id (`MaBanTin`) and
the event's sequence number (`SoThuTu`), so the receiver drops a duplicate and sees the order; and
the dossier's core record as it was (the payload's top level), for the audit of what was said. The record the
worker actually sends is rebuilt from current data at delivery (`motcua.sync.payload`).

Once the transaction that wrote national-portal messages commits, `national_outbox_written` is sent
(once per transaction), so the sync app can wake a worker without this app knowing it exists.
"""

import logging
import uuid

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.dispatch import Signal

from motcua.dossiers.models import Dossier, DossierEvent, Origin, OutboxMessage, OutboxTopic
from motcua.dossiers.states import Action, national_status
from motcua.integrations.dvcqg.wire import to_dvcqg_time
from motcua.org.models import Role

logger = logging.getLogger(__name__)

# Sent after the commit of a transaction that wrote national-portal messages; kwargs: `using`.
national_outbox_written = Signal()

# DVCQG dates: yyyyMMddHHmmss in Asia/Ho_Chi_Minh (REGULATIONS §6.1); channel codes §2.1.
KENH = {"counter": 1, "online": 2, "postal": 3}
# REGULATIONS §6.4 / vn-code-and-data §2.3: NguoiXuLy is cut to 50 characters, the summary to 1000.
HANDLER_MAX = 50
SUMMARY_MAX = 1000
CONTENT_MAX = 2000

# Who acts, when the event has no step to say it (ChucDanh of the progress row).
APPLICANT_TITLE = "Tổ chức, cá nhân nộp hồ sơ"
_COUNTER_ACTIONS = {Action.RECEIVE, Action.REJECT, Action.RETURN_RESULT, "submit"}
_HEAD_ACTIONS = {Action.STOP, Action.APPROVE_WITHDRAWAL, Action.APOLOGISE}


# The wire's one date format (`integrations.dvcqg.wire`): "" when there is none (the portal's "no date").
dvcqg_time = to_dvcqg_time


def national_code(dossier: Dossier) -> str:
    """`MaHoSo` on the portal: a dossier the portal forwarded to us is known there by its own code."""
    if dossier.origin == Origin.NATIONAL_PORTAL and dossier.national_id:
        return dossier.national_id
    return dossier.code


def national_record(dossier: Dossier) -> dict:
    """The dossier's core record (REGULATIONS §6.4) as it is now: the snapshot kept in the message
    (the wire record, with every list and indicator field, is `motcua.sync.payload`'s)."""
    return {
        "MaHoSo": national_code(dossier),
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure.name,
        "KenhThucHien": KENH[dossier.channel],
        "ChuHoSo": dossier.applicant_name,
        "SoGiayToChuHoSo": dossier.applicant_identifier,
        "TrichYeuHoSo": dossier.summary[:SUMMARY_MAX],
        "NgayNopHoSo": dvcqg_time(dossier.submitted_at) or None,
        "NgayTiepNhan": dvcqg_time(dossier.received_at) or None,
        "NgayHenTra": dvcqg_time(dossier.due_at) or None,
        "NgayKetThucXuLy": dvcqg_time(dossier.finished_at) or None,
        "NgayTra": dvcqg_time(dossier.returned_at) or None,
        "TrangThaiHoSo": national_status(dossier),
        "DonViXuLy": dossier.deciding_unit.code,
    }


def _title(dossier: Dossier, event: DossierEvent) -> str:
    if event.step_id is not None:
        return event.step.get_role_display()
    if event.actor_id is None and event.action in ("submit", Action.SUBMIT_SUPPLEMENT):
        return APPLICANT_TITLE
    if event.actor_id is not None and event.actor_id == getattr(dossier.applicant, "user_id", None):
        return APPLICANT_TITLE
    if event.action in _COUNTER_ACTIONS:
        return Role.COUNTER_OFFICER.label
    if event.action in _HEAD_ACTIONS:
        return Role.UNIT_LEADER.label
    return ""


def _content(event: DossierEvent) -> str:
    """NoiDungXuLy: what was done, and what the portal's reader needs of it (the reason, the items
    asked for, the new date of an apology)."""
    parts = [event.get_action_display()]
    data = event.data or {}
    if event.action == Action.REQUEST_SUPPLEMENT and data.get("items"):
        parts.append("cần bổ sung: " + "; ".join(data["items"]))
    if event.action == Action.APOLOGISE and data.get("new_due_at"):
        parts.append("hẹn trả mới: " + data["new_due_at"][:16].replace("T", " "))
    if event.reason:
        parts.append(event.reason)
    return ". ".join(parts)[:CONTENT_MAX]


def progress_row(dossier: Dossier, event: DossierEvent, message_id: uuid.UUID) -> dict:
    """`QuaTrinhXuLyDongBoDVC` of one event (REGULATIONS §6.4) + MaBanTin and SoThuTu."""
    step = event.step if event.step_id is not None else None
    unit = event.unit if event.unit_id is not None else dossier.deciding_unit
    return {
        "MaHoSo": national_code(dossier),
        "NguoiXuLy": (event.actor_name or "Hệ thống một cửa")[:HANDLER_MAX],
        "ChucDanh": _title(dossier, event),
        "ThoiDiemXuLy": dvcqg_time(event.at),
        "PhongBanXuLy": unit.name,
        "NoiDungXuLy": _content(event),
        "TrangThai": str(national_status(dossier)),
        "NgayBatDau": dvcqg_time(step.started_at if step else event.at),
        "NgayKetThucTheoQuyDinh": dvcqg_time(step.planned_end_at if step else dossier.due_at),
        "MaBanTin": str(message_id),
        "SoThuTu": event.seq,
    }


def national_message(dossier: Dossier, event: DossierEvent) -> OutboxMessage:
    """The national-portal message of one event (not saved)."""
    message_id = uuid.uuid4()
    return OutboxMessage(
        message_id=message_id,
        topic=OutboxTopic.NATIONAL_PORTAL,
        dossier=dossier,
        event=event,
        payload={**national_record(dossier), "TienDo": progress_row(dossier, event, message_id)},
        created_at=event.at,
    )


def _announce(using: str) -> None:
    connection = connections[using]
    if getattr(connection, "motcua_national_outbox_pending", False):
        connection.motcua_national_outbox_pending = False
        # After the commit the change is done: a receiver's failure (a task queue down) must not turn
        # it into an error for the officer; the relay loop delivers the message anyway.
        for receiver, result in national_outbox_written.send_robust(sender=OutboxMessage, using=using):
            if isinstance(result, Exception):
                logger.error("national_outbox_written: %s failed: %r", receiver, result)


def announce_after_commit(using: str | None = None) -> None:
    """Send `national_outbox_written` once the current transaction commits — once, however many
    messages it wrote (the pattern of `dossiers.receivers`); a rolled-back transaction sends nothing."""
    using = using or router.db_for_write(OutboxMessage) or DEFAULT_DB_ALIAS
    connections[using].motcua_national_outbox_pending = True
    transaction.on_commit(lambda: _announce(using), using=using)


def enqueue_status_change(dossier: Dossier, event: DossierEvent) -> None:
    """Every event that changes what the portal shows: a state change, a new step, a new due date
    (apology, supplement), a move to a successor unit (`unit_transfer`)."""
    # The applicant's e-mail and SMS are written by motcua.notifications (the event's post_save).
    messages = [national_message(dossier, event)]
    OutboxMessage.objects.bulk_create(messages)
    announce_after_commit()
