"""The applicants' notifications in the admin: what was sent, what failed and why, "Gửi lại"."""

from django.contrib import admin, messages

from motcua.core.admin import ReadOnlyAdminMixin, local_time
from motcua.notifications import services
from motcua.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created",
        "dossier_code",
        "action",
        "channel",
        "recipient",
        "state",
        "attempts",
        "error",
        "sent",
    )
    list_filter = ("state", "channel", "action")
    search_fields = ("=dossier__code", "recipient")
    list_select_related = ("dossier",)
    ordering = ("-created_at", "-pk")
    actions = ["send_again"]
    fields = (
        "message_id",
        "dossier",
        "event",
        "action",
        "channel",
        "recipient",
        "subject",
        "body",
        "state",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    readonly_fields = fields

    @admin.display(description="mã hồ sơ", ordering="dossier__code")
    def dossier_code(self, obj):
        return obj.dossier.code

    @admin.display(description="tạo lúc", ordering="created_at")
    def created(self, obj):
        return local_time(obj.created_at)

    @admin.display(description="gửi lúc", ordering="sent_at")
    def sent(self, obj):
        return local_time(obj.sent_at)

    @admin.display(description="lỗi gần nhất")
    def error(self, obj):
        return obj.last_error[:200]

    def has_send_again_permission(self, request) -> bool:
        return request.user.has_perm("notifications.change_notification")

    @admin.action(description="Gửi lại các thông báo đã chọn", permissions=["send_again"])
    def send_again(self, request, queryset):
        count = services.resend(queryset.values_list("pk", flat=True), actor=request.user)
        self.message_user(request, f"Đã đưa {count} thông báo vào hàng đợi gửi lại.", messages.SUCCESS)
