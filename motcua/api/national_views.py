"""`POST /api/v1/national/dossiers`: the national portal (or another partner system) pushes the
dossiers citizens submitted there (issue 9, item 4). Thin: authenticate the partner, hand each
dossier to `motcua.sync.inbound.receive_forwarded`, answer.

A partner authenticates with its own key, `Authorization: Partner <code>:<key>` (made by
`manage.py add_partner`, shown once). Answers: 201 the dossier was created, 200 it had already
been received (the same dossier code), 4xx refused — `{"error": {"code", "message", "rule"}}` —
and 503 when the portal's files cannot be read now (nothing recorded: send it again later).
"""

import mimetypes

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from motcua.api.errors import ErrorSerializer
from motcua.api.parsers import SafeJSONParser
from motcua.api.throttling import ClientAddressThrottle, LookupThrottle
from motcua.core.errors import DomainError, InvalidInput, NotFound, error_body
from motcua.sync import file_links, inbound, partners
from motcua.sync.models import Partner

KEYWORD = "Partner"
MAX_BATCH = 100  # dossiers in one request (a list body)
RETRY_AFTER = 60  # seconds, when the portal's files cannot be read now
DEFAULT_RATE = "600/min"  # per partner, when REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] has no entry


class PartnerAuthentication(BaseAuthentication):
    """`Authorization: Partner <code>:<key>`; or the header pair `X-Partner: <code>` +
    `Authorization: Bearer <key>`, as LGSP gateways (and the simulator) forward a bearer key. The
    key is compared by its SHA-256 digest in constant time (motcua.sync.partners). No credentials
    → 401 with `WWW-Authenticate: Partner`; wrong ones → 401 too, nothing read or written."""

    def authenticate(self, request):
        header = get_authorization_header(request).split(None, 1)
        if not header:
            return None
        scheme = header[0].decode("latin-1").lower()
        try:
            value = header[1].decode("ascii") if len(header) == 2 else ""
        except UnicodeDecodeError:
            raise AuthenticationFailed() from None
        if scheme == KEYWORD.lower():
            credentials = partners.parse_credentials(value)
        elif scheme == "bearer" and request.headers.get("X-Partner", "").strip():
            credentials = (request.headers["X-Partner"].strip(), value.strip())
        else:
            return None
        partner = partners.authenticate(*credentials) if credentials else None
        if partner is None:
            raise AuthenticationFailed()
        # Not a person: no account of ours acts, the partner is `request.auth`.
        return AnonymousUser(), partner

    def authenticate_header(self, request) -> str:
        return f'{KEYWORD} realm="api"'


class PartnerScheme(OpenApiAuthenticationExtension):
    target_class = PartnerAuthentication
    name = "partnerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "Khoá của đối tác kết nối: `Authorization: Partner <mã đối tác>:<khoá>` (hoặc cặp tiêu đề "
                "`X-Partner: <mã đối tác>` và `Authorization: Bearer <khoá>`). Khoá tạo bằng "
                "`manage.py add_partner` hoặc thao tác “tạo khoá mới” trong trang quản trị, chỉ hiện một lần."
            ),
        }


class IsPartner(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, Partner)


class PartnerThrottle(ClientAddressThrottle):
    """Per partner (per address before authentication), like the API's other rate limits; the rate
    is `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["national_inbound"]`, else MOTCUA_NATIONAL_INBOUND_RATE."""

    scope = "national_inbound"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or getattr(
            settings, "MOTCUA_NATIONAL_INBOUND_RATE", DEFAULT_RATE
        )

    def get_ident(self, request) -> str:
        if isinstance(request.auth, Partner):
            return f"partner:{request.auth.code}"
        return super().get_ident(request)


# --- the documented shapes (the parsing itself is inbound's, with its Vietnamese refusals) ----------


class _Attachment(serializers.Serializer):
    TenGiayTo = serializers.CharField(help_text="Tên giấy tờ")
    DuongDan = serializers.URLField(help_text="Đường dẫn tải tệp trên Cổng DVCQG")
    HashTepTin = serializers.CharField(help_text="SHA-256 của tệp, 64 ký tự hex")


class _Component(serializers.Serializer):
    MaThanhPhanHoSo = serializers.CharField(help_text="Mã thành phần hồ sơ (như MAGIAYTO của LayThuTuc)")
    TenThanhPhanHoSo = serializers.CharField(required=False)
    GiayToDinhKem = _Attachment(many=True)


