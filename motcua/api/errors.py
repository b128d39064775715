"""Every error leaves the API as {"error": {"code", "message" (Vietnamese), "rule"}} with a 4xx."""

import logging
import re

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from motcua.api.auth import TokenExpired
from motcua.core.errors import DomainError, error_body

_DRF_MESSAGES = {
    exceptions.NotAuthenticated: ("not_authenticated", "Bạn cần đăng nhập để thực hiện thao tác này."),
    exceptions.AuthenticationFailed: ("authentication_failed", "Thông tin đăng nhập không đúng."),
    TokenExpired: ("token_expired", "Token đã hết hạn; hãy đăng nhập lại để lấy token mới."),
    exceptions.PermissionDenied: ("permission_denied", "Bạn không có quyền thực hiện thao tác này."),
    exceptions.NotFound: ("not_found", "Không tìm thấy dữ liệu yêu cầu."),
    exceptions.MethodNotAllowed: ("method_not_allowed", "Phương thức không được hỗ trợ."),
    exceptions.NotAcceptable: ("not_acceptable", "Định dạng yêu cầu không được hỗ trợ."),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "Kiểu dữ liệu gửi lên không được hỗ trợ."),
    exceptions.Throttled: ("throttled", "Bạn gửi quá nhiều yêu cầu, vui lòng thử lại sau."),
    exceptions.ParseError: ("parse_error", "Dữ liệu gửi lên không đọc được (JSON không hợp lệ)."),
}

# DRF ships almost no Vietnamese, so field errors are reworded by their code; `{n}` is the limit
# DRF put in its English message. Messages the project wrote itself are already Vietnamese.
_FIELD_MESSAGES = {
    "required": "Trường này là bắt buộc.",
    "null": "Trường này không được để trống.",
    "blank": "Trường này không được để trống.",
    "invalid": "Giá trị không hợp lệ.",
    "max_length": "Dài quá giới hạn cho phép ({n}).",
    "min_length": "Ngắn hơn mức tối thiểu ({n}).",
    "max_value": "Giá trị phải nhỏ hơn hoặc bằng {n}.",
    "min_value": "Giá trị phải lớn hơn hoặc bằng {n}.",
    "max_string_length": "Số quá dài.",
    "invalid_choice": "Giá trị không nằm trong các lựa chọn cho phép.",
    "not_a_list": "Phải là một danh sách.",
    "not_a_dict": "Phải là một đối tượng JSON.",
    "empty": "Không được để trống.",
    "no_name": "Tệp gửi lên không có tên.",
    "date": "Phải là ngày giờ (ISO 8601), không phải chỉ ngày.",
    "make_aware": "Ngày giờ không hợp lệ trong múi giờ Asia/Ho_Chi_Minh.",
    "overflow": "Ngày giờ nằm ngoài phạm vi cho phép.",
    "null_characters_not_allowed": "Không được chứa ký tự NUL.",
    "surrogate_characters_not_allowed": "Không được chứa ký tự Unicode không hợp lệ.",
    "does_not_exist": "Không tồn tại.",
    "unknown_field": "Trường này không dùng cho thao tác này.",
}
_NUMBER = re.compile(r"\d+")
logger = logging.getLogger(__name__)


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Mã lỗi máy đọc được, ví dụ `rule_violation`, `stale_version`")
    message = serializers.CharField(help_text="Thông báo cho người dùng, tiếng Việt")
    rule = serializers.CharField(allow_null=True, help_text="Mã quy tắc bị vi phạm (R-13 …), nếu có")
    details = serializers.JSONField(
        required=False, help_text="Lỗi theo từng trường: {tên trường: thông báo hoặc danh sách thông báo}"
    )


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (DESIGN.md "Public interfaces")."""

    error = ErrorBodySerializer()


def _vietnamese(detail):
    if isinstance(detail, dict):
        return {key: _vietnamese(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_vietnamese(item) for item in detail]
    template = _FIELD_MESSAGES.get(getattr(detail, "code", None))
    if template is None or not str(detail).isascii():
        return str(detail)
    number = _NUMBER.search(str(detail))
    return template.format(n=number.group() if number else "")


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        details = {exc.field: exc.message} if exc.field else {}
        current = getattr(exc, "current", None)
        if current is not None:  # StaleVersion: tell the client which version to reload
            details["current_version"] = current
        return Response(error_body(exc.code, exc.message, exc.rule, details), status=exc.status_code)
    if isinstance(exc, IntegrityError):
        # The transaction was rolled back; a uniqueness race or a conflicting record, not a crash —
        # but logged, because a service should have refused it with its own message.
        logger.warning("integrity error answered as 409", exc_info=exc)
        return Response(
            error_body("conflict", "Dữ liệu xung đột với dữ liệu đã có; hãy kiểm tra lại rồi gửi lại."),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("too_large", "Dữ liệu gửi lên quá lớn."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response(
            error_body("bad_request", "Yêu cầu không hợp lệ."), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid_input", "Dữ liệu không hợp lệ.", None, _vietnamese(exc.detail))
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    code, message = _DRF_MESSAGES.get(type(exc), ("error", str(exc.detail)))
    response.data = error_body(code, message)
    return response
