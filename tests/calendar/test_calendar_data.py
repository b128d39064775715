"""The calendar as data: the seed, validation, admin edits and re-projection of running deadlines."""

import csv
import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from motcua.calendar import services
from motcua.calendar.models import CalendarDay, DayKind, DayOrigin, WorkingHours
from motcua.calendar.seeding import EXTRA_DAYS, apply_seed, seed_days
from tests.calendar.util import local, wall

# A copy of the project's shared data file (generated from PyPI `holidays` 0.108, MIT; see
# /work/shared/data/README.md): the seed must classify every day the way it does.
SHARED_CSV = Path(__file__).with_name("vn_holidays_2020_2030.csv")
D = datetime.date


# --- The seed (migration 0002) --------------------------------------------------------------
@pytest.mark.django_db
def test_seed_matches_the_shared_csv_plus_documented_additions():
    with SHARED_CSV.open(encoding="utf-8") as f:
        expected = {D.fromisoformat(r["date"]): (r["kind"], r["name_vi"]) for r in csv.DictReader(f)}
    for extra in EXTRA_DAYS:  # 02/01/2026 (CV 12729/VPCP-KGVX), which the package lacks
        expected[extra.date] = (extra.kind, extra.name)
    seeded = {
        row.date: (row.kind, row.name)
        for row in CalendarDay.objects.filter(date__year__gte=2020, date__year__lte=2030)
    }
    assert seeded == expected
    assert CalendarDay.objects.filter(origin=DayOrigin.SEED).count() == len(expected) == 163


@pytest.mark.django_db
def test_seed_has_the_regulations_swaps_and_make_up_saturdays():
    kinds = dict(CalendarDay.objects.values_list("date", "kind"))
    # REGULATIONS §7.2: 2024 29/4 ↔ 04/5, 2025 02/5 ↔ 26/4, 2026 31/8 ↔ 22/8.
    for off, worked in [
        (D(2024, 4, 29), D(2024, 5, 4)),
        (D(2025, 5, 2), D(2025, 4, 26)),
        (D(2026, 8, 31), D(2026, 8, 22)),
    ]:
        assert kinds[off] == DayKind.SWAPPED_DAY_OFF
        assert kinds[worked] == DayKind.MAKE_UP_WORKING_DAY
    assert kinds[D(2026, 4, 27)] == DayKind.OBSERVED_DAY_OFF  # Giỗ Tổ on Sunday 26/4
    assert kinds[D(2026, 11, 24)] == DayKind.PUBLIC_HOLIDAY  # NQ 28/2026/QH16
    assert kinds[D(2026, 1, 2)] == DayKind.SWAPPED_DAY_OFF  # CV 12729/VPCP-KGVX


@pytest.mark.django_db
def test_seeding_again_changes_nothing_and_never_overwrites_an_admin_edit():
    row = CalendarDay.objects.get(date=D(2027, 2, 4))
    row.name, row.origin = "Nghỉ Tết theo thông báo của Bộ Nội vụ", DayOrigin.MANUAL
    row.save()
    seeded = CalendarDay.objects.get(date=D(2027, 2, 5))
    seeded.name = "Tên cũ"  # a stale seeded row is refreshed
    seeded.save()
    CalendarDay.objects.filter(date=D(2027, 9, 3)).delete()  # a missing seeded row is recreated

    counts = apply_seed(CalendarDay, seed_days())

    assert counts == {"created": 1, "updated": 1, "kept": 161}
    assert CalendarDay.objects.get(date=D(2027, 2, 4)).name == "Nghỉ Tết theo thông báo của Bộ Nội vụ"
    assert CalendarDay.objects.get(date=D(2027, 2, 5)).name == "Giao thừa Tết Nguyên Đán"
    assert apply_seed(CalendarDay, seed_days()) == {"created": 0, "updated": 0, "kept": 163}


