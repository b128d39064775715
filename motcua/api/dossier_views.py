"""Dossier endpoints: parse the input, call one service or selector, serialise (STYLE.md "Thin edges").

Who may see a dossier is decided by the selectors (a dossier of another unit is 404, like one that
does not exist); who may act on it by the lifecycle's guards (403 with the rule id).
"""

from django.utils.text import Truncator
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.api import auth
from motcua.api import dossier_serializers as s
from motcua.api.actions import ACTION_INPUTS, ActionSerializer
from motcua.api.errors import ErrorSerializer
from motcua.api.parsers import SafeJSONParser
from motcua.api.paths import CodeInPath
from motcua.api.throttling import LookupThrottle
from motcua.core.errors import NotFound
from motcua.documents.services import MAX_SIZE, store_document
from motcua.dossiers import selectors, services
from motcua.dossiers.states import Action

_ERROR_TEXT = {
    400: "Dữ liệu không hợp lệ (sai kiểu, thiếu trường, trường không dùng cho thao tác)",
    401: "Chưa đăng nhập hoặc token không hợp lệ",
    403: "Không có quyền (kèm mã quy tắc, ví dụ R-01, R-15, R-26)",
    404: "Không tìm thấy (hoặc không được xem) hồ sơ / thao tác",
    409: "Xung đột: phiên bản đã cũ (stale_version) hoặc thao tác không được phép ở trạng thái hiện tại",
    422: "Bị quy tắc nghiệp vụ từ chối (kèm mã quy tắc, ví dụ R-13, R-17)",
    413: "Vượt hạn mức dung lượng tài liệu chưa đính kèm hồ sơ (upload_quota_exceeded)",
    429: "Gửi quá nhiều yêu cầu",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorSerializer, description=_ERROR_TEXT[code]) for code in codes}


def _query(serializer_class, request):
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params


def _detail(request, code: str) -> dict:
    """The dossier as its actor sees it right after a change they were allowed to make."""
    dossier = selectors.dossier_after_change(code)
    return s.DossierDetailSerializer(dossier, context=s.serializer_context(request)).data


class TokenView(APIView):
    # A sign-in needs no prior sign-in (and a stale browser session must not demand a CSRF token).
    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [SafeJSONParser]
    throttle_classes = [auth.AuthThrottle]

    @extend_schema(
        tags=["auth"],
        summary="Đổi tên đăng nhập và mật khẩu lấy token (chỉ khi bật đăng nhập bằng mật khẩu)",
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, **errors(400, 403, 429)},
        auth=[],
    )
    def post(self, request):
        credentials = s.TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        token = auth.obtain_token(request._request, **credentials.validated_data)
        return Response({"token": token})


