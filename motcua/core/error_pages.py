"""The site's error pages (`handler400`…`handler500` in motcua/urls.py): what people see when
DEBUG is off. Vietnamese pages for the portal and the back office; the API's JSON error shape
under `/api/`, so an API client never has to read HTML."""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError

from motcua.core.middleware import error_response

logger = logging.getLogger(__name__)

BAD_REQUEST = "Yêu cầu không hợp lệ: địa chỉ hoặc dữ liệu gửi lên sai định dạng."
FORBIDDEN = "Bạn không có quyền xem trang này."
NOT_FOUND = "Không tìm thấy trang hoặc dữ liệu yêu cầu."
SERVER_ERROR = "Hệ thống gặp lỗi ngoài dự kiến; lỗi đã được ghi lại. Vui lòng thử lại sau ít phút."


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400, "bad_request", BAD_REQUEST)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403, "permission_denied", FORBIDDEN)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404, "not_found", NOT_FOUND)


def server_error(request: HttpRequest) -> HttpResponse:
    # The last resort must not fail in turn (a broken template, a missing static manifest).
    try:
        return error_response(request, 500, "server_error", SERVER_ERROR)
    except Exception:
        logger.exception("the 500 page itself failed")
        return HttpResponseServerError(SERVER_ERROR, content_type="text/plain; charset=utf-8")
