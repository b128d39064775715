"""Input hardening for every request: bad input is a 400, never a 500 (issue 8, item 6).

A NUL character cannot be stored in PostgreSQL text (psycopg refuses it with a DataError), so a
`%00` anywhere in an address, a query string, a cookie or a form body that reaches a query would
crash the page. No field of this system (codes, names, ID numbers, dates) can legitimately hold
one, so such a request is refused before any view runs. Values that the database cannot represent
and that slipped past a form's validation (a date at the very end of the calendar, an integer out of
range) are answered 400 as well, and logged, so the form that let them through can be fixed.

Under `/api/` the answer is the API's JSON error shape (`{"error": {"code", "message", "rule"}}`);
elsewhere a Vietnamese page (`motcua/templates/400.html`).
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.request import RawPostDataException
from django.template import loader

from motcua.core.errors import error_body

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
INVALID_CHARACTERS = "Yêu cầu có ký tự không hợp lệ (ký tự NUL) trong địa chỉ, tham số hoặc dữ liệu gửi lên."
OUT_OF_RANGE = "Dữ liệu gửi lên không hợp lệ hoặc nằm ngoài phạm vi cho phép (ví dụ ngày tháng, số quá lớn)."
_FORM = "application/x-www-form-urlencoded"
_NUL_ESCAPES = ("\x00", "%00")


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_response(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """A refusal in the shape its client reads: the API's JSON error body, or a Vietnamese page
    rendered without the request's context (a broken session or user must not break the page)."""
    if is_api(request):
        compact = {"ensure_ascii": False, "separators": (",", ":")}  # as DRF renders it
        return JsonResponse(error_body(code, message), status=status, json_dumps_params=compact)
    page = loader.render_to_string(f"{status}.html", {"message": message})
    return HttpResponse(page, status=status, content_type="text/html; charset=utf-8")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:  # the server already decoded %00 in the path
        return True
    query = request.META.get("QUERY_STRING", "")
    if any(escape in query for escape in _NUL_ESCAPES):
        return True
    # Django's session and CSRF cookies are parsed with Python's cookie rules, where "\000" is NUL.
    if any("\x00" in value for value in request.COOKIES.values()):
        return True
    if request.content_type == _FORM and request.method in ("POST", "PUT", "PATCH", "DELETE"):
        # Only url-encoded forms are read here: they are small and Django caches the body for the
        # view. Multipart bodies hold files, where NUL bytes are ordinary; their text fields are
        # checked by the forms' and serializers' own validators (Django and DRF refuse NUL).
        try:
            body = request.body
        except (RequestDataTooBig, RawPostDataException, UnreadablePostError):
            return False  # too large, already read, or cut off: the view answers that itself
        return b"\x00" in body or b"%00" in body
    return False


class RejectInvalidInput:
    """Runs first (after SecurityMiddleware), so nothing below sees a NUL character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return error_response(request, 400, "invalid_characters", INVALID_CHARACTERS)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # DataError: the database refused a value (NUL, numeric overflow, a string too long for its
        # column); OverflowError: a date or number past what Python or the driver can represent.
        # Both come from input a form should have refused — the client gets a 400, the log the trace.
        if isinstance(exception, (DataError, OverflowError)):
            logger.warning(
                "input the database cannot hold, answered 400: %s", request.path, exc_info=exception
            )
            return error_response(request, 400, "bad_request", OUT_OF_RANGE)
        return None
