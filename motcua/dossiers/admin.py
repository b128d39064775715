"""Dossiers in the admin: to look, never to change (STYLE.md "One door for every change").

A dossier changes only through `services.apply`; its event log is append-only and hash-chained
(`verify_audit`). So every page here is read-only: no add, change or delete, for anyone.
"""

from django.contrib import admin

from motcua.consultations.models import Consultation
from motcua.core.admin import FoldedSearchMixin, ReadOnlyAdminMixin, local_time
from motcua.dossiers import states
from motcua.dossiers.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierFee,
    DossierPause,
    DossierStep,
    OutboxMessage,
    RefusedAttempt,
)
from motcua.dossiers.states import NATIONAL_STATUS_NAMES, State


def titled(filter_class, title: str):
    """A field filter shown under a Vietnamese title (the model field has no verbose name)."""

    class Titled(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


def _state(value: str) -> str:
    return State(value).label if value in State.values else "—"


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class EventInline(ReadOnlyInline):
    model = DossierEvent
    verbose_name = "sự kiện"
    verbose_name_plural = "nhật ký xử lý (không sửa, không xóa được)"
    fields = ("seq", "when", "actor_name", "action", "transition", "unit", "reason", "hash")
    readonly_fields = fields
    ordering = ("seq",)

    @admin.display(description="thời điểm")
    def when(self, obj):
        return local_time(obj.at)

    @admin.display(description="trạng thái")
    def transition(self, obj):
        return f"{_state(obj.from_state)} → {_state(obj.to_state)}"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")


class StepInline(ReadOnlyInline):
    """R-11: the process-control sheet — who had each step, when, and whether it ran late."""

    model = DossierStep
    verbose_name = "bước xử lý"
    verbose_name_plural = "phiếu kiểm soát quá trình (các bước xử lý)"
    fields = ("order", "name", "unit", "handler", "started", "planned_end", "ended", "result")
    readonly_fields = fields

    @admin.display(description="bắt đầu")
    def started(self, obj):
        return local_time(obj.started_at)

    @admin.display(description="hạn của bước")
    def planned_end(self, obj):
        return local_time(obj.planned_end_at)

    @admin.display(description="kết thúc")
    def ended(self, obj):
        return local_time(obj.ended_at)

    @admin.display(description="kết quả")
    def result(self, obj):
        if obj.late is None:
            return "đang xử lý"
        return "quá hạn" if obj.late else "đúng hạn"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "handler")


class PauseInline(ReadOnlyInline):
    model = DossierPause
    verbose_name = "khoảng dừng"
    verbose_name_plural = "tạm dừng, chờ bổ sung (không tính vào thời hạn)"
    fields = ("kind", "reason", "started", "ended")
    readonly_fields = fields

    @admin.display(description="từ")
    def started(self, obj):
        return local_time(obj.started_at)

    @admin.display(description="đến")
    def ended(self, obj):
        return local_time(obj.ended_at)


class ConsultationInline(ReadOnlyInline):
    model = Consultation
    verbose_name = "xin ý kiến"
    verbose_name_plural = "xin ý kiến cơ quan khác"
    fields = ("to_unit", "content", "reply_days", "due", "answered", "answered_late")
    readonly_fields = fields

    @admin.display(description="hạn trả lời")
    def due(self, obj):
        return local_time(obj.due_at)

    @admin.display(description="ngày trả lời")
    def answered(self, obj):
        return local_time(obj.answered_at)


class AttachmentInline(ReadOnlyInline):
    model = DossierDocument
    verbose_name = "tài liệu"
    verbose_name_plural = "tài liệu đính kèm"
    fields = ("document", "kind", "attached")
    readonly_fields = fields

    @admin.display(description="loại")
    def kind(self, obj):
        return obj.document.get_kind_display()

    @admin.display(description="đính kèm lúc")
    def attached(self, obj):
        return local_time(obj.attached_at)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document")


class FeeInline(ReadOnlyInline):
    model = DossierFee
    verbose_name = "phí, lệ phí"
    verbose_name_plural = "phí, lệ phí"
    fields = ("kind", "amount", "description", "paid")
    readonly_fields = fields

    @admin.display(description="đã nộp")
    def paid(self, obj):
        return local_time(obj.paid_at)