@pytest.mark.django_db
def test_default_working_hours_are_created_by_migration():
    hours = WorkingHours.objects.get()
    assert (hours.morning_start, hours.morning_end, hours.afternoon_start, hours.afternoon_end) == (
        datetime.time(7),
        datetime.time(11, 30),
        datetime.time(13, 30),
        datetime.time(17),
    )


# --- Validation with Vietnamese messages ------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "kind", "message"),
    [
        (D(2026, 8, 21), DayKind.MAKE_UP_WORKING_DAY, "Ngày làm việc bù phải là thứ Bảy hoặc Chủ nhật"),
        (D(2026, 8, 22), DayKind.OBSERVED_DAY_OFF, "phải là ngày từ thứ Hai đến thứ Sáu"),
        (D(2026, 8, 23), DayKind.SWAPPED_DAY_OFF, "phải là ngày từ thứ Hai đến thứ Sáu"),
    ],
)
def test_calendar_day_clean_refuses_impossible_kinds(day, kind, message):
    with pytest.raises(ValidationError, match=message):
        CalendarDay(date=day, kind=kind, name="Thử").clean()


def test_calendar_day_clean_accepts_a_holiday_on_a_weekend_and_stores_nfc():
    row = CalendarDay(date=D(2029, 11, 24), kind=DayKind.PUBLIC_HOLIDAY, name="Nga\u0300y Văn hóa")
    row.clean()
    assert row.name == "Ngày Văn hóa"


@pytest.mark.parametrize(
    "times",
    [
        ("11:30", "07:00", "13:30", "17:00"),  # morning reversed
        ("07:00", "14:00", "13:30", "17:00"),  # morning overlaps afternoon
        ("07:00", "11:30", "13:30", "13:30"),  # empty afternoon
    ],
)
def test_working_hours_must_be_ordered(times):
    ms, me, as_, ae = (datetime.time.fromisoformat(t) for t in times)
    hours = WorkingHours(
        morning_start=ms, morning_end=me, afternoon_start=as_, afternoon_end=ae, valid_from=D(2026, 1, 1)
    )
    with pytest.raises(ValidationError, match="Giờ làm việc phải theo thứ tự"):
        hours.clean()


