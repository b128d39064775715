"""Messages for the national portal and for notifications, written in the change's transaction
(R-22: every status change reaches the national portal; delivery is a worker's job)."""

from zoneinfo import ZoneInfo

from django.conf import settings

from motcua.dossiers.models import Dossier, DossierEvent, OutboxMessage, OutboxTopic
from motcua.dossiers.states import national_status

# DVCQG dates: yyyyMMddHHmmss in Asia/Ho_Chi_Minh (REGULATIONS §6.1); channel codes §2.1.
KENH = {"counter": 1, "online": 2, "postal": 3}


def _dvcqg_time(value) -> str | None:
    return value.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y%m%d%H%M%S") if value else None


def national_record(dossier: Dossier) -> dict:
    """The synced dossier record (REGULATIONS §6.4), core fields."""
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure.name,
        "KenhThucHien": KENH[dossier.channel],
        "ChuHoSo": dossier.applicant_name,
        "SoGiayToChuHoSo": dossier.applicant_identifier,
        "TrichYeuHoSo": dossier.summary[:1000],
        "NgayNopHoSo": _dvcqg_time(dossier.submitted_at),
        "NgayTiepNhan": _dvcqg_time(dossier.received_at),
        "NgayHenTra": _dvcqg_time(dossier.due_at),
        "NgayKetThucXuLy": _dvcqg_time(dossier.finished_at),
        "NgayTra": _dvcqg_time(dossier.returned_at),
        "TrangThaiHoSo": national_status(dossier),
        "DonViXuLy": dossier.deciding_unit.code,
    }


def enqueue_status_change(dossier: Dossier, event: DossierEvent) -> None:
    payload = national_record(dossier)
    payload["TienDo"] = {
        "MaHoSo": dossier.code,
        "NguoiXuLy": event.actor_name[:50],
        "ThoiDiemXuLy": _dvcqg_time(event.at),
        "NoiDungXuLy": event.get_action_display(),
        "TrangThai": national_status(dossier),
    }
    messages = [
        OutboxMessage(
            topic=OutboxTopic.NATIONAL_PORTAL,
            dossier=dossier,
            event=event,
            payload=payload,
            created_at=event.at,
        ),
    ]
    if event.from_state != event.to_state:
        messages.append(
            OutboxMessage(
                topic=OutboxTopic.NOTIFICATION,
                dossier=dossier,
                event=event,
                created_at=event.at,
                payload={
                    "to": {"phone": dossier.applicant_phone, "email": dossier.applicant_email},
                    "template": "dossier_status",
                    "dossier": dossier.code,
                    "state": dossier.state,
                    "state_display": dossier.get_state_display(),
                },
            )
        )
    OutboxMessage.objects.bulk_create(messages)
