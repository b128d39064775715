"""The archive in the admin: retention rules are data an administrator edits ([R] seeds from
TT 10/2022/TT-BNV to be checked against the sectors' tables); archive records are read-only."""

from django.contrib import admin

from motcua.archive.models import ArchiveFile, ArchiveRecord, RetentionRule
from motcua.core.admin import ReadOnlyAdminMixin, local_time


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ("scope", "procedure_code", "field_code", "retention", "basis", "updated_at")
    search_fields = ("procedure_code", "field_code", "basis", "note")
    search_help_text = "Tìm theo mã thủ tục, mã lĩnh vực hoặc căn cứ."
    fields = ("procedure_code", "field_code", "years", "basis", "note")

    @admin.display(description="phạm vi")
    def scope(self, obj):
        return obj.scope_label

    @admin.display(description="thời hạn bảo quản", ordering="years")
    def retention(self, obj):
        return obj.retention_label


class ArchiveFileInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ArchiveFile
    fields = ("order", "path", "size", "sha256", "document")
    readonly_fields = fields
    extra = 0


@admin.register(ArchiveRecord)
class ArchiveRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("file_code", "retention", "kept_until", "document_count", "archived", "archived_by")
    list_filter = ("retention", "access_mode")
    search_fields = ("=file_code", "=manifest_sha256", "title")
    search_help_text = "Tìm theo mã hồ sơ, mã SHA-256 của manifest hoặc tiêu đề."
    list_select_related = ("archived_by",)
    exclude = ("manifest",)
    inlines = [ArchiveFileInline]

    @admin.display(description="bảo quản đến", ordering="retain_until")
    def kept_until(self, obj):
        return obj.retain_until.strftime("%d/%m/%Y") if obj.retain_until else "Vĩnh viễn"

    @admin.display(description="lưu trữ lúc", ordering="archived_at")
    def archived(self, obj):
        return local_time(obj.archived_at)
