"""Vietnamese input formats, which Django's own `vi` locale leaves out: without them a date typed
in the admin as 05/12/2026 (day first, as every Vietnamese form writes it) falls back to Django's
defaults and is read as 12 May. ISO dates stay accepted: the `<input type="date">` fields of the
back office send them."""

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]
FIRST_DAY_OF_WEEK = 1  # Monday (the calendar pop-ups of the admin)
# Money reads 1.000.000 đồng (the `g` of floatformat); Django's `vi` locale sets the dot but no grouping.
NUMBER_GROUPING = 3
