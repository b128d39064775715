"""Dates typed day first, as Vietnamese officials write them, are read day first everywhere a form
parses a date (the admin's date boxes included); ISO dates from `<input type="date">` still parse."""

import datetime

import pytest
from django import forms
from django.utils import translation


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("05/12/2026", datetime.date(2026, 12, 5)),
        ("05-12-2026", datetime.date(2026, 12, 5)),
        ("2026-12-05", datetime.date(2026, 12, 5)),
        ("31/01/2027", datetime.date(2027, 1, 31)),
    ],
)
def test_dates_are_read_day_first(typed, meant):
    with translation.override("vi"):
        assert forms.DateField().clean(typed) == meant


def test_month_thirteen_is_refused_not_swapped():
    with translation.override("vi"), pytest.raises(forms.ValidationError):
        forms.DateField().clean("12/13/2026")


def test_date_times_are_read_day_first():
    with translation.override("vi"):
        value = forms.DateTimeField().clean("05/12/2026 14:30")
    assert (value.day, value.month, value.hour, value.minute) == (5, 12, 14, 30)
