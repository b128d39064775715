"""Documents in the admin: a read-only list. Files enter through `services.store_document` (type,
size and content checked) and are referenced by dossiers' events, so nothing is edited here."""

from django.contrib import admin

from motcua.core.admin import ReadOnlyAdminMixin, local_time
from motcua.documents.models import Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "signature_status",
        "signature_signer",
        "size_kb",
        "uploaded_by",
        "uploaded",
    )
    list_filter = ("kind", "signature_status")
    search_fields = ("name", "=sha256")
    search_help_text = "Tìm theo tên tệp hoặc mã băm SHA-256."
    list_select_related = ("uploaded_by",)
    exclude = ("file",)  # the content is served through the dossier's permissions, not from here

    @admin.display(description="dung lượng (KB)", ordering="size")
    def size_kb(self, obj):
        return f"{obj.size / 1024:.1f}"

    @admin.display(description="tải lên lúc", ordering="uploaded_at")
    def uploaded(self, obj):
        return local_time(obj.uploaded_at)
