"""The national sync in the admin: the dead-letter list (re-sendable) and what the portal holds."""

import importlib.util

from django.contrib import admin, messages

from motcua.core.admin import ReadOnlyAdminMixin, local_time
from motcua.dossiers.states import NATIONAL_STATUS_NAMES
from motcua.sync import delivery
from motcua.sync.models import DeadLetter, NationalRecord


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Messages the portal refused, or that failed too often while it answered others (R-22): the
    reason, and "Gửi lại" once the cause is fixed. The dossier's later messages wait behind them."""

    list_display = ("dossier_code", "reason", "tries", "parked", "created")
    list_display_links = ("dossier_code",)
    search_fields = ("=dossier__code",)
    list_select_related = ("dossier",)
    ordering = ("-dead_at",)
    actions = ["resend"]
    fields = ("message_id", "dossier", "event", "created_at", "attempts", "dead_at", "last_error", "payload")
    readonly_fields = fields

    @admin.display(description="mã hồ sơ", ordering="dossier__code")
    def dossier_code(self, obj):
        return obj.dossier.code

    @admin.display(description="lý do")
    def reason(self, obj):
        return obj.last_error

    @admin.display(description="số lần gửi", ordering="attempts")
    def tries(self, obj):
        return obj.attempts

    @admin.display(description="chuyển vào danh sách lỗi lúc", ordering="dead_at")
    def parked(self, obj):
        return local_time(obj.dead_at)

    @admin.display(description="tạo lúc", ordering="created_at")
    def created(self, obj):
        return local_time(obj.created_at)

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("sync.change_deadletter")

    @admin.action(description="Gửi lại các bản tin đã chọn", permissions=["resend"])
    def resend(self, request, queryset):
        count = delivery.resend_dead_letters(queryset.values_list("pk", flat=True), actor=request.user)
        self.message_user(
            request,
            f"Đã đưa {count} bản tin vào hàng đợi gửi lại Cổng DVCQG; các bản tin sau của cùng hồ sơ sẽ "
            "được gửi tiếp theo thứ tự.",
            messages.SUCCESS,
        )


@admin.register(NationalRecord)
class NationalRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the portal holds of each dossier, as far as the province knows (written by the worker)."""

    list_display = ("dossier_code", "added", "delivered", "status", "last_message")
    search_fields = ("=dossier__code",)
    list_select_related = ("dossier",)
    ordering = ("-last_delivered_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dossier")

    @admin.display(description="mã hồ sơ", ordering="dossier__code")
    def dossier_code(self, obj):
        return obj.dossier.code

    @admin.display(description="ngày tạo trên Cổng DVCQG", ordering="added_at")
    def added(self, obj):
        return local_time(obj.added_at)

    @admin.display(description="lần đồng bộ gần nhất", ordering="last_delivered_at")
    def delivered(self, obj):
        return local_time(obj.last_delivered_at)

    @admin.display(description="mã bản tin gửi sau cùng")
    def last_message(self, obj):
        return obj.last_message_id or "—"

    @admin.display(description="trạng thái đã đồng bộ", ordering="last_status")
    def status(self, obj):
        if obj.last_status is None:
            return "—"
        return f"{obj.last_status} — {NATIONAL_STATUS_NAMES.get(obj.last_status, '')}"


# The inbound side keeps its admin pages in its own module (motcua/sync/inbound_admin.py).
if importlib.util.find_spec("motcua.sync.inbound_admin") is not None:
    import motcua.sync.inbound_admin  # noqa: F401
