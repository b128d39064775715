"""Helpers for the calendar tests: local wall-clock strings ↔ aware datetimes (Asia/Ho_Chi_Minh)."""

import datetime
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime.datetime:
    """'2026-02-13T08:00' → 13/02/2026 08:00 in Vietnam time (aware)."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=VN)


def utc(text: str) -> datetime.datetime:
    """The same wall-clock instant expressed in UTC, the way the database returns datetimes."""
    return local(text).astimezone(datetime.UTC)


def wall(instant: datetime.datetime) -> str:
    """An aware instant as Vietnam wall-clock text, minutes precision: '2026-02-23T08:00'."""
    return instant.astimezone(VN).strftime("%Y-%m-%dT%H:%M")
