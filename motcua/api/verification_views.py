"""`/api/v1/verification`: the `/xac-thuc/` page for machines — an electronic result checked by its
file (POST, multipart) or its verification code (GET ?code=). Public, throttled like the dossier
look-up; an uploaded file is checked and forgotten (nothing stored). NĐ 45/2020 Điều 14, R-30."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.api.dossier_views import _query, errors
from motcua.api.throttling import LookupThrottle
from motcua.documents.sealing import check_upload
from motcua.documents.services import MAX_SIZE
from motcua.dossiers.results import verify_result_code


class VerifyFileSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False, help_text="Tệp PDF kết quả")


class VerifyCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40, help_text="Mã tra cứu kết quả (XXXX-XXXX-XXXX)")


class SignatureSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="valid, invalid, untrusted")
    status_display = serializers.CharField(source="get_status_display")
    valid = serializers.BooleanField()
    signer = serializers.CharField(help_text="Tên (CN) trong chứng thư số")
    organisation = serializers.CharField(help_text="Tổ chức (O) trong chứng thư số")
    subject = serializers.CharField()
    issuer = serializers.CharField(help_text="Tổ chức cung cấp dịch vụ chứng thực đã cấp chứng thư")
    signed_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    location = serializers.CharField()
    intact = serializers.BooleanField(help_text="Nội dung đã ký không bị sửa")
    covers_whole_file = serializers.BooleanField(help_text="Không có gì được thêm vào tệp sau chữ ký này")
    note = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="Mọi chữ ký hợp lệ, tin cậy, tệp nguyên vẹn")
    status = serializers.CharField(help_text="unsigned, valid, invalid, untrusted (chữ ký xấu nhất)")
    status_display = serializers.CharField(source="get_status_display")
    intact = serializers.BooleanField(help_text="Tệp không bị sửa sau lần ký cuối")
    note = serializers.CharField()
    signatures = SignatureSerializer(many=True)


class IssuedResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    verification_code = serializers.CharField(source="document.verification_code")
    name = serializers.CharField(source="document.name", help_text="Tên văn bản kết quả")
    procedure_name = serializers.CharField()
    dossier_code_masked = serializers.CharField(help_text="Mã hồ sơ, đã che")
    unit_name = serializers.CharField(help_text="Cơ quan ban hành")
    issued_at = serializers.DateTimeField(allow_null=True)
    stored_intact = serializers.BooleanField(help_text="Tệp lưu trữ khớp với tệp đã ban hành")
    verification = VerificationSerializer()


class Verification(APIView):
    # Public, like the look-up: a stale or foreign token must not turn it into a 401.
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LookupThrottle]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=["verification"],
        summary="Xác thực kết quả điện tử bằng mã tra cứu kết quả (không cần đăng nhập)",
        parameters=[VerifyCodeSerializer],
        responses={200: IssuedResultSerializer, **errors(400, 404, 429)},
        auth=[],
    )
    def get(self, request):
        code = _query(VerifyCodeSerializer, request).validated_data["code"]
        return Response(IssuedResultSerializer(verify_result_code(code)).data)

    @extend_schema(
        tags=["verification"],
        summary="Xác thực chữ ký số của một tệp PDF kết quả (tệp không được lưu lại)",
        request={"multipart/form-data": VerifyFileSerializer},
        responses={200: VerificationSerializer, **errors(400, 429)},
        auth=[],
    )
    def post(self, request):
        form = VerifyFileSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        report = check_upload(upload.name, upload.read(MAX_SIZE + 1))
        return Response(VerificationSerializer(report).data)
