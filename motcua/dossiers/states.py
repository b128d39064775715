"""The states a dossier can be in, the actions that move it, and the national status codes."""

from django.db import models


class State(models.TextChoices):
    SUBMITTED = "submitted", "Mới nộp, chờ tiếp nhận"
    RECEIVED = "received", "Đã tiếp nhận, chờ chuyển xử lý"
    PROCESSING = "processing", "Đang xử lý"
    AWAITING_SUPPLEMENT = "awaiting_supplement", "Chờ bổ sung hồ sơ"
    PAUSED = "paused", "Tạm dừng"
    WITHDRAWAL_REQUESTED = "withdrawal_requested", "Chờ duyệt rút hồ sơ"
    RESULT_READY = "result_ready", "Đã có kết quả, chờ trả"
    REJECTED = "rejected", "Không được tiếp nhận"
    WITHDRAWN = "withdrawn", "Đã rút hồ sơ"
    STOPPED = "stopped", "Dừng xử lý"
    RETURNED = "returned", "Đã trả kết quả"


FINAL_STATES = frozenset({State.REJECTED, State.WITHDRAWN, State.STOPPED, State.RETURNED})
# States in which the processing clock runs (the dossier is with the administration).
OPEN_STATES = frozenset({State.RECEIVED, State.PROCESSING, State.WITHDRAWAL_REQUESTED})


class Action(models.TextChoices):
    RECEIVE = "receive", "Tiếp nhận"
    REJECT = "reject", "Từ chối tiếp nhận"
    REQUEST_SUPPLEMENT = "request_supplement", "Yêu cầu bổ sung, hoàn thiện hồ sơ"
    SUBMIT_SUPPLEMENT = "submit_supplement", "Nộp bổ sung"
    FORWARD = "forward", "Chuyển bước xử lý"
    RETURN_TO_STEP = "return_to_step", "Trả lại bước trước"
    CONSULT = "consult", "Xin ý kiến cơ quan khác"
    ANSWER_CONSULTATION = "answer_consultation", "Trả lời xin ý kiến"
    PAUSE = "pause", "Tạm dừng"
    RESUME = "resume", "Tiếp tục xử lý"
    STOP = "stop", "Dừng xử lý"
    REQUEST_WITHDRAWAL = "request_withdrawal", "Đề nghị rút hồ sơ"
    APPROVE_WITHDRAWAL = "approve_withdrawal", "Duyệt rút hồ sơ"
    APOLOGISE = "apologise", "Xin lỗi, hẹn lại ngày trả"
    ISSUE_RESULT = "issue_result", "Ban hành kết quả"
    RETURN_RESULT = "return_result", "Trả kết quả"


# Internal state → DVCQG `TrangThaiHoSo` (REGULATIONS §6.3). A table, not scattered ifs; 5/6/8
# are sent as themselves (Tân Dân's habit of sending them as 9 is not copied).
NATIONAL_STATUS: dict[str, int] = {
    State.SUBMITTED: 1,
    State.RECEIVED: 2,
    State.REJECTED: 3,
    State.PROCESSING: 4,
    State.WITHDRAWAL_REQUESTED: 4,
    State.AWAITING_SUPPLEMENT: 5,
    State.PAUSED: 6,
    State.WITHDRAWN: 7,
    State.STOPPED: 8,
    State.RESULT_READY: 9,
    State.RETURNED: 10,
}

# A pause is status 6 only while the applicant owes a financial obligation; a force-majeure pause
# has no code of its own on the portal and the dossier is still with the administration (4).
PAUSED_NATIONAL_STATUS = {"financial_obligation": 6, "force_majeure": 4}


def national_status(dossier) -> int:
    """The dossier's `TrangThaiHoSo` now (its state, and for a pause its ground)."""
    if dossier.state == State.PAUSED:
        return PAUSED_NATIONAL_STATUS.get(dossier.pause_ground, NATIONAL_STATUS[State.PAUSED])
    return NATIONAL_STATUS[dossier.state]


NATIONAL_STATUS_NAMES = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
