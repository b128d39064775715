"""The score-recovery plan (R-23: "which indicators are low and which dossiers/actions would raise
them"; issue 10 item 3): for each indicator below its maximum, what would win points back, how many
dossiers or procedures that takes, and exactly how many points — ordered by points.

Each step's gain is the indicator recomputed with the step done (`points_of` on the new rate), not
an estimate: doing what a step lists raises the score by what it says (tests/index check it by
doing it). Steps that cannot win anything back any more (a dossier already late stays late) are
listed apart, so nobody spends effort on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from motcua.index.models import Scoring
from motcua.index.selectors import (
    IndicatorScore,
    UnitIndex,
    compute,
    is_dossier_measure,
    open_in_time,
    points_of,
    rate_of,
)
from motcua.sync.selectors import Period, UnitTree, unit_tree

# What to do, per measure: the step's wording ({n} the count) and whether its items are dossiers.
ACTIONS: dict[str, str] = {
    "dossier_sync": "{n} hồ sơ tiếp nhận trong kỳ chưa đồng bộ lên Cổng DVCQG: xử lý lỗi và gửi lại",
    "on_time": "{n} hồ sơ đang giải quyết có hẹn trả trước cuối kỳ, chưa quá hạn: giải quyết xong trước hạn",
    "online_share": "{n} hồ sơ nộp trực tiếp, bưu chính hoặc trực tuyến chưa có kết quả điện tử: "
    "hướng dẫn nộp trực tuyến và cấp kết quả điện tử",
    "dossiers_paid_online": "{n} hồ sơ có phí, lệ phí chưa thanh toán trực tuyến: thu trực tuyến",
    "electronic_results": "{n} hồ sơ có kết quả giấy tờ chưa có tệp kết quả điện tử: đính kèm kết quả",
    "digitised_dossiers": "{n} hồ sơ chưa số hóa thành phần hồ sơ (hoặc chưa có kết quả điện tử): số hóa",
    "reused_data": "{n} hồ sơ chưa dùng lại dữ liệu đã số hóa: khai thác kho dữ liệu thay cho giấy tờ",
    "personal_store": "{n} hồ sơ chưa lấy thành phần từ kho dữ liệu cá nhân trên Cổng DVCQG",
    "citizen_data_dossiers": "{n} hồ sơ chưa dùng dữ liệu dân cư (tài khoản VNeID): xác thực qua VNeID",
    "dossier_satisfaction": "{n} hồ sơ có hẹn trả trước cuối kỳ, chưa quá hạn: giải quyết đúng hạn",
    "public_content_full": "{n} thủ tục công khai thiếu bộ phận theo khoản 2 Điều 8 NĐ 63/2010: bổ sung",
    "procedures_online": "{n} thủ tục chưa cung cấp dịch vụ công trực tuyến: cấu hình DVC trực tuyến",
    "online_services_used": "{n} dịch vụ công trực tuyến chưa có hồ sơ trong kỳ: hướng dẫn người dân",
    "procedures_paid_online": "{n} thủ tục có phí chưa có giao dịch thanh toán trực tuyến",
    "fee_procedures_integrated": "{n} thủ tục có phí chưa có hồ sơ mang dữ liệu phí: tích hợp thu phí",
    "citizen_data_procedures": "{n} thủ tục cho công dân chưa có hồ sơ dùng dữ liệu dân cư",
    "electronic_certified_copy": "{n} xã chưa cấp bản sao điện tử chứng thực từ bản chính",
}
LOST = {
    "on_time": "{n} hồ sơ đã quá hạn: không lấy lại được điểm trong kỳ này; cần xin lỗi, hẹn lại (R-27)",
    "dossier_satisfaction": "{n} hồ sơ đã quá hạn: không lấy lại được điểm trong kỳ này",
}


@dataclass(frozen=True)
class Step:
    indicator: IndicatorScore
    action: str
    count: int  # dossiers or procedures to act on
    gain: Decimal  # points won if all `count` are done
    dossiers: bool  # the items are dossiers (else procedures or communes)
    recoverable: bool = True


def _gain(score: IndicatorScore, added: int) -> Decimal:
    rate = rate_of(score.numerator + added, score.denominator)
    return points_of(score.indicator, rate, score.denominator) - score.points


def needed(score: IndicatorScore, available: int) -> int:
    """How many of the available items bring the indicator to its maximum (its threshold, or all)."""
    indicator = score.indicator
    if indicator.scoring == Scoring.THRESHOLD and indicator.threshold and score.denominator:
        target = math.ceil(Decimal(indicator.threshold) * score.denominator / 100 - score.numerator)
        return max(0, min(available, target))
    return available


def plan(index: UnitIndex, open_in_time: int) -> list[Step]:
    """The steps for one unit's index. `open_in_time`: dossiers of the unit and period still open,
    past their appointment only at the period's end — the only ones 2.1 and 5.4 can win back."""
    steps: list[Step] = []
    for score in index.scores:
        measure = score.indicator.measure
        if not score.applicable or score.shortfall_points <= 0 or measure not in ACTIONS:
            continue
        missing = score.denominator - score.numerator
        if measure in LOST:
            lost = missing - open_in_time
            if lost > 0:
                steps.append(Step(score, LOST[measure].format(n=lost), lost, Decimal("0.00"), True, False))
            missing = min(missing, open_in_time)
        if measure == "online_share":
            continue  # its rate multiplies two shares: shown on its page, not promised here
        count = needed(score, missing)
        if count <= 0:
            continue
        gain = _gain(score, count)
        if gain > 0:
            steps.append(
                Step(score, ACTIONS[measure].format(n=count), count, gain, is_dossier_measure(measure))
            )
    return sorted(steps, key=lambda s: (not s.recoverable, -s.gain, s.indicator.indicator.order))


def recovery_plan(unit: int, period: Period, *, tree: UnitTree | None = None) -> tuple[UnitIndex, list[Step]]:
    tree = tree or unit_tree()
    index = compute(period, [unit], tree=tree)[unit]
    return index, plan(index, open_in_time(unit, period, tree=tree))
