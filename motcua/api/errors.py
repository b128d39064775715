"""Every error leaves the API as {"error": {"code", "message" (Vietnamese), "rule"}} with a 4xx."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from motcua.core.errors import DomainError

_DRF_MESSAGES = {
    exceptions.NotAuthenticated: ("not_authenticated", "Bạn cần đăng nhập để thực hiện thao tác này."),
    exceptions.AuthenticationFailed: ("authentication_failed", "Thông tin đăng nhập không đúng."),
    exceptions.PermissionDenied: ("permission_denied", "Bạn không có quyền thực hiện thao tác này."),
    exceptions.NotFound: ("not_found", "Không tìm thấy dữ liệu yêu cầu."),
    exceptions.MethodNotAllowed: ("method_not_allowed", "Phương thức không được hỗ trợ."),
    exceptions.NotAcceptable: ("not_acceptable", "Định dạng yêu cầu không được hỗ trợ."),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "Kiểu dữ liệu gửi lên không được hỗ trợ."),
    exceptions.Throttled: ("throttled", "Bạn gửi quá nhiều yêu cầu, vui lòng thử lại sau."),
    exceptions.ParseError: ("parse_error", "Dữ liệu gửi lên không đọc được (JSON không hợp lệ)."),
}


def error_body(code: str, message: str, rule: str | None = None, details=None) -> dict:
    body = {"code": code, "message": message, "rule": rule}
    if details:
        body["details"] = details
    return {"error": body}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        details = {exc.field: exc.message} if exc.field else None
        return Response(error_body(exc.code, exc.message, exc.rule, details), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid_input", "Dữ liệu không hợp lệ.", None, exc.detail)
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    code, message = _DRF_MESSAGES.get(type(exc), ("error", str(exc.detail)))
    response.data = error_body(code, message)
    return response
