"""The import runs and the provenance of migrated dossiers, to look at only: they are written by
`import_legacy` and `close_out_legacy`, never by hand (R-09, R-25)."""

from django.contrib import admin

from motcua.core.admin import ReadOnlyAdminMixin, local_time
from motcua.legacy.models import LegacyDossier, LegacyImport


@admin.register(LegacyImport)
class LegacyImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "started", "file_name", "source", "format", "created", "skipped", "failed", "by")
    list_filter = ("format", "source")
    search_fields = ("file_name", "sha256", "source")
    readonly_fields = ("report",)

    @admin.display(description="bắt đầu", ordering="started_at")
    def started(self, obj: LegacyImport) -> str:
        return local_time(obj.started_at)


@admin.register(LegacyDossier)
class LegacyDossierAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "dossier",
        "batch",
        "line",
        "legacy_status",
        "original_unit_code",
        "close_out_outcome",
        "closed",
    )
    list_filter = ("close_out_outcome", "batch")
    list_select_related = ("dossier", "batch")
    search_fields = ("dossier__code", "legacy_id", "other_code")

    @admin.display(description="kết thúc tồn đọng lúc", ordering="closed_out_at")
    def closed(self, obj: LegacyDossier) -> str:
        return local_time(obj.closed_out_at)
