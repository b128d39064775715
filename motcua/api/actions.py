"""One input serializer per lifecycle action, each accepting exactly the fields that action uses.

They check shape and type only (400); whether the law allows the action — reasons long enough, the
right documents attached, deadlines within limits — is the guards' answer (422 with the rule id).
Unknown fields are refused so that a client never believes a field it sent was taken into account.
"""

from collections.abc import Mapping

from rest_framework import serializers

from motcua.api.dossier_serializers import DocumentIds
from motcua.dossiers.context import ActionInput
from motcua.dossiers.guards import LAWFUL_PAUSE_REASONS
from motcua.dossiers.models import ResultDelivery
from motcua.dossiers.states import Action

MAX_INT = 2**31 - 1
MAX_BIGINT = 2**63 - 1


class ActionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_INT,
        help_text="Phiên bản hồ sơ mà người dùng đang thấy; đã bị người khác cập nhật thì trả 409",
    )
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Lý do / ghi chú, ghi vào nhật ký hồ sơ",
    )

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Trường này không dùng cho thao tác này."] for name in unknown}
                )
        return super().to_internal_value(data)

    def to_action_input(self) -> ActionInput:
        return ActionInput(**self.validated_data)


class WithDocuments(ActionSerializer):
    documents = DocumentIds()


def component_ids(help_text: str) -> serializers.ListField:
    """`id`s of the case's components (RequiredDocument), as /api/v1/procedures/{mã} lists them."""
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_BIGINT),
        max_length=200,
        required=False,
        default=list,
        help_text=help_text,
    )


class ReceiveInput(WithDocuments):
    """Tiếp nhận (R-01, R-02, R-19); hồ sơ trực tiếp, bưu chính: đủ thành phần bắt buộc (R-17)."""

    components = component_ids(
        "Hồ sơ nộp trực tiếp, qua bưu chính: `id` các thành phần hồ sơ (của trường hợp, "
        "xem /api/v1/procedures/{mã}) người nộp đã nộp; thiếu thành phần bắt buộc thì bị từ chối (R-17)"
    )
    incomplete_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Lý do vẫn tiếp nhận khi thiếu thành phần bắt buộc (ghi vào nhật ký)",
    )
    shown_components = component_ids(
        "`id` các thành phần người nộp chỉ xuất trình để đối chiếu: không quét, không lưu bản sao "
        "(TT 01/2023/TT-VPCP Điều 8); được tính là đã nộp"
    )


class RejectInput(WithDocuments):
    """Từ chối tiếp nhận: lý do (reason) bắt buộc."""


class RequestSupplementInput(ActionSerializer):
    """Yêu cầu bổ sung, hoàn thiện hồ sơ — một lần, liệt kê đủ các nội dung (R-17)."""

    items = serializers.ListField(
        child=serializers.CharField(max_length=500),
        max_length=100,
        required=False,
        default=list,
        help_text="Toàn bộ các nội dung cần bổ sung, hoàn thiện",
    )
    legal_exception = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Căn cứ pháp luật chuyên ngành cho phép yêu cầu bổ sung lần nữa",
    )


class SubmitSupplementInput(WithDocuments):
    """Nộp bổ sung: thời hạn giải quyết tính lại từ khi hồ sơ đầy đủ."""


class ForwardInput(WithDocuments):
    """Chuyển bước xử lý tiếp theo của quy trình (R-03, R-11)."""


class ReturnToStepInput(ActionSerializer):
    """Trả lại một bước trước, nêu lý do."""

    step_order = serializers.IntegerField(min_value=1, max_value=32767, help_text="Số thứ tự bước trả về")


class ConsultInput(WithDocuments):
    """Xin ý kiến cơ quan khác (R-12)."""

    to_unit = serializers.CharField(max_length=35, help_text="Mã định danh cơ quan được xin ý kiến")
    content = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    reply_days = serializers.IntegerField(
        min_value=0,
        max_value=365,
        required=False,
        allow_null=True,
        default=None,
        help_text="Thời hạn trả lời, ngày làm việc (không quá mức đơn vị chủ trì đề xuất)",
    )


class AnswerConsultationInput(WithDocuments):
    """Trả lời xin ý kiến (R-16)."""

    consultation_id = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT)
    answer = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class PauseInput(WithDocuments):
    """Tạm dừng — chỉ vì lý do hợp pháp, không khi đang xin ý kiến (R-13)."""

    pause_reason = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        help_text="Một trong: "
        + "; ".join(f"`{key}` ({label})" for key, label in LAWFUL_PAUSE_REASONS.items()),
    )


class ResumeInput(ActionSerializer):
    """Tiếp tục xử lý (sau tạm dừng, hoặc bỏ đề nghị rút hồ sơ — khi đó phải nêu lý do)."""


class StopInput(WithDocuments):
    """Dừng xử lý: lý do và Thông báo dừng (stop_notice) (R-14)."""


class RequestWithdrawalInput(WithDocuments):
    """Đề nghị rút hồ sơ: kèm đơn của người nộp (withdrawal_request) (R-15)."""


class ApproveWithdrawalInput(WithDocuments):
    """Duyệt rút hồ sơ: lãnh đạo, kèm văn bản đồng ý có chữ ký (R-15)."""


class ApologiseInput(WithDocuments):
    """Xin lỗi và hẹn lại ngày trả, một lần (R-27)."""

    new_due_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={"invalid": "Ngày giờ không đúng định dạng ISO 8601."},
        help_text="Ngày hẹn trả mới",
    )
    explanation = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Giải trình của thủ trưởng về lý do trễ hạn",
    )


class IssueResultInput(WithDocuments):
    """Ban hành kết quả (văn bản kết quả), hoặc từ chối giải quyết có văn bản nêu lý do (R-14, R-08)."""

    outcome = serializers.ChoiceField(
        choices=[("result", "Kết quả giải quyết"), ("refusal", "Từ chối giải quyết")], default="result"
    )


class ReturnResultInput(WithDocuments):
    """Trả kết quả cho tổ chức, cá nhân."""

    delivery = serializers.ChoiceField(
        choices=ResultDelivery.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Cách trả; mặc định theo lựa chọn khi nộp",
    )


ACTION_INPUTS: dict[str, type[ActionSerializer]] = {
    Action.RECEIVE: ReceiveInput,
    Action.REJECT: RejectInput,
    Action.REQUEST_SUPPLEMENT: RequestSupplementInput,
    Action.SUBMIT_SUPPLEMENT: SubmitSupplementInput,
    Action.FORWARD: ForwardInput,
    Action.RETURN_TO_STEP: ReturnToStepInput,
    Action.CONSULT: ConsultInput,
    Action.ANSWER_CONSULTATION: AnswerConsultationInput,
    Action.PAUSE: PauseInput,
    Action.RESUME: ResumeInput,
    Action.STOP: StopInput,
    Action.REQUEST_WITHDRAWAL: RequestWithdrawalInput,
    Action.APPROVE_WITHDRAWAL: ApproveWithdrawalInput,
    Action.APOLOGISE: ApologiseInput,
    Action.ISSUE_RESULT: IssueResultInput,
    Action.RETURN_RESULT: ReturnResultInput,
}