# --- Editing the calendar re-projects running deadlines (DESIGN.md) -------------------------
@pytest.mark.django_db
def test_admin_adding_a_day_off_reprojects_a_deadline(admin_client):
    received = local("2026-11-23T10:00")
    assert wall(services.get_calendar().due_at(received, 1, "working_days")) == "2026-11-25T10:00"

    # The province gives Wed 25/11/2026 off (say, a bridge day for Ngày Văn hóa Việt Nam).
    response = admin_client.post(
        reverse("admin:workcalendar_calendarday_add"),
        {
            "date": "2026-11-25",
            "kind": DayKind.SWAPPED_DAY_OFF,
            "name": "Ngày nghỉ hoán đổi",
            "source": "QĐ thử",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarDay.objects.get(date=D(2026, 11, 25)).origin == DayOrigin.MANUAL

    assert wall(services.get_calendar().due_at(received, 1, "working_days")) == "2026-11-26T10:00"


@pytest.mark.django_db
def test_admin_edit_of_a_seeded_day_marks_it_manual_and_reprojects(admin_client):
    # Giỗ Tổ 2026 observed on Mon 27/4; suppose the province's notice moved the observed day instead:
    # deleting it through the admin makes 27/4 a working day again.
    received = local("2026-04-24T10:00")
    assert wall(services.get_calendar().due_at(received, 1, "working_days")) == "2026-04-28T10:00"
    row = CalendarDay.objects.get(date=D(2026, 4, 27))
    url = reverse("admin:workcalendar_calendarday_delete", args=[row.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert wall(services.get_calendar().due_at(received, 1, "working_days")) == "2026-04-27T10:00"

    holiday = CalendarDay.objects.get(date=D(2026, 11, 24))
    url = reverse("admin:workcalendar_calendarday_change", args=[holiday.pk])
    data = {
        "date": "2026-11-24",
        "kind": holiday.kind,
        "name": "Ngày Văn hóa Việt Nam",
        "source": "NQ 28/2026/QH16",
    }
    assert admin_client.post(url, data).status_code == 302
    assert CalendarDay.objects.get(pk=holiday.pk).origin == DayOrigin.MANUAL


@pytest.mark.django_db
def test_admin_refuses_a_weekday_make_up_day_in_vietnamese(admin_client):
    response = admin_client.post(
        reverse("admin:workcalendar_calendarday_add"),
        {"date": "2026-11-27", "kind": DayKind.MAKE_UP_WORKING_DAY, "name": "Làm bù", "source": ""},
    )
    assert response.status_code == 200
    assert "Ngày làm việc bù phải là thứ Bảy hoặc Chủ nhật" in response.content.decode()
    assert not CalendarDay.objects.filter(date=D(2026, 11, 27)).exists()


@pytest.mark.django_db
def test_changing_office_hours_reprojects_from_their_valid_from():
    # From Mon 02/03/2026 the province works 07:30–11:30 and 13:00–17:00 (still 8 h).
    WorkingHours.objects.create(
        valid_from=D(2026, 3, 2),
        morning_start=datetime.time(7, 30),
        morning_end=datetime.time(11, 30),
        afternoon_start=datetime.time(13),
        afternoon_end=datetime.time(17),
    )
    calendar = services.get_calendar()
    # Fri 27/02 16:00: 1 h under the old hours, then Mon 02/03 07:30–11:30 (4 h), 13:00–16:00 (3 h).
    assert wall(calendar.due_at(local("2026-02-27T16:00"), 1, "working_days")) == "2026-03-02T16:00"
    assert wall(calendar.normalize(local("2026-03-02T07:10"))) == "2026-03-02T07:30"
    assert wall(calendar.normalize(local("2026-02-27T07:10"))) == "2026-02-27T07:10"


@pytest.mark.django_db
def test_edits_without_signals_are_seen_after_the_revision_check(monkeypatch):
    """Another process's edit sends no signal here: the revision check finds it within seconds."""
    now = [1000.0]
    monkeypatch.setattr(services, "_clock", lambda: now[0])
    received = local("2026-11-23T10:00")
    before = services.get_calendar()
    assert wall(before.due_at(received, 1, "working_days")) == "2026-11-25T10:00"

    # bulk_create sends no post_save, like a write by another process.
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=D(2026, 11, 25), kind=DayKind.SWAPPED_DAY_OFF, name="Nghỉ")]
    )
    now[0] += 1.0
    assert services.get_calendar() is before  # within the check interval: the cached calendar
    now[0] += services.REVISION_CHECK_SECONDS
    assert wall(services.get_calendar().due_at(received, 1, "working_days")) == "2026-11-26T10:00"

    # An unchanged revision keeps the cached object (no rebuild every few seconds).
    current = services.get_calendar()
    now[0] += 10 * services.REVISION_CHECK_SECONDS
    assert services.get_calendar() is current


@pytest.mark.django_db
def test_admin_lists_filter_by_year_and_kind_and_search(admin_client):
    url = reverse("admin:workcalendar_calendarday_changelist")

    def rows(params: dict) -> int:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return response.content.decode().count('name="_selected_action"')

    page = admin_client.get(
        url, {"year": "2026", "kind__exact": DayKind.MAKE_UP_WORKING_DAY}
    ).content.decode()
    assert "Ngày 22 tháng 8 năm 2026" in page and "thứ Bảy" in page
    assert rows({"year": "2026", "kind__exact": DayKind.MAKE_UP_WORKING_DAY}) == 1
    assert rows({"year": "2025"}) == 14
    assert rows({"q": "Văn hóa"}) == 7  # 24/11 in 2026–2030 + nghỉ bù 26/11/2029 and 25/11/2030
    assert admin_client.get(reverse("admin:workcalendar_workinghours_changelist")).status_code == 200
