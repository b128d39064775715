from django.db.models import QuerySet

from motcua.core.text import search_folded


class FoldedSearchMixin:
    """Admin search without diacritics over a folded column: "giay phep" finds "Giấy phép"."""

    folded_search_field = "search_text"

    def get_search_results(self, request, queryset: QuerySet, search_term: str):
        return search_folded(queryset, self.folded_search_field, search_term), False