class DocumentUpload(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=["documents"],
        summary="Tải lên một tài liệu (PDF, JPG, PNG, DOCX, XLSX, XML; tối đa 20 MB)",
        description=(
            "Chữ ký số trong tệp PDF được kiểm tra khi tải lên (signature_status: unsigned, valid, "
            "invalid, untrusted). Tài liệu chỉ người tải lên (hoặc cán bộ giải quyết hồ sơ) được đính "
            "kèm, cho một hồ sơ. Hạn mức: dung lượng chưa đính kèm mỗi tài khoản (413 "
            "upload_quota_exceeded) và số tệp mỗi giờ (429 upload_rate_exceeded)."
        ),
        request={"multipart/form-data": s.DocumentUploadSerializer},
        responses={201: s.DocumentSerializer, **errors(400, 401, 413, 429)},
    )
    def post(self, request):
        form = s.DocumentUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        document = store_document(
            name=upload.name,
            # One byte more than allowed is enough for the service to refuse an oversized file
            # without the whole of it being read into memory.
            content=upload.read(MAX_SIZE + 1),
            kind=form.validated_data["kind"],
            uploaded_by=request.user,
        )
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DossierCollection(GenericAPIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]
    serializer_class = s.DossierListSerializer

    @extend_schema(
        tags=["dossiers"],
        summary="Danh sách hồ sơ người dùng được xem (hàng đợi công việc, hồ sơ của tôi)",
        parameters=[s.DossierFilterSerializer],
        responses={200: s.DossierListSerializer(many=True), **errors(400, 401)},
    )
    def get(self, request):
        filters = _query(s.DossierFilterSerializer, request).to_filters()
        page = self.paginate_queryset(selectors.dossier_list(request.user, filters))
        data = s.DossierListSerializer(page, many=True, context=s.serializer_context(request)).data
        return self.get_paginated_response(data)

    @extend_schema(
        tags=["dossiers"],
        summary="Nộp hồ sơ (trực tuyến bởi chính người nộp; trực tiếp, bưu chính do cán bộ tiếp nhận nhập)",
        description=(
            "Trực tuyến: người nộp là danh tính đã xác thực của tài khoản đang đăng nhập (R-26); tài khoản "
            "chưa định danh, hoặc gửi số định danh của người khác → 403 R-26. Trực tiếp, bưu chính: chỉ cán "
            "bộ tiếp nhận tại đầu mối tiếp nhận của đơn vị mình (R-01). Tiêu đề Idempotency-Key (tùy chọn) "
            "làm cho việc gửi lại an toàn: lần gửi lại trả về hồ sơ đã nộp (201, Idempotent-Replayed: true)."
        ),
        parameters=[s.IDEMPOTENCY_KEY_PARAMETER],
        request=s.SubmissionSerializer,
        responses={201: s.DossierDetailSerializer, **errors(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request):
        key = s.idempotency_key(request.headers)
        form = s.SubmissionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        submitted = services.submit_or_replay(form.to_submission(idempotency_key=key), actor=request.user)
        data = s.DossierDetailSerializer(submitted.dossier, context=s.serializer_context(request)).data
        # A replay answers as the first submission did (201, same dossier), marked so a client may tell.
        headers = {"Idempotent-Replayed": "true"} if submitted.replayed else None
        return Response(data, status=status.HTTP_201_CREATED, headers=headers)


class DossierDetail(CodeInPath, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["dossiers"],
        summary="Chi tiết hồ sơ, phiếu kiểm soát quá trình (R-11) và các thao tác được phép",
        responses={200: s.DossierDetailSerializer, **errors(401, 404)},
    )
    def get(self, request, code: str):
        dossier = selectors.dossier_detail(request.user, code)
        return Response(s.DossierDetailSerializer(dossier, context=s.serializer_context(request)).data)


class DossierEvents(CodeInPath, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["dossiers"],
        summary="Nhật ký hồ sơ (chỉ ghi thêm, mỗi sự kiện nối chuỗi băm với sự kiện trước)",
        responses={200: s.EventSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request, code: str):
        return Response(s.EventSerializer(selectors.dossier_events(request.user, code), many=True).data)


class DossierAction(CodeInPath, APIView):
    """Apply one lifecycle action through `services.apply`, the one door for every change."""

    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]
    lifecycle_action: str = ""
    input_serializer: type[ActionSerializer] = ActionSerializer

    def post(self, request, code: str):
        form = self.input_serializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.apply(code, self.lifecycle_action, request.user, form.to_action_input())
        return Response(_detail(request, code))


def _action_view(action: Action) -> type[DossierAction]:
    """One view class per action, so the OpenAPI schema shows each action's own request body."""
    serializer = ACTION_INPUTS[action]
    view = type(
        f"{serializer.__name__.removesuffix('Input')}Action",
        (DossierAction,),
        {"lifecycle_action": action.value, "input_serializer": serializer},
    )
    schema = extend_schema(
        tags=["dossier actions"],
        operation_id=f"dossiers_actions_{action.value}",
        summary=f"{action.label} ({action.value})",
        description=serializer.__doc__ or "",
        request=serializer,
        responses={200: s.DossierDetailSerializer, **errors(400, 401, 403, 404, 409, 422)},
    )
    return extend_schema_view(post=schema)(view)


ACTION_VIEWS: dict[str, type[DossierAction]] = {action.value: _action_view(action) for action in Action}


@extend_schema(exclude=True)
class UnknownAction(CodeInPath, APIView):
    permission_classes = [AllowAny]

    def post(self, request, code: str, action: str):
        name = Truncator(action).chars(40)
        raise NotFound(f"Không có thao tác “{name}” trên hồ sơ.", code="action_not_found")


class Lookup(APIView):
    # Public: anyone holding the receipt; a stale or foreign token must not turn it into a 401.
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LookupThrottle]

    @extend_schema(
        tags=["lookup"],
        summary="Tra cứu tình trạng hồ sơ bằng mã hồ sơ và mã tra cứu (không cần đăng nhập)",
        parameters=[s.LookupQuerySerializer],
        responses={200: s.LookupSerializer, **errors(400, 404, 429)},
        auth=[],
    )
    def get(self, request):
        params = _query(s.LookupQuerySerializer, request).validated_data
        return Response(s.LookupSerializer(selectors.lookup(params["code"], params["secret"])).data)
