"""The admin of inbound dossiers: partners (their keys never shown, a new one shown once) and the
record of every forwarded dossier as it arrived (read-only: what the national portal sent and what
the province answered). Imported by `motcua/sync/admin.py`."""

import json

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from motcua.core.admin import ReadOnlyAdminMixin, local_time
from motcua.sync import partners
from motcua.sync.models import InboundDossier, InboundStatus, Partner


def _show_key(request, made: partners.NewKey) -> None:
    messages.warning(
        request,
        format_html(
            "Khoá của đối tác “{}”: <code>{}</code> — chỉ hiện một lần, hãy lưu lại ngay. Đối tác gửi "
            "kèm mỗi yêu cầu tiêu đề <code>Authorization: Partner {}</code>.",
            made.partner.name,
            made.key,
            made.credentials,
        ),
    )


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active", "unit_list", "last_used", "created")
    list_filter = ("active",)
    search_fields = ("code", "name")
    filter_horizontal = ("units",)
    fields = ("code", "name", "units", "active", "last_used", "created")
    readonly_fields = ("last_used", "created")
    actions = ("new_key",)

    def get_readonly_fields(self, request, obj=None):
        # The code is what the partner sends; changing it would break its requests silently.
        return (*self.readonly_fields, "code") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Its arrivals keep referring to it: a partner is switched off (active), never deleted.
        return False

    @admin.display(description="đơn vị")
    def unit_list(self, obj):
        return ", ".join(u.code for u in obj.units.all())

    @admin.display(description="lần dùng gần nhất")
    def last_used(self, obj):
        return local_time(obj.last_used_at)

    @admin.display(description="ngày tạo")
    def created(self, obj):
        return local_time(obj.created_at)

    def save_model(self, request, obj, form, change):
        key = None if change else partners.set_new_key(obj)
        super().save_model(request, obj, form, change)
        if key is not None:
            _show_key(request, partners.NewKey(partner=obj, key=key))

    @admin.action(description="Tạo khoá mới (khoá cũ hết hiệu lực ngay)")
    def new_key(self, request, queryset):
        for partner in queryset:
            _show_key(request, partners.rotate_key(partner))


def titled(filter_class, title: str):
    """A field filter shown under a Vietnamese title (the model field has no verbose name)."""

    class Titled(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


@admin.register(InboundDossier)
class InboundDossierAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("national_id", "status_label", "source", "received", "dossier_code", "reason")
    list_filter = (
        ("status", titled(admin.ChoicesFieldListFilter, "trạng thái")),
        ("via", titled(admin.ChoicesFieldListFilter, "cách nhận")),
        ("partner", titled(admin.RelatedFieldListFilter, "đối tác")),
    )
    search_fields = ("national_id", "dossier__code")
    list_select_related = ("partner", "dossier")
    fields = ("national_id", "status_label", "source", "received", "dossier_code", "refusal", "sent")
    readonly_fields = fields

    @admin.display(description="trạng thái", ordering="status")
    def status_label(self, obj):
        return obj.get_status_display()

    @admin.display(description="nguồn", ordering="via")
    def source(self, obj):
        return f"Đối tác {obj.partner.code} gửi" if obj.partner_id else obj.get_via_display()

    @admin.display(description="thời điểm nhận", ordering="received_at")
    def received(self, obj):
        return local_time(obj.received_at)

    @admin.display(description="mã hồ sơ của tỉnh")
    def dossier_code(self, obj):
        if not obj.dossier_id:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:dossiers_dossier_change", args=[obj.dossier_id]),
            obj.dossier.code,
        )

    @admin.display(description="lý do từ chối")
    def reason(self, obj):
        return Truncator(obj.error).chars(90) if obj.status == InboundStatus.REFUSED else ""

    @admin.display(description="lý do từ chối")
    def refusal(self, obj):
        return obj.error or "—"

    @admin.display(description="dữ liệu Cổng DVCQG gửi")
    def sent(self, obj):
        text = json.dumps(obj.payload, ensure_ascii=False, indent=2)
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>", text)
