"""Opening and answering consultations; called by the dossier lifecycle (never directly by views)."""

from django.utils import timezone

from motcua.calendar.services import get_calendar
from motcua.calendar.units import DurationUnit
from motcua.consultations.models import Consultation, ReplyTimeLimit
from motcua.core.errors import InvalidInput, RuleViolation
from motcua.org.models import Unit

# REGULATIONS §2.7 [R]: where the procedure sets no time, not more than 05 working days.
DEFAULT_MAX_REPLY_DAYS = 5


def max_reply_days(dossier, to_unit: Unit) -> int:
    """The lead's maximum: the dossier's process step budget for that agency, else the lead unit's
    configured limit, else the default."""
    if dossier.process_version_id:
        step = dossier.process_version.steps.filter(unit=to_unit).first()
        if step is not None:
            return max(1, int(step.budget_hours // 8))
    limit = (
        ReplyTimeLimit.objects.valid_on(timezone.localdate()).filter(lead_unit=dossier.deciding_unit).first()
    )
    return limit.max_working_days if limit else DEFAULT_MAX_REPLY_DAYS


def validate_request(dossier, *, to_unit_code: str, content: str, reply_days: int | None) -> Unit:
    """R-12: content and a reply deadline are required; the deadline is within the lead's maximum."""
    try:
        to_unit = Unit.objects.get(code=to_unit_code)
    except Unit.DoesNotExist:
        raise InvalidInput("Không tìm thấy cơ quan được xin ý kiến.", field="to_unit") from None
    if to_unit.pk == dossier.deciding_unit_id:
        raise InvalidInput("Không xin ý kiến chính cơ quan đang giải quyết hồ sơ.", field="to_unit")
    if len((content or "").strip()) < 10:
        raise RuleViolation("R-12", "Phải nêu rõ nội dung xin ý kiến.", field="content")
    if not reply_days or reply_days < 1:
        raise RuleViolation("R-12", "Phải nêu thời hạn trả lời (số ngày làm việc).", field="reply_days")
    limit = max_reply_days(dossier, to_unit)
    if reply_days > limit:
        raise RuleViolation(
            "R-12",
            f"Thời hạn trả lời không được quá {limit} ngày làm việc do đơn vị chủ trì đề xuất.",
            field="reply_days",
        )
    return to_unit


def open_consultation(
    dossier, *, actor, to_unit_code: str, content: str, reply_days: int, now
) -> Consultation:
    to_unit = validate_request(dossier, to_unit_code=to_unit_code, content=content, reply_days=reply_days)
    return Consultation.objects.create(
        dossier=dossier,
        from_unit=dossier.deciding_unit,
        to_unit=to_unit,
        content=content.strip(),
        reply_days=reply_days,
        requested_by=actor,
        requested_at=now,
        due_at=get_calendar().due_at(now, reply_days, DurationUnit.WORKING_DAYS),
    )


def answer_consultation(consultation: Consultation, *, actor, answer: str, now) -> Consultation:
    """R-16: a late answer is recorded against the consulted unit and the officer who gave it."""
    consultation.answer = answer.strip()
    consultation.answered_by = actor
    consultation.answered_at = now
    consultation.answered_late = now > consultation.due_at
    consultation.save(update_fields=["answer", "answered_by", "answered_at", "answered_late"])
    return consultation
