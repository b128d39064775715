"""Dossier representations (snake_case JSON, times in ISO 8601 with +07:00) and the submission input.

Serializers only shape and type-check data; what the law allows is decided by the services.
"""

import re

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from motcua.api.serializers import UnitRefSerializer
from motcua.catalog.models import Channel
from motcua.core.text import mask_name
from motcua.documents.models import Document, DocumentKind, SignatureStatus
from motcua.dossiers import selectors
from motcua.dossiers.lifecycle import allowed_actions
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierFee, ResultDelivery
from motcua.dossiers.services import ApplicantInput, SubmissionInput
from motcua.dossiers.states import NATIONAL_STATUS_NAMES, Action, State, national_status
from motcua.org.models import ApplicantKind

MAX_DOCUMENTS = 50


class DocumentIds(serializers.ListField):
    """Ids of documents uploaded before (POST /api/v1/documents); unknown ids are refused, not dropped."""

    child = serializers.UUIDField(error_messages={"invalid": "Mã tài liệu (UUID) không hợp lệ."})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_DOCUMENTS)
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", list)
        kwargs.setdefault("help_text", "Mã (UUID) các tài liệu đã tải lên qua POST /api/v1/documents")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        ids = super().to_internal_value(data)
        missing = selectors.unknown_documents(ids)
        if missing:
            raise serializers.ValidationError(
                f"Không tìm thấy tài liệu: {', '.join(str(m) for m in missing)}.", code="does_not_exist"
            )
        return ids


# --- input -----------------------------------------------------------------------------------------


class ApplicantInputSerializer(serializers.Serializer):
    """Người nộp. Nộp trực tuyến: danh tính là của tài khoản đang đăng nhập (R-26) — kind, identifier,
    name có thể bỏ trống, nếu gửi thì phải đúng của tài khoản; chỉ các thông tin liên hệ được dùng.
    Nộp trực tiếp, bưu chính: cán bộ tiếp nhận nhập người nộp đang có mặt (bắt buộc kind, identifier,
    name)."""

    kind = serializers.ChoiceField(choices=ApplicantKind.choices, required=False)
    identifier = serializers.CharField(
        max_length=35,
        required=False,
        allow_blank=True,
        default="",
        help_text="Số định danh cá nhân (12 chữ số), mã số doanh nghiệp, hoặc mã định danh cơ quan",
    )
    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    unit = serializers.CharField(
        max_length=35,
        required=False,
        allow_blank=True,
        default="",
        help_text="Mã định danh cơ quan nộp (chỉ khi kind = state_body)",
    )


class SubmissionSerializer(serializers.Serializer):
    procedure = serializers.CharField(max_length=50, help_text="Mã thủ tục hành chính, ví dụ 1.001193")
    case = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        help_text="Mã trường hợp; bỏ trống khi thủ tục chỉ có một trường hợp",
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    unit = serializers.CharField(
        max_length=35,
        required=False,
        allow_blank=True,
        default="",
        help_text="Mã cơ quan giải quyết, khi thủ tục do nhiều cơ quan giải quyết",
    )
    applicant = ApplicantInputSerializer(required=False)
    summary = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    result_delivery = serializers.ChoiceField(choices=ResultDelivery.choices, default=ResultDelivery.COUNTER)
    documents = DocumentIds()

    def to_submission(self, *, idempotency_key: str = "") -> SubmissionInput:
        data = self.validated_data
        applicant = {
            "kind": "",
            "identifier": "",
            "name": "",
            "phone": "",
            "email": "",
            "address": "",
            "unit": "",
            **data.get("applicant", {}),
        }
        return SubmissionInput(
            procedure_code=data["procedure"],
            case_code=data["case"],
            channel=data["channel"],
            unit_code=data["unit"],
            applicant=ApplicantInput(
                kind=applicant["kind"],
                identifier=applicant["identifier"],
                name=applicant["name"],
                phone=applicant["phone"],
                email=applicant["email"],
                address=applicant["address"],
                unit_code=applicant["unit"],
            ),
            summary=data["summary"],
            result_delivery=data["result_delivery"],
            documents=list(data["documents"]),
            idempotency_key=idempotency_key,
        )


