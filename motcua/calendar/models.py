"""The working calendar as data (REGULATIONS §7.2: "store the calendar as data, per year").

Only the exceptions to the Monday–Friday week (QĐ 188/1999/QĐ-TTg) are stored: holidays, days off
given in lieu, swapped days off and the Saturdays worked in exchange. The province edits them when
the yearly notice appears (usually Oct–Dec), so next year's decision is an edit, not a release.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models

from motcua.core.text import nfc


class DayKind(models.TextChoices):
    # Bộ luật Lao động 2019, Điều 112 (+ 24/11 from 2026, NQ 28/2026/QH16).
    PUBLIC_HOLIDAY = "public_holiday", "Ngày lễ, tết"
    # Điều 111 khoản 3: a holiday on the weekly rest day gives the next working day off.
    OBSERVED_DAY_OFF = "observed_day_off", "Ngày nghỉ bù"
    # Hoán đổi ngày làm việc (annual VPCP-KGVX dispatch / Bộ Nội vụ notice), paired with a make-up day.
    SWAPPED_DAY_OFF = "swapped_day_off", "Ngày nghỉ do hoán đổi ngày làm việc"
    MAKE_UP_WORKING_DAY = "make_up_working_day", "Ngày làm việc bù (thứ Bảy, Chủ nhật đi làm)"


# Kinds on which the office is closed; the make-up day is the only kind that opens it.
DAY_OFF_KINDS = frozenset({DayKind.PUBLIC_HOLIDAY, DayKind.OBSERVED_DAY_OFF, DayKind.SWAPPED_DAY_OFF})


class DayOrigin(models.TextChoices):
    SEED = "seed", "Khởi tạo tự động (gói holidays)"
    MANUAL = "manual", "Quản trị viên nhập hoặc sửa"


class CalendarDay(models.Model):
    date = models.DateField("ngày", unique=True)
    kind = models.CharField("loại ngày", max_length=32, choices=DayKind.choices)
    name = models.CharField("tên ngày", max_length=255)
    source = models.CharField(
        "căn cứ, ghi chú",
        max_length=255,
        blank=True,
        help_text="Số, ký hiệu văn bản quyết định (ví dụ: CV 2450/VPCP-KGVX) hoặc ghi chú nguồn dữ liệu.",
    )
    # Seeding never overwrites a row a person has touched (REGULATIONS §7.2: editable by the province).
    origin = models.CharField(
        "nguồn", max_length=16, choices=DayOrigin.choices, default=DayOrigin.MANUAL, editable=False
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "ngày nghỉ, ngày làm bù"
        verbose_name_plural = "ngày nghỉ, ngày làm bù"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.name}"

    @property
    def is_day_off(self) -> bool:
        return self.kind in DAY_OFF_KINDS

    def clean(self) -> None:
        self.name = nfc(self.name or "")
        self.source = nfc(self.source or "")
        if self.date is None:
            return
        weekend = self.date.weekday() >= 5
        if self.kind == DayKind.MAKE_UP_WORKING_DAY and not weekend:
            raise ValidationError(
                {"kind": "Ngày làm việc bù phải là thứ Bảy hoặc Chủ nhật (ngày thường đã là ngày làm việc)."}
            )
        if self.kind in (DayKind.OBSERVED_DAY_OFF, DayKind.SWAPPED_DAY_OFF) and weekend:
            raise ValidationError(
                {"kind": "Ngày nghỉ bù hoặc ngày nghỉ hoán đổi phải là ngày từ thứ Hai đến thứ Sáu."}
            )


# Tân Dân's defaults (REGULATIONS §7.2, reference §5.1): 07:00–11:30 and 13:30–17:00, 8 hours.
DEFAULT_MORNING_START = datetime.time(7, 0)
DEFAULT_MORNING_END = datetime.time(11, 30)
DEFAULT_AFTERNOON_START = datetime.time(13, 30)
DEFAULT_AFTERNOON_END = datetime.time(17, 0)


class WorkingHours(models.Model):
    """Office hours of the installation, versioned: a row applies from `valid_from` until the next row."""

    morning_start = models.TimeField("giờ bắt đầu buổi sáng", default=DEFAULT_MORNING_START)
    morning_end = models.TimeField("giờ kết thúc buổi sáng", default=DEFAULT_MORNING_END)
    afternoon_start = models.TimeField("giờ bắt đầu buổi chiều", default=DEFAULT_AFTERNOON_START)
    afternoon_end = models.TimeField("giờ kết thúc buổi chiều", default=DEFAULT_AFTERNOON_END)
    valid_from = models.DateField("áp dụng từ ngày", unique=True)
    decision = models.CharField(
        "căn cứ", max_length=255, blank=True, help_text="Quyết định của UBND tỉnh quy định giờ làm việc."
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "giờ làm việc"
        verbose_name_plural = "giờ làm việc"
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return (
            f"{self.morning_start:%H:%M}–{self.morning_end:%H:%M}, "
            f"{self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M} (từ {self.valid_from:%d/%m/%Y})"
        )

    def clean(self) -> None:
        self.decision = nfc(self.decision or "")
        times = (self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end)
        if any(t is None for t in times):
            return
        # A lunch break may be empty (morning_end == afternoon_start) but each session must last.
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValidationError(
                "Giờ làm việc phải theo thứ tự: bắt đầu buổi sáng < kết thúc buổi sáng ≤ "
                "bắt đầu buổi chiều < kết thúc buổi chiều."
            )