@admin.register(Dossier)
class DossierAdmin(FoldedSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "procedure_code",
        "applicant_name",
        "channel",
        "state",
        "national_status",
        "receiver",
        "decider",
        "received",
        "due",
    )
    list_filter = (
        "state",
        "channel",
        "legal_basis",
        ("receiving_unit", titled(admin.RelatedOnlyFieldListFilter, "đơn vị tiếp nhận")),
        ("deciding_unit", titled(admin.RelatedOnlyFieldListFilter, "cơ quan giải quyết")),
    )
    search_fields = ("code", "applicant_name", "applicant_identifier")  # matching is folded (search_text)
    search_help_text = (
        "Tìm theo mã hồ sơ, tên hoặc số định danh người nộp (gõ có dấu hay không dấu đều được)."
    )
    list_select_related = ("procedure", "receiving_unit", "deciding_unit")
    date_hierarchy = "submitted_at"
    inlines = (StepInline, EventInline, ConsultationInline, PauseInline, AttachmentInline, FeeInline)
    exclude = ("lookup_secret", "last_event_hash")  # the secret is the applicant's, not the admin's

    @admin.display(description="mã TTHC", ordering="procedure__code")
    def procedure_code(self, obj):
        return obj.procedure.code

    @admin.display(description="đơn vị tiếp nhận", ordering="receiving_unit__name")
    def receiver(self, obj):
        return obj.receiving_unit.name

    @admin.display(description="cơ quan giải quyết", ordering="deciding_unit__name")
    def decider(self, obj):
        return obj.deciding_unit.name

    @admin.display(description="trạng thái DVCQG")
    def national_status(self, obj):
        code = states.national_status(obj)
        return f"{code} — {NATIONAL_STATUS_NAMES[code]}"

    @admin.display(description="ngày tiếp nhận", ordering="received_at")
    def received(self, obj):
        return local_time(obj.received_at)

    @admin.display(description="ngày hẹn trả", ordering="due_at")
    def due(self, obj):
        return local_time(obj.due_at)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What waits to be sent to the national portal and to people (R-22); read-only."""

    list_display = ("pk", "kind", "dossier", "created", "delivered", "attempts")
    list_filter = (
        ("topic", titled(admin.ChoicesFieldListFilter, "loại tin")),
        ("delivered_at", titled(admin.EmptyFieldListFilter, "đã gửi")),
    )
    search_fields = ("=dossier__code",)
    list_select_related = ("dossier",)

    @admin.display(description="loại tin", ordering="topic")
    def kind(self, obj):
        return obj.get_topic_display()

    @admin.display(description="tạo lúc", ordering="created_at")
    def created(self, obj):
        return local_time(obj.created_at)

    @admin.display(description="đã gửi lúc", ordering="delivered_at")
    def delivered(self, obj):
        return local_time(obj.delivered_at)


@admin.register(RefusedAttempt)
class RefusedAttemptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """R-21: the in-person attempts the counters refused under R-19, as recorded; read-only."""

    list_display = ("when", "procedure_code", "procedure_name", "unit", "counter", "channel", "actor_name")
    list_filter = (
        ("unit", titled(admin.RelatedOnlyFieldListFilter, "đơn vị tiếp nhận")),
        ("procedure", titled(admin.RelatedOnlyFieldListFilter, "thủ tục")),
        "channel",
        "at",
    )
    search_fields = ("=procedure__code", "=applicant_identifier")
    search_help_text = "Tìm theo mã thủ tục hoặc số định danh người nộp (đúng nguyên văn)."
    list_select_related = ("procedure", "unit", "counter")
    date_hierarchy = "at"

    @admin.display(description="thời điểm", ordering="at")
    def when(self, obj):
        return local_time(obj.at)

    @admin.display(description="mã TTHC", ordering="procedure__code")
    def procedure_code(self, obj):
        return obj.procedure.code

    @admin.display(description="tên thủ tục")
    def procedure_name(self, obj):
        return obj.procedure.name
