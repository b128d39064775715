"""Tìm hồ sơ: one search box in the header over every dossier the officer may see (issue 8 item 10).

A code, a name or an identification number (with or without diacritics), or the receipt's QR
look-up link pasted or scanned into the box; a code or link that finds one dossier opens it.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from motcua.backoffice.views.common import officer_required
from motcua.dossiers import search


def _page_number(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < len(value) <= 4 else None


@officer_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    number = _page_number(request.GET.get("page", "1") or "1")
    if number is None or number > search.MAX_PAGE or len(text) > search.MAX_QUERY:
        problem = (
            "Số trang không hợp lệ." if number is None or number > search.MAX_PAGE else "Từ khóa quá dài."
        )
        context = {"nav": "search", "q": text[: search.MAX_QUERY], "problem": problem, "result": None}
        return render(request, "backoffice/search.html", context, status=400)
    result = search.search_dossiers(request.user, text, page=number)
    if result.single is not None:
        return redirect(reverse("backoffice:dossier", args=[result.single.code]))
    query = urlencode({"q": result.query.text})
    return render(
        request,
        "backoffice/search.html",
        {"nav": "search", "q": result.query.text, "result": result, "querystring": query},
    )
