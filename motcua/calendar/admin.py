from django.contrib import admin
from django.db.models.functions import ExtractYear

from motcua.calendar.models import CalendarDay, DayOrigin, WorkingHours
from motcua.calendar.services import WEEKDAYS_VI


class YearFilter(admin.SimpleListFilter):
    title = "năm"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            CalendarDay.objects.annotate(y=ExtractYear("date"))
            .values_list("y", flat=True)
            .distinct()
            .order_by("-y")
        )
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "source", "origin", "updated_at")
    list_display_links = ("date",)
    list_editable = ("kind", "name")
    list_filter = (YearFilter, "kind", "origin")
    search_fields = ("name", "source")
    date_hierarchy = "date"
    fields = ("date", "kind", "name", "source", "origin", "updated_at")
    readonly_fields = ("origin", "updated_at")
    list_per_page = 100

    def save_model(self, request, obj, form, change):
        # An edit through the admin makes the row the province's: re-seeding must never overwrite it.
        obj.origin = DayOrigin.MANUAL
        super().save_model(request, obj, form, change)

    @admin.display(description="thứ", ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return WEEKDAYS_VI[obj.date.weekday()]


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = (
        "valid_from",
        "morning_start",
        "morning_end",
        "afternoon_start",
        "afternoon_end",
        "decision",
    )
    fields = ("valid_from", "morning_start", "morning_end", "afternoon_start", "afternoon_end", "decision")
