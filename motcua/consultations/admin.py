"""Consultations in the admin: the lead units' reply limits are configuration (editable, R-12);
the consultations themselves are part of a dossier's record and only change through the dossier's
actions, so they are read-only here."""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from motcua.consultations.models import Consultation, ReplyTimeLimit
from motcua.core.admin import ReadOnlyAdminMixin, local_time


def titled(filter_class, title: str):
    """A field filter shown under a Vietnamese title (the model field has no verbose name)."""

    class Titled(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


@admin.register(ReplyTimeLimit)
class ReplyTimeLimitAdmin(admin.ModelAdmin):
    list_display = ("lead_unit", "max_working_days", "valid_from", "valid_to", "decision")
    list_filter = ("lead_unit",)
    autocomplete_fields = ("lead_unit",)
    search_fields = ("lead_unit__name", "decision")


class ReplyStatusFilter(admin.SimpleListFilter):
    title = "tình trạng trả lời"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (
            ("waiting", "Đang chờ, còn hạn"),
            ("overdue", "Quá hạn, chưa trả lời"),
            ("on_time", "Đã trả lời đúng hạn"),
            ("late", "Đã trả lời trễ hạn"),
            ("reminded2", "Đã nhắc lần 2 (Sở Nội vụ)"),
        )

    def queryset(self, request, queryset):
        now = timezone.now()
        filters = {
            "waiting": Q(answered_at__isnull=True, due_at__gte=now),
            "overdue": Q(answered_at__isnull=True, due_at__lt=now),
            "on_time": Q(answered_late=False),
            "late": Q(answered_late=True),
            "reminded2": Q(reminder2_at__isnull=False),
        }
        return queryset.filter(filters[self.value()]) if self.value() in filters else queryset


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("dossier_code", "lead", "consulted", "requested", "due", "answered", "late")
    list_filter = (
        ReplyStatusFilter,
        ("to_unit", titled(admin.RelatedOnlyFieldListFilter, "cơ quan được xin ý kiến")),
        ("from_unit", titled(admin.RelatedOnlyFieldListFilter, "cơ quan chủ trì")),
    )
    search_fields = ("=dossier__code",)
    search_help_text = "Tìm theo mã hồ sơ (đúng nguyên văn)."
    list_select_related = ("dossier", "from_unit", "to_unit")

    @admin.display(description="hồ sơ", ordering="dossier__code")
    def dossier_code(self, obj):
        return obj.dossier.code

    @admin.display(description="cơ quan chủ trì", ordering="from_unit__name")
    def lead(self, obj):
        return obj.from_unit.name

    @admin.display(description="cơ quan được xin ý kiến", ordering="to_unit__name")
    def consulted(self, obj):
        return obj.to_unit.name

    @admin.display(description="trả lời trễ hạn", boolean=True, ordering="answered_late")
    def late(self, obj):
        return obj.answered_late

    @admin.display(description="ngày xin ý kiến", ordering="requested_at")
    def requested(self, obj):
        return local_time(obj.requested_at)

    @admin.display(description="hạn trả lời", ordering="due_at")
    def due(self, obj):
        return local_time(obj.due_at)

    @admin.display(description="ngày trả lời", ordering="answered_at")
    def answered(self, obj):
        return local_time(obj.answered_at)
