"""The back office's forms: one per lifecycle action, and the counter's reception form.

Like the API's input serializers (which the back office does not import: the edges are independent),
each form accepts exactly the fields its action uses and checks their shape only (→ 400). Whether the
law allows the action — a reason long enough, the right document attached, a deadline within limits —
is the engine's answer (→ 422 with the rule id), so that the officer sees the same rule as any client.
"""

from django import forms

from motcua.catalog.models import Channel
from motcua.core.errors import InvalidInput
from motcua.documents.models import DocumentKind, DocumentOrigin
from motcua.documents.services import MAX_SIZE, scanned_pages_as_pdf
from motcua.dossiers.context import ActionInput
from motcua.dossiers.guards import LAWFUL_PAUSE_REASONS
from motcua.dossiers.models import ResultDelivery
from motcua.dossiers.services import ApplicantInput, SubmissionInput, Upload
from motcua.dossiers.states import Action
from motcua.org.models import ApplicantKind

MAX_INT = 2**31 - 1
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.xml"
SCAN_ACCEPT = ".pdf,.jpg,.jpeg,.png"
FILE_HELP = "PDF, JPG, PNG, DOCX, XLSX hoặc XML; tối đa 20 MB mỗi tệp."


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (each is checked again by `store_document`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", FILE_HELP)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        items = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not items:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def _read(upload) -> bytes:
    # One byte more than allowed is enough for `store_document` to refuse an oversized file without
    # the whole of it being read into memory.
    return upload.read(MAX_SIZE + 1)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# --- one form per action -------------------------------------------------------------------------


class ActionForm(forms.Form):
    """The fields every action has: the version the officer saw (stale → 409) and a reason."""

    action: str = ""
    # Kinds a document uploaded with this action may be of (the first is the usual one).
    document_kinds: tuple[str, ...] = ()
    files_label = "Tài liệu đính kèm"
    signable = False
    reason_label = "Ghi chú"
    reason_help = ""

    version = forms.IntegerField(min_value=1, max_value=MAX_INT, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=2000, required=False, widget=_textarea(2))

    def __init__(self, *args, dossier, dom_id: str = "", **kwargs):
        self.dossier = dossier
        self.dom_id = dom_id or self.action
        kwargs.setdefault("auto_id", f"{self.dom_id}-%s")
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = dossier.version
        self.fields["reason"].label = self.reason_label
        self.fields["reason"].help_text = self.reason_help
        if self.document_kinds:
            self.fields["files"] = MultipleFileField(label=self.files_label)
            if len(self.document_kinds) > 1:
                self.fields["document_kind"] = forms.ChoiceField(
                    label="Loại tài liệu",
                    choices=[(k, DocumentKind(k).label) for k in self.document_kinds],
                    initial=self.document_kinds[0],
                )
        if self.signable and "files" in self.fields:
            # No "signed" checkbox: the signature is verified on upload (item 4 of issue 8).
            self.fields["files"].help_text = (
                "Văn bản ký số: tải lên tệp PDF đã ký; chữ ký được hệ thống tự kiểm tra "
                "theo chứng thư số của tổ chức chứng thực được tin cậy."
            )
        self.order_fields(self.field_order_for_action())

    def field_order_for_action(self) -> list[str]:
        return []

    def document_kind(self) -> str:
        return self.cleaned_data.get("document_kind") or self.document_kinds[0]

    def fields_input(self) -> dict:
        """The action's own ActionInput fields."""
        return {}

    def action_input(self) -> ActionInput:
        data = self.cleaned_data
        return ActionInput(version=data["version"], reason=data.get("reason", ""), **self.fields_input())

    def uploads(self) -> list[Upload]:
        kind = self.document_kind() if self.document_kinds else DocumentKind.OTHER
        return [
            Upload(name=f.name, content=_read(f), kind=kind) for f in self.cleaned_data.get("files") or []
        ]


class ReceiveForm(ActionForm):
    action = Action.RECEIVE
    document_kinds = (DocumentKind.SUBMITTED, DocumentKind.OTHER)
    files_label = "Bản quét thành phần hồ sơ (nếu chưa có)"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A paper dossier (counter, post) is checked component by component before it is received
        # (R-17, NĐ 118 Điều 17 k1); the engine refuses an incomplete one without a stated reason.
        if self.dossier.channel != Channel.ONLINE and self.dossier.case_id:
            self.fields["components"] = forms.TypedMultipleChoiceField(
                label="Thành phần hồ sơ đã nộp",
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[
                    (c.pk, c.name + (" (bắt buộc)" if c.mandatory else ""))
                    for c in self.dossier.case.documents.order_by("order", "pk")
                ],
            )
            self.fields["incomplete_reason"] = forms.CharField(
                label="Lý do vẫn tiếp nhận khi thiếu thành phần bắt buộc",
                max_length=2000,
                required=False,
                widget=_textarea(2),
            )
            self.order_fields(["components", "files", "document_kind", "reason", "incomplete_reason"])

    def fields_input(self):
        return {
            "components": self.cleaned_data.get("components") or [],
            "incomplete_reason": self.cleaned_data.get("incomplete_reason", ""),
        }


class RejectForm(ActionForm):
    action = Action.REJECT
    document_kinds = (DocumentKind.REFUSAL, DocumentKind.OTHER)
    files_label = "Phiếu từ chối tiếp nhận (nếu có)"
    reason_label = "Lý do từ chối tiếp nhận"


class RequestSupplementForm(ActionForm):
    action = Action.REQUEST_SUPPLEMENT
    reason_label = "Lý do yêu cầu bổ sung"

    items = forms.CharField(
        label="Các nội dung cần bổ sung, hoàn thiện",
        help_text="Mỗi dòng một nội dung; liệt kê đầy đủ trong một lần (R-17).",
        max_length=20000,
        required=False,
        widget=_textarea(4),
    )
    legal_exception = forms.CharField(
        label="Căn cứ pháp luật chuyên ngành (chỉ khi yêu cầu bổ sung lần nữa)",
        max_length=1000,
        required=False,
    )

    def field_order_for_action(self):
        return ["items", "reason", "legal_exception"]

    def fields_input(self):
        items = [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]
        return {"items": items, "legal_exception": self.cleaned_data["legal_exception"]}


class SubmitSupplementForm(ActionForm):
    action = Action.SUBMIT_SUPPLEMENT
    document_kinds = (DocumentKind.SUPPLEMENT,)
    files_label = "Giấy tờ bổ sung"


class ForwardForm(ActionForm):
    action = Action.FORWARD
    document_kinds = (DocumentKind.OTHER,)
    files_label = "Tài liệu kèm theo (tờ trình, báo cáo thẩm định…)"
    reason_label = "Ý kiến xử lý"


class ReturnToStepForm(ActionForm):
    action = Action.RETURN_TO_STEP
    reason_label = "Lý do trả lại"

    step_order = forms.TypedChoiceField(label="Trả lại bước", coerce=int)

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step_order"].choices = [(s.order, f"Bước {s.order}: {s.name}") for s in steps]

    def field_order_for_action(self):
        return ["step_order", "reason"]

    def fields_input(self):
        return {"step_order": self.cleaned_data["step_order"]}


class ConsultForm(ActionForm):
    action = Action.CONSULT
    document_kinds = (DocumentKind.CONSULTATION,)
    files_label = "Văn bản xin ý kiến"

    to_unit = forms.ChoiceField(label="Cơ quan được xin ý kiến")
    content = forms.CharField(
        label="Nội dung xin ý kiến", max_length=4000, required=False, widget=_textarea(3)
    )
    reply_days = forms.IntegerField(
        label="Thời hạn trả lời (ngày làm việc)",
        help_text="Không quá thời hạn tối đa do đơn vị chủ trì đề xuất (R-12).",
        min_value=0,
        max_value=365,
        required=False,
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].choices = [("", "— Chọn cơ quan —"), *((u.code, u.name) for u in units)]

    def field_order_for_action(self):
        return ["to_unit", "content", "reply_days", "reason"]

    def fields_input(self):
        data = self.cleaned_data
        return {"to_unit": data["to_unit"], "content": data["content"], "reply_days": data["reply_days"]}


class AnswerConsultationForm(ActionForm):
    action = Action.ANSWER_CONSULTATION
    document_kinds = (DocumentKind.CONSULTATION,)
    files_label = "Văn bản trả lời"

    consultation_id = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    answer = forms.CharField(label="Nội dung trả lời", max_length=4000, required=False, widget=_textarea(3))

    def __init__(self, *args, consultation=None, **kwargs):
        if consultation is not None:
            kwargs.setdefault("dom_id", f"answer-{consultation.pk}")
        super().__init__(*args, **kwargs)
        if consultation is not None:
            self.fields["consultation_id"].initial = consultation.pk
        del self.fields["reason"]  # the answer is the reason

    def field_order_for_action(self):
        return ["answer"]

    def fields_input(self):
        return {
            "consultation_id": self.cleaned_data["consultation_id"],
            "answer": self.cleaned_data["answer"],
        }


class PauseForm(ActionForm):
    action = Action.PAUSE
    document_kinds = (DocumentKind.OTHER,)
    files_label = "Văn bản căn cứ tạm dừng"
    reason_label = "Lý do tạm dừng"

    pause_reason = forms.ChoiceField(
        label="Căn cứ tạm dừng",
        choices=list(LAWFUL_PAUSE_REASONS.items()),
    )

    def field_order_for_action(self):
        return ["pause_reason", "reason"]

    def fields_input(self):
        return {"pause_reason": self.cleaned_data["pause_reason"]}


class ResumeForm(ActionForm):
    action = Action.RESUME
    reason_label = "Lý do"


class StopForm(ActionForm):
    action = Action.STOP
    document_kinds = (DocumentKind.STOP_NOTICE,)
    files_label = "Thông báo dừng giải quyết hồ sơ"
    signable = True
    reason_label = "Lý do dừng xử lý"


class RequestWithdrawalForm(ActionForm):
    action = Action.REQUEST_WITHDRAWAL
    document_kinds = (DocumentKind.WITHDRAWAL_REQUEST,)
    files_label = "Đơn đề nghị rút hồ sơ của người nộp"
    reason_label = "Lý do rút hồ sơ"


class ApproveWithdrawalForm(ActionForm):
    action = Action.APPROVE_WITHDRAWAL
    document_kinds = (DocumentKind.WITHDRAWAL_APPROVAL,)
    files_label = "Văn bản đồng ý rút hồ sơ"
    signable = True


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ApologiseForm(ActionForm):
    action = Action.APOLOGISE
    document_kinds = (DocumentKind.APOLOGY,)
    files_label = "Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết"
    signable = True

    new_due_at = forms.DateTimeField(
        label="Ngày hẹn trả mới",
        help_text="Giờ Việt Nam; chỉ hẹn lại một lần (R-27).",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=LocalDateTimeInput(),
        required=False,
    )
    explanation = forms.CharField(
        label="Giải trình của thủ trưởng về lý do trễ hạn",
        max_length=2000,
        required=False,
        widget=_textarea(3),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"]

    def field_order_for_action(self):
        return ["new_due_at", "explanation"]

    def fields_input(self):
        return {
            "new_due_at": self.cleaned_data["new_due_at"],
            "explanation": self.cleaned_data["explanation"],
        }


class IssueResultForm(ActionForm):
    action = Action.ISSUE_RESULT
    document_kinds = (DocumentKind.RESULT,)
    files_label = "Văn bản kết quả (hoặc văn bản từ chối nêu rõ lý do)"
    signable = True
    reason_label = "Lý do (bắt buộc khi từ chối giải quyết)"

    outcome = forms.ChoiceField(
        label="Kết quả",
        choices=[("result", "Ban hành kết quả giải quyết"), ("refusal", "Từ chối giải quyết (nêu rõ lý do)")],
        initial="result",
        widget=forms.RadioSelect,
    )

    def field_order_for_action(self):
        return ["outcome", "files", "reason"]

    def document_kind(self) -> str:
        return DocumentKind.REFUSAL if self.cleaned_data.get("outcome") == "refusal" else DocumentKind.RESULT

    def fields_input(self):
        return {"outcome": self.cleaned_data["outcome"]}


class ReturnResultForm(ActionForm):
    action = Action.RETURN_RESULT
    document_kinds = (DocumentKind.OTHER,)
    files_label = "Tài liệu khi trả (biên nhận, phiếu ký nhận…)"

    delivery = forms.ChoiceField(
        label="Hình thức trả kết quả",
        choices=[("", "Theo đăng ký khi nộp hồ sơ"), *ResultDelivery.choices],
        required=False,
    )

    def field_order_for_action(self):
        return ["delivery", "reason"]

    def fields_input(self):
        return {"delivery": self.cleaned_data["delivery"]}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        ReceiveForm,
        RejectForm,
        RequestSupplementForm,
        SubmitSupplementForm,
        ForwardForm,
        ReturnToStepForm,
        ConsultForm,
        AnswerConsultationForm,
        PauseForm,
        ResumeForm,
        StopForm,
        RequestWithdrawalForm,
        ApproveWithdrawalForm,
        ApologiseForm,
        IssueResultForm,
        ReturnResultForm,
    )
}


