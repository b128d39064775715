from django.db.models import QuerySet
from django.utils import timezone

from motcua.core.text import search_folded


class FoldedSearchMixin:
    """Admin search without diacritics over a folded column: "giay phep" finds "Giấy phép"."""

    folded_search_field = "search_text"

    def get_search_results(self, request, queryset: QuerySet, search_term: str):
        return search_folded(queryset, self.folded_search_field, search_term), False


class ReadOnlyAdminMixin:
    """Viewable by whoever has the view permission; nobody adds, edits or deletes (history,
    records kept by the services, uploaded files)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def local_time(value) -> str:
    """An instant as officers read it: dd/mm/yyyy hh:mm in Asia/Ho_Chi_Minh."""
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"
