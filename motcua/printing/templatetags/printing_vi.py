"""How the printed forms write times, dates and money: Vietnamese style, Asia/Ho_Chi_Minh time.

The forms of TT 03/2025 write a time of receipt or appointment as "… giờ … phút, ngày …"
(REGULATIONS §3.2); tables use the short "dd/mm/yyyy HH:MM".
"""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter
def gio_phut_ngay(value: datetime.datetime | None) -> str:
    """08 giờ 00 phút, ngày 02/03/2026"""
    if value is None:
        return ""
    local = _local(value)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


@register.filter
def ngay(value: datetime.datetime | datetime.date | None) -> str:
    """02/03/2026"""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = _local(value)
    return f"{value:%d/%m/%Y}"


@register.filter
def ngay_gio(value: datetime.datetime | None) -> str:
    """02/03/2026 08:00 — for the narrow columns of the sheet and the register."""
    if value is None:
        return ""
    local = _local(value)
    return f"{local:%d/%m/%Y %H:%M}"


@register.filter
def dong(amount: int | None) -> str:
    """1.000.000 đồng (Vietnamese group thousands with a dot)."""
    if amount is None:
        return ""
    return f"{amount:,} đồng".replace(",", ".")


def date_line(day: datetime.date) -> str:
    """ "ngày 05 tháng 3 năm 2026": NĐ 30/2020/NĐ-CP Phụ lục I writes a 0 before days below 10 and
    before months 1 and 2, and no other leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


@register.filter(needs_autoescape=True)
def breakable(value: str, autoescape: bool = True) -> str:
    """A dossier code that may wrap after its hyphens in a narrow column ("000.00.40.H19-" /
    "260302-0001"), never in the middle of a number."""
    text = conditional_escape(value) if autoescape else str(value)
    return mark_safe(text.replace("-", "-<wbr>"))