# --- the counter's reception form ------------------------------------------------------------------

DECISIONS = [
    (Action.RECEIVE.value, "Tiếp nhận hồ sơ"),
    (Action.REQUEST_SUPPLEMENT.value, "Yêu cầu bổ sung, hoàn thiện"),
    (Action.REJECT.value, "Từ chối tiếp nhận"),
]


class ReceptionForm(forms.Form):
    """A dossier handed in at the counter: the applicant, each required component ticked (and its
    scan), and the officer's decision in the same sitting (NĐ 118 Điều 17 k1)."""

    case = forms.CharField(max_length=50, required=False, widget=forms.HiddenInput)
    applicant_kind = forms.ChoiceField(label="Người nộp là", choices=ApplicantKind.choices)
    identifier = forms.CharField(
        label="Số định danh / mã số thuế / mã cơ quan",
        max_length=35,
        # The help sits under the whole row (kind, identifier, look-up button) in the template.
        widget=forms.TextInput(attrs={"aria-describedby": "identifier-help", "autocomplete": "off"}),
    )
    name = forms.CharField(label="Họ tên / tên tổ chức, cơ quan", max_length=255)
    phone = forms.CharField(label="Điện thoại", max_length=20, required=False)
    email = forms.EmailField(label="Thư điện tử", max_length=254, required=False)
    address = forms.CharField(label="Địa chỉ", max_length=255, required=False)
    summary = forms.CharField(
        label="Trích yếu nội dung hồ sơ",
        max_length=1000,
        required=False,
        help_text="Để trống: dùng tên thủ tục.",
    )
    unit = forms.ChoiceField(label="Cơ quan giải quyết", required=False)
    result_delivery = forms.ChoiceField(
        label="Đăng ký nhận kết quả",
        choices=[(v, label) for v, label in ResultDelivery.choices],
        initial=ResultDelivery.COUNTER,
    )
    extra_files = MultipleFileField(label="Giấy tờ khác kèm theo (nếu có)")
    items = forms.CharField(
        label="Các nội dung cần bổ sung, hoàn thiện",
        help_text="Mỗi dòng một nội dung, liệt kê đủ trong một lần (R-17). Để trống: liệt kê các thành phần "
        "bắt buộc chưa được đánh dấu.",
        max_length=20000,
        required=False,
        widget=_textarea(4),
    )
    supplement_reason = forms.CharField(
        label="Lý do yêu cầu bổ sung", max_length=2000, required=False, widget=_textarea(2)
    )
    reject_reason = forms.CharField(
        label="Lý do từ chối tiếp nhận",
        help_text="Hồ sơ không thuộc phạm vi giải quyết hoặc không đủ điều kiện; ghi rõ lý do.",
        max_length=2000,
        required=False,
        widget=_textarea(2),
    )
    incomplete_reason = forms.CharField(
        label="Lý do vẫn tiếp nhận khi thiếu thành phần bắt buộc",
        help_text="Chỉ khi xác nhận tiếp nhận hồ sơ chưa đủ thành phần bắt buộc (ghi vào nhật ký hồ sơ); "
        "thông thường hồ sơ chưa đầy đủ phải yêu cầu bổ sung, hoàn thiện (NĐ 118/2025 Điều 17).",
        max_length=2000,
        required=False,
        widget=_textarea(2),
    )
    decision = forms.ChoiceField(choices=DECISIONS, error_messages={"required": "Hãy chọn cách xử lý hồ sơ."})

    def __init__(self, *args, setup, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup = setup
        self.components = list(setup.required_documents)
        for component in self.components:
            self.fields[f"present_{component.pk}"] = forms.BooleanField(label="Có", required=False)
            # TT 03/2025 Điều 5, TT 01/2023/TT-VPCP Điều 8: papers only shown are not scanned; a
            # scanned paper has as many images as pages (one PDF, or one picture per page).
            self.fields[f"shown_{component.pk}"] = forms.BooleanField(label="Chỉ xuất trình", required=False)
            self.fields[f"pages_{component.pk}"] = forms.IntegerField(
                label="Số trang giấy", required=False, min_value=1, max_value=999
            )
            self.fields[f"file_{component.pk}"] = MultipleFileField(
                label="Bản quét",
                help_text="Một tệp PDF gồm đủ các trang, hoặc ảnh JPG/PNG của từng trang theo thứ tự.",
                widget=MultipleFileInput(attrs={"accept": SCAN_ACCEPT}),
            )
        units = setup.deciding_units
        self.fields["unit"].choices = [("", "— Chọn cơ quan —"), *((u.code, u.name) for u in units)]
        if len(units) <= 1:
            self.fields["unit"].widget = forms.HiddenInput()
        if setup.case is not None:
            self.fields["case"].initial = setup.case.code

    def component_rows(self) -> list[dict]:
        """Each required component with its tick box and file input, as the template lists them."""
        return [
            {
                "component": c,
                "present": self[f"present_{c.pk}"],
                "shown": self[f"shown_{c.pk}"],
                "pages": self[f"pages_{c.pk}"],
                "file": self[f"file_{c.pk}"],
            }
            for c in self.components
        ]

    def clean(self):
        data = super().clean()
        for c in self.components:
            files = data.get(f"file_{c.pk}") or []
            # A scan of a component, or the paper shown, means it was handed in.
            if files or data.get(f"shown_{c.pk}"):
                data[f"present_{c.pk}"] = True
            if not files:
                continue
            if data.get(f"shown_{c.pk}"):
                self.add_error(f"file_{c.pk}", "Giấy tờ chỉ xuất trình thì không quét (TT 01/2023/TT-VPCP).")
                continue
            if not data.get(f"pages_{c.pk}"):
                self.add_error(
                    f"pages_{c.pk}", "Nhập số trang của giấy tờ: bản quét phải có đủ từng ấy trang (R-30)."
                )
                continue
            try:
                data[f"scan_{c.pk}"] = scanned_pages_as_pdf(
                    [(f.name, _read(f)) for f in files], title=f"Bản quét - {c.name}"
                )
            except InvalidInput as exc:
                self.add_error(f"file_{c.pk}", exc.message)
        return data

    def missing_items(self) -> list[str]:
        """The mandatory components not ticked: what a supplement request must list (R-17)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return [c.name for c in self.components if c.mandatory and not data.get(f"present_{c.pk}")]

    def to_submission(self) -> SubmissionInput:
        data = self.cleaned_data
        return SubmissionInput(
            procedure_code=self.setup.procedure.code,
            case_code=self.setup.case.code if self.setup.case else data["case"],
            channel=Channel.COUNTER,
            unit_code=data["unit"],
            applicant=ApplicantInput(
                kind=data["applicant_kind"],
                identifier=data["identifier"].strip(),
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                address=data["address"],
            ),
            summary=data["summary"],
            result_delivery=data["result_delivery"],
        )

    def decision_input(self) -> ActionInput:
        data = self.cleaned_data
        items = [line.strip() for line in data["items"].splitlines() if line.strip()]
        if data["decision"] == Action.REQUEST_SUPPLEMENT and not items:
            items = self.missing_items()
        reason = data["reject_reason"] if data["decision"] == Action.REJECT else data["supplement_reason"]
        receiving = data["decision"] == Action.RECEIVE

        def ticked(box: str) -> list[int]:
            return [c.pk for c in self.components if data.get(f"{box}_{c.pk}")]

        return ActionInput(
            version=1,
            reason=reason,
            items=items if data["decision"] == Action.REQUEST_SUPPLEMENT else [],
            # The components ticked as handed in: the engine checks them against the case.
            components=[c.pk for c in self.components if data.get(f"present_{c.pk}")] if receiving else [],
            incomplete_reason=data["incomplete_reason"] if receiving else "",
            shown_components=[c.pk for c in self.components if data.get(f"shown_{c.pk}")]
            if receiving
            else [],
            pages={c.pk: data[f"pages_{c.pk}"] for c in self.components if data.get(f"pages_{c.pk}")}
            if receiving
            else {},
        )

    def uploads(self) -> list[Upload]:
        data = self.cleaned_data
        uploads = [
            Upload(
                name=data[f"scan_{c.pk}"][0],
                content=data[f"scan_{c.pk}"][1],
                kind=DocumentKind.SUBMITTED,
                required_document_id=c.pk,
                origin=DocumentOrigin.SCANNED,
            )
            for c in self.components
            if data.get(f"scan_{c.pk}")
        ]
        uploads += [
            Upload(name=f.name, content=_read(f), kind=DocumentKind.SUBMITTED, origin=DocumentOrigin.SCANNED)
            for f in data["extra_files"]
        ]
        return uploads