# Printable ASCII (space to tilde), as the Idempotency-Key header draft recommends for opaque keys.
IDEMPOTENCY_KEY_RE = re.compile(r"[\x20-\x7e]{1,64}")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[\\x20-\\x7e]{1,64}$"},
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Tùy chọn, 1–64 ký tự ASCII in được, do máy khách tạo cho mỗi hồ sơ mới. Gửi lại cùng khóa "
        "và cùng nội dung (ví dụ khi mất kết nối) trả lại đúng hồ sơ đã nộp lần đầu (201, tiêu đề "
        "Idempotent-Replayed: true), không tạo hồ sơ mới, không lấy thêm mã; cùng khóa với nội dung "
        "khác → 422 idempotency_key_reused. Khóa riêng cho từng tài khoản."
    ),
)


def idempotency_key(headers) -> str:
    """The optional Idempotency-Key header ("" when absent); a malformed one is a 400."""
    value = headers.get("Idempotency-Key")
    if value is None:
        return ""
    if not IDEMPOTENCY_KEY_RE.fullmatch(value):
        raise serializers.ValidationError(
            {"Idempotency-Key": ["Tiêu đề Idempotency-Key phải gồm 1–64 ký tự ASCII in được."]},
            code="invalid",
        )
    return value


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    kind = serializers.ChoiceField(choices=DocumentKind.choices)

    def validate(self, attrs):
        # "Signed" is verified from the PDF's embedded signature, never claimed (item 4, issue 8):
        # a client still sending the old checkbox is told so rather than silently ignored.
        if "signed" in self.initial_data:
            raise serializers.ValidationError(
                {
                    "signed": "Không còn khai báo “đã ký”: chữ ký số trong tệp PDF được hệ thống "
                    "tự kiểm tra khi tải lên (xem signature_status)."
                }
            )
        return attrs


class DossierFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=State.choices, required=False)
    unit = serializers.CharField(
        max_length=35, required=False, help_text="Mã đơn vị tiếp nhận hoặc giải quyết"
    )
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: đang xử lý và đã quá ngày hẹn trả; false: các hồ sơ còn lại",
    )
    due_before = serializers.DateTimeField(required=False, help_text="Ngày hẹn trả trước thời điểm này (ISO)")
    q = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Mã hồ sơ (đầu mã), số định danh người nộp, hoặc một phần tên người nộp",
    )
    procedure = serializers.CharField(max_length=50, required=False, help_text="Mã thủ tục")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)

    def validate_due_before(self, value):
        # Near year 1 or 9999 the conversion to local time overflows: refuse it as bad input.
        if not 1900 <= value.year <= 2999:
            raise serializers.ValidationError("Thời điểm phải trong khoảng từ năm 1900 đến năm 2999.")
        return value

    def to_filters(self) -> selectors.DossierFilters:
        return selectors.DossierFilters(**self.validated_data)


class LookupQuerySerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="Mã hồ sơ in trên Giấy tiếp nhận")
    secret = serializers.CharField(max_length=32, help_text="Mã tra cứu in trên Giấy tiếp nhận")


# --- output ----------------------------------------------------------------------------------------


SIGNATURE_FIELDS = ["signature_status", "signature_signer", "signature_signed_at", "signature_checked_at"]


class DocumentSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    signed = serializers.BooleanField(
        read_only=True,
        help_text="Có chữ ký số đã được hệ thống xác minh là hợp lệ (signature_status = valid)",
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "content_type",
            "size",
            "sha256",
            "signed",
            *SIGNATURE_FIELDS,
        ]


class AttachmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="document.id")
    name = serializers.CharField(source="document.name")
    kind = serializers.CharField(source="document.kind")
    kind_display = serializers.CharField(source="document.get_kind_display")
    signed = serializers.BooleanField(source="document.signed", help_text="Chữ ký số đã xác minh hợp lệ")
    signature_status = serializers.ChoiceField(
        source="document.signature_status", choices=SignatureStatus.choices, read_only=True
    )
    signature_signer = serializers.CharField(source="document.signature_signer", read_only=True)
    signature_signed_at = serializers.DateTimeField(
        source="document.signature_signed_at", read_only=True, allow_null=True
    )
    size = serializers.IntegerField(source="document.size")

    class Meta:
        model = DossierDocument
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "signed",
            "signature_status",
            "signature_signer",
            "signature_signed_at",
            "size",
            "attached_at",
        ]


class DossierFeeSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = DossierFee
        fields = ["kind", "kind_display", "amount", "description", "paid_at"]


class ProcedureRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CaseRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CurrentStepSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    unit = UnitRefSerializer()


class SheetRowSerializer(serializers.Serializer):
    """One line of the process-control sheet (R-11, mẫu 02 TT 01/2018)."""

    order = serializers.IntegerField()
    name = serializers.CharField()
    unit = UnitRefSerializer()
    role = serializers.CharField()
    role_display = serializers.CharField()
    handler = serializers.CharField(help_text="Người xử lý (trống khi bước chưa xong)")
    started_at = serializers.DateTimeField(allow_null=True)
    planned_end_at = serializers.DateTimeField(allow_null=True, help_text="Hạn hoàn thành bước")
    ended_at = serializers.DateTimeField(allow_null=True)
    budget_hours = serializers.DecimalField(
        max_digits=7, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    status = serializers.ChoiceField(choices=list(selectors.STEP_STATUS.items()))
    status_display = serializers.CharField()


class ConsultationSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Dùng làm consultation_id khi trả lời")
    from_unit = UnitRefSerializer()
    to_unit = UnitRefSerializer()
    content = serializers.CharField()
    reply_days = serializers.IntegerField()
    requested_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    late = serializers.SerializerMethodField(help_text="Trả lời muộn, hoặc chưa trả lời mà đã quá hạn")
    reminder1_at = serializers.DateTimeField(allow_null=True)
    reminder2_at = serializers.DateTimeField(allow_null=True)

    def get_late(self, obj) -> bool:
        return selectors.consultation_late(obj, self.context.get("now"))


class _StatusMixin(serializers.Serializer):
    state_display = serializers.CharField(source="get_state_display")
    national_status = serializers.SerializerMethodField(help_text="TrangThaiHoSo của Cổng DVCQG (1–10)")
    national_status_display = serializers.SerializerMethodField()

    def get_national_status(self, obj) -> int:
        return national_status(obj)

    def get_national_status_display(self, obj) -> str:
        return NATIONAL_STATUS_NAMES[national_status(obj)]


class DossierListSerializer(_StatusMixin, serializers.ModelSerializer):
    procedure = ProcedureRefSerializer()
    channel_display = serializers.CharField(source="get_channel_display")
    receiving_unit = UnitRefSerializer()
    deciding_unit = UnitRefSerializer()
    current_step = CurrentStepSerializer(allow_null=True)
    overdue = serializers.SerializerMethodField(help_text="Đang xử lý và đã quá ngày hẹn trả")

    class Meta:
        model = Dossier
        fields = [
            "code",
            "procedure",
            "channel",
            "channel_display",
            "applicant_name",
            "summary",
            "state",
            "state_display",
            "national_status",
            "national_status_display",
            "receiving_unit",
            "deciding_unit",
            "current_step",
            "version",
            "submitted_at",
            "received_at",
            "due_at",
            "extended_due_at",
            "finished_at",
            "returned_at",
            "overdue",
        ]

    def get_overdue(self, obj) -> bool:
        return selectors.is_overdue(obj, self.context.get("now"))


class ApplicantSerializer(serializers.Serializer):
    kind = serializers.CharField(source="applicant.kind")
    kind_display = serializers.CharField(source="applicant.get_kind_display")
    identifier = serializers.CharField(source="applicant_identifier")
    name = serializers.CharField(source="applicant_name")
    phone = serializers.CharField(source="applicant_phone")
    email = serializers.CharField(source="applicant_email")
    address = serializers.CharField(source="applicant_address")
    unit = serializers.CharField(source="applicant.unit.code", allow_null=True, default=None)


class TimeLimitSerializer(serializers.Serializer):
    value = serializers.DecimalField(
        source="time_limit", max_digits=7, decimal_places=2, coerce_to_string=False
    )
    unit = serializers.CharField(source="time_limit_unit")
    unit_display = serializers.CharField(source="get_time_limit_unit_display")


class DossierDetailSerializer(DossierListSerializer):
    lookup_secret = serializers.SerializerMethodField(
        help_text="Mã tra cứu in trên Giấy tiếp nhận; chỉ người nộp, chủ hồ sơ và cán bộ thấy"
    )
    case = CaseRefSerializer()
    applicant = ApplicantSerializer(source="*")
    counter = serializers.SerializerMethodField()
    result_delivery_display = serializers.CharField(source="get_result_delivery_display")
    legal_basis_display = serializers.CharField(source="get_legal_basis_display")
    time_limit = TimeLimitSerializer(source="*")
    fees = DossierFeeSerializer(many=True)
    documents = AttachmentSerializer(source="attachments", many=True)
    steps = serializers.SerializerMethodField(help_text="Phiếu kiểm soát quá trình (R-11)")
    consultations = ConsultationSerializer(many=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text="Các thao tác bảng chuyển trạng thái cho phép ở trạng thái hiện tại"
    )

    class Meta(DossierListSerializer.Meta):
        fields = [
            *DossierListSerializer.Meta.fields,
            "lookup_secret",
            "case",
            "applicant",
            "counter",
            "result_delivery",
            "result_delivery_display",
            "legal_basis",
            "legal_basis_display",
            "time_limit",
            "original_due_at",
            "supplement_requests",
            "fees",
            "documents",
            "steps",
            "consultations",
            "allowed_actions",
        ]

    def get_lookup_secret(self, obj) -> str | None:
        return obj.lookup_secret if selectors.may_see_secret(self.context.get("user"), obj) else None

    def get_counter(self, obj) -> str | None:
        return str(obj.counter) if obj.counter_id else None

    @extend_schema_field(SheetRowSerializer(many=True))
    def get_steps(self, obj):
        rows = selectors.process_control_sheet(obj, now=self.context.get("now"))
        return SheetRowSerializer(rows, many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Action.choices)))
    def get_allowed_actions(self, obj) -> list[str]:
        return allowed_actions(obj.state)


class EventStepSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()


class EventSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display")
    from_state_display = serializers.SerializerMethodField()
    to_state_display = serializers.SerializerMethodField()
    step = EventStepSerializer(allow_null=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    data = serializers.JSONField()
    documents = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = DossierEvent
        fields = [
            "seq",
            "at",
            "actor_name",
            "action",
            "action_display",
            "from_state",
            "from_state_display",
            "to_state",
            "to_state_display",
            "step",
            "unit",
            "reason",
            "data",
            "documents",
            "prev_hash",
            "hash",
        ]

    def get_from_state_display(self, obj) -> str:
        return State(obj.from_state).label if obj.from_state in State.values else ""

    def get_to_state_display(self, obj) -> str:
        return State(obj.to_state).label if obj.to_state in State.values else ""


class LookupSerializer(_StatusMixin, serializers.ModelSerializer):
    procedure = ProcedureRefSerializer()
    applicant_name = serializers.SerializerMethodField(help_text="Tên người nộp, đã che")

    class Meta:
        model = Dossier
        fields = [
            "code",
            "procedure",
            "applicant_name",
            "state",
            "state_display",
            "national_status",
            "national_status_display",
            "received_at",
            "due_at",
            "extended_due_at",
            "returned_at",
        ]

    def get_applicant_name(self, obj) -> str:
        return mask_name(obj.applicant_name)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Gửi kèm mỗi yêu cầu: Authorization: Bearer <token>")


def serializer_context(request) -> dict:
    """One clock for a whole response, so every "overdue" in it is judged at the same instant."""
    return {"request": request, "user": request.user, "now": timezone.now()}
