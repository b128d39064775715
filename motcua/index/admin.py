"""The index definitions are data the province edits (REGULATIONS §1.6: maxima, thresholds, the rule
when nothing is counted, parameters), the national portal's published scores are entered beside
ours, and classification bands are the province's own (none by default, §1.5)."""

from django.contrib import admin

from motcua.index.models import Indicator, IndicatorSet, PublishedScore, ScoreBand


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ("order", "code", "title", "card", "max_points", "scoring", "threshold", "when_empty", "scope")
    ordering = ("order",)
    show_change_link = True


class ScoreBandInline(admin.TabularInline):
    model = ScoreBand
    extra = 0


@admin.register(IndicatorSet)
class IndicatorSetAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "valid_from", "valid_to")
    inlines = [IndicatorInline, ScoreBandInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "indicator_set", "card", "max_points", "scoring", "threshold", "scope")
    list_filter = ("indicator_set", "card", "scoring", "scope")
    search_fields = ("code", "title", "metric_code")
    ordering = ("indicator_set", "order")
    # The measure is the engine's: a key it knows (motcua.index.selectors.measure), not free text.
    readonly_fields = ("measure",)


@admin.register(PublishedScore)
class PublishedScoreAdmin(admin.ModelAdmin):
    list_display = ("unit", "period", "indicator_code", "points", "imported_at", "imported_by")
    list_filter = ("period",)
    search_fields = ("unit__code", "unit__name", "indicator_code")
    autocomplete_fields = ("unit",)
    readonly_fields = ("imported_at", "imported_by")

    def save_model(self, request, obj, form, change):
        obj.imported_by = request.user
        super().save_model(request, obj, form, change)