class _Applicant(serializers.Serializer):
    TenNguoiNop = serializers.CharField()
    SoDinhDanh = serializers.CharField(help_text="Số định danh cá nhân (12 số) hoặc mã số doanh nghiệp")
    SoDienThoai = serializers.CharField(required=False)
    Email = serializers.CharField(required=False)
    DiaChiChiTiet = serializers.CharField(required=False)


class ForwardedDossierSerializer(serializers.Serializer):
    """Một hồ sơ nộp trên Cổng DVCQG chuyển về tỉnh."""

    MaHoSo = serializers.CharField(help_text="Mã hồ sơ trên Cổng DVCQG (khoá chống trùng)")
    MaTTHC = serializers.CharField(help_text="Mã thủ tục hành chính")
    MaTruongHop = serializers.CharField(required=False, help_text="Mã (hoặc tên) trường hợp, nếu có nhiều")
    MaDonViTiepNhan = serializers.CharField(help_text="Mã định danh đơn vị tiếp nhận (theo sáp nhập)")
    NgayNop = serializers.CharField(help_text="yyyyMMddHHmmss, giờ Việt Nam")
    LoaiDoiTuong = serializers.ChoiceField(choices=["1", "2"], help_text="1 công dân, 2 doanh nghiệp")
    TrichYeuHoSo = serializers.CharField(required=False)
    TaiKhoanDuocXacThucVoiVNeID = serializers.ChoiceField(choices=["0", "1"], required=False)
    MaDoiTuong = serializers.CharField(required=False, help_text="TechID của người nộp trên Cổng DVCQG")
    ThongTinNguoiNop = _Applicant()
    ThanhPhanHoSo = _Component(many=True, required=False)


class ReceiptSerializer(serializers.Serializer):
    national_id = serializers.CharField(help_text="MaHoSo trên Cổng DVCQG")
    code = serializers.CharField(help_text="Mã hồ sơ của tỉnh ({mã đơn vị}-{yyMMdd}-{số thứ tự})")
    unit = serializers.CharField(help_text="Mã đơn vị tiếp nhận (sau sáp nhập, nếu có)")
    created = serializers.BooleanField(help_text="true: vừa tạo; false: đã nhận trước đó")
    message = serializers.CharField()


class BatchItemSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="Mã HTTP của hồ sơ này (201, 200, 4xx, 503)")
    national_id = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    created = serializers.BooleanField(required=False)
    error = serializers.JSONField(required=False)


class BatchSerializer(serializers.Serializer):
    results = BatchItemSerializer(many=True)


def _receipt(result: inbound.InboundResult) -> dict:
    message = (
        f"Đã tiếp nhận hồ sơ {result.national_id} thành hồ sơ {result.dossier_code}."
        if result.created
        else f"Hồ sơ {result.national_id} đã được nhận trước đó (hồ sơ {result.dossier_code})."
    )
    return {
        "national_id": result.national_id,
        "code": result.dossier_code,
        "unit": result.unit_code,
        "created": result.created,
        "message": message,
    }


def _receive(payload, partner: Partner) -> tuple[int, dict]:
    """(HTTP status, body) of one dossier; a refusal is raised as the DomainError it is."""
    result = inbound.receive_forwarded(payload, via="push", partner=partner)
    if not result.accepted:
        raise result.error
    return (status.HTTP_201_CREATED if result.created else status.HTTP_200_OK), _receipt(result)


def _batch_item(payload, partner: Partner) -> dict:
    try:
        code, body = _receive(payload, partner)
    except DomainError as exc:
        details = {exc.field: exc.message} if exc.field else None
        return {"status": exc.status_code, **error_body(exc.code, exc.message, exc.rule, details)}
    return {"status": code, **body}


_RESPONSES = {
    200: OpenApiResponse(ReceiptSerializer, description="Hồ sơ đã được nhận trước đó (cùng mã hồ sơ)"),
    201: OpenApiResponse(ReceiptSerializer, description="Đã tạo hồ sơ trực tuyến của đơn vị"),
    400: OpenApiResponse(ErrorSerializer, description="Dữ liệu không hợp lệ, tệp không khớp mã băm"),
    401: OpenApiResponse(ErrorSerializer, description="Thiếu hoặc sai khoá đối tác"),
    403: OpenApiResponse(ErrorSerializer, description="Đơn vị ngoài phạm vi của đối tác (R-26)"),
    422: OpenApiResponse(
        ErrorSerializer, description="Thủ tục, đơn vị không có hoặc đơn vị không tiếp nhận trực tuyến"
    ),
    429: OpenApiResponse(ErrorSerializer, description="Gửi quá nhiều yêu cầu"),
    503: OpenApiResponse(ErrorSerializer, description="Chưa tải được tệp từ Cổng DVCQG: gửi lại sau"),
}


class NationalDossierInbound(APIView):
    authentication_classes = [PartnerAuthentication]
    permission_classes = [IsPartner]
    throttle_classes = [PartnerThrottle]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        tags=["national portal"],
        summary="Cổng DVCQG chuyển hồ sơ về tỉnh (một hồ sơ, hoặc danh sách tối đa 100 hồ sơ)",
        description=(
            "Xác thực theo đối tác: `Authorization: Partner <mã đối tác>:<khoá>`. Mỗi hồ sơ được tạo một "
            "lần theo MaHoSo: gửi lại trả 200 cùng mã hồ sơ. Tệp đính kèm được tải từ `DuongDan` và kiểm "
            "tra SHA-256 (`HashTepTin`); sai mã băm thì từ chối hồ sơ. Đối tác chỉ chuyển hồ sơ đến các "
            "đơn vị được giao và đơn vị cấp dưới (403 R-26). Gửi một danh sách: trả 200 với `results`, "
            "mỗi phần tử mang `status` của hồ sơ đó."
        ),
        request=PolymorphicProxySerializer(
            component_name="ForwardedDossierBody",
            serializers=[ForwardedDossierSerializer, ForwardedDossierSerializer(many=True)],
            resource_type_field_name=None,
            many=False,
        ),
        responses={
            **_RESPONSES,
            200: OpenApiResponse(
                PolymorphicProxySerializer(
                    component_name="ForwardedDossierAnswer",
                    serializers=[ReceiptSerializer, BatchSerializer],
                    resource_type_field_name=None,
                    many=False,
                ),
                description="Đã nhận trước đó (cùng mã hồ sơ); với danh sách: kết quả từng hồ sơ",
            ),
        },
        examples=[
            OpenApiExample(
                "Một hồ sơ",
                request_only=True,
                value={
                    "MaHoSo": "G22.99-250801-000123",
                    "MaTTHC": "1.001193",
                    "MaDonViTiepNhan": "000.00.61.H19",
                    "NgayNop": "20250801083000",
                    "LoaiDoiTuong": "1",
                    "TrichYeuHoSo": "Đăng ký khai sinh cho con",
                    "TaiKhoanDuocXacThucVoiVNeID": "1",
                    "MaDoiTuong": "TECH-0001",
                    "ThongTinNguoiNop": {"TenNguoiNop": "Nguyễn Văn An", "SoDinhDanh": "075088000123"},
                    "ThanhPhanHoSo": [],
                },
            )
        ],
    )
    def post(self, request):
        partner = request.auth
        if isinstance(request.data, list):
            if not 1 <= len(request.data) <= MAX_BATCH:
                raise InvalidInput(f"Danh sách hồ sơ phải có từ 1 đến {MAX_BATCH} hồ sơ.")
            return Response({"results": [_batch_item(item, partner) for item in request.data]})
        try:
            code, body = _receive(request.data, partner)
        except inbound.PortalFilesUnavailable as exc:
            # Nothing was recorded: the partner sends the same dossier again later.
            return Response(
                error_body(exc.code, exc.message),
                status=exc.status_code,
                headers={"Retry-After": str(RETRY_AFTER)},
            )
        return Response(body, status=code)


class NationalFile(APIView):
    """`GET /api/v1/national/files/<token>`: a dossier's file at the address the sync payload gave
    the national portal (motcua.sync.file_links): no account, the signed address is the proof.
    Throttled per address as the public look-up is, so addresses cannot be probed."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = [LookupThrottle]

    @extend_schema(
        tags=["national portal"],
        summary="Tải tệp của hồ sơ theo đường dẫn có chữ ký đã gửi Cổng DVCQG (không cần đăng nhập)",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="Nội dung tệp"),
            404: OpenApiResponse(ErrorSerializer, description="Đường dẫn sai, bị sửa hoặc đã thu hồi"),
            429: OpenApiResponse(ErrorSerializer, description="Gửi quá nhiều yêu cầu"),
        },
        auth=[],
    )
    def get(self, request, token: str):
        document = file_links.document_of_link(token)
        try:
            handle = document.file.open("rb")
        except OSError:
            raise NotFound("Tệp của tài liệu này không còn trong kho lưu trữ.", code="file_missing") from None
        content_type = (
            document.content_type or mimetypes.guess_type(document.name)[0] or "application/octet-stream"
        )
        response = FileResponse(handle, as_attachment=True, filename=document.name, content_type=content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
