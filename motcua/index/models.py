"""The Decision 766 index as data (REGULATIONS §1.6: the national portal is phasing in a revised set,
so indicators are versioned rows, never code), the scores the national portal published (to show
beside ours), optional classification bands, and the rollups the engine reads.

Rollups (R-23, issue 10 item 6). `IndexFact` is one row per received dossier: what that dossier
contributes to each indicator, read from the dossier once when it changes. `IndexMonth` sums the
facts per local month of reception, receiving unit, deciding unit and procedure: a year of the whole
province is a few thousand rows whatever the number of dossiers. A change marks the dossier in
`IndexDirty` inside its own transaction (nothing is lost if a process dies after the commit); the
engine refreshes the marked dossiers before it reads (motcua.index.facts).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from motcua.core.models import ValidityPeriod
from motcua.org.models import Unit


class IndicatorSet(ValidityPeriod):
    """A version of the index: the 2022 decision as the national portal implements it, a later
    revision, a province's own variant. The one in force on a period's last day scores it."""

    code = models.CharField("mã bộ chỉ số", max_length=32, unique=True)
    name = models.CharField("tên bộ chỉ số", max_length=255)
    source = models.TextField("căn cứ, nguồn", blank=True)

    class Meta:
        verbose_name = "bộ chỉ số"
        verbose_name_plural = "bộ chỉ số (QĐ 766)"
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Scoring(models.TextChoices):
    LINEAR = "linear", "Tuyến tính: điểm tối đa × tỷ lệ"
    THRESHOLD = "threshold", "Đủ điểm từ ngưỡng: điểm tối đa × min(1, tỷ lệ / ngưỡng)"
    TRACKED = "tracked", "Chỉ theo dõi, không tính điểm"


class WhenEmpty(models.TextChoices):
    ZERO = "zero", "0 điểm"
    FULL = "full", "Đủ điểm (không phát sinh thì không bị trừ)"


class Scope(models.TextChoices):
    EVERY_UNIT = "every_unit", "Tỉnh và từng đơn vị"
    PROVINCE = "province", "Chỉ cấp tỉnh"


class Indicator(models.Model):
    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="indicators", verbose_name="bộ chỉ số"
    )
    code = models.CharField("mã", max_length=16)  # "1.4"
    metric_code = models.CharField("mã chỉ số trên Cổng DVCQG", max_length=64, blank=True)
    group = models.CharField("nhóm", max_length=4)  # "1".."5"
    card = models.CharField("thẻ trên Cổng DVCQG", max_length=4)  # "1", "2", "3a", "3b", "4", "5"
    title = models.CharField("tên chỉ số", max_length=500)
    max_points = models.DecimalField("điểm tối đa", max_digits=5, decimal_places=2)
    measure = models.CharField("cách đo", max_length=48)  # a name motcua.index.selectors.measure knows
    scoring = models.CharField("cách tính điểm", max_length=16, choices=Scoring.choices)
    threshold = models.DecimalField(
        "ngưỡng đủ điểm (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    when_empty = models.CharField(
        "khi mẫu số bằng 0", max_length=8, choices=WhenEmpty.choices, default=WhenEmpty.ZERO
    )
    scope = models.CharField("phạm vi", max_length=16, choices=Scope.choices, default=Scope.EVERY_UNIT)
    params = models.JSONField("tham số", default=dict, blank=True)
    confidence = models.CharField("độ tin cậy của quy tắc", max_length=4, blank=True)  # [V] [C] [R]
    rule = models.TextField("quy tắc tính", blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "chỉ số"
        verbose_name_plural = "chỉ số"
        ordering = ["indicator_set", "order"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="index_indicator_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ScoreBand(models.Model):
    """A province's own grading of the total (QĐ 766 defines none, REGULATIONS §1.5): empty by default."""

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="bands")
    label = models.CharField("xếp loại", max_length=64)
    min_points = models.DecimalField("từ (điểm)", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "mức xếp loại"
        verbose_name_plural = "mức xếp loại (tuỳ tỉnh quy định)"
        ordering = ["indicator_set", "-min_points"]

    def __str__(self) -> str:
        return f"{self.label} (≥ {self.min_points})"


class PublishedScore(models.Model):
    """A score the national portal published (imported by hand or from its API): shown beside ours,
    with the difference — the portal's figure is the authoritative one (REGULATIONS §1.4)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name="đơn vị")
    period = models.CharField("kỳ", max_length=16)  # "2026-03", "2026-Q1", "2026"
    indicator_code = models.CharField("mã chỉ số", max_length=16)  # "1.4", or "" for the total
    points = models.DecimalField("điểm Cổng DVCQG công bố", max_digits=6, decimal_places=2)
    imported_at = models.DateTimeField("thời điểm nhập", auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "điểm do Cổng DVCQG công bố"
        verbose_name_plural = "điểm do Cổng DVCQG công bố"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "indicator_code"], name="index_published_score_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period} {self.indicator_code or 'tổng'}: {self.points}"

    def clean(self) -> None:
        # Imported here: the period parser reads motcua.sync.selectors, which imports models.
        from django.core.exceptions import ValidationError

        from motcua.core.errors import DomainError
        from motcua.index.periods import parse_period, period_key

        try:
            self.period = period_key(parse_period(self.period))
        except DomainError as exc:
            raise ValidationError({"period": exc.message}) from None


class Outcome(models.TextChoices):
    """Indicator 2.1's verdict on a dossier, when it no longer depends on the period."""

    ON_TIME = "on_time", "Đúng hạn, trước hạn"
    LATE = "late", "Quá hạn"
    OPEN = "open", "Đang giải quyết (xét theo cuối kỳ)"


class IndexFact(models.Model):
    """What one received dossier contributes (motcua.index.facts.facts_of says how each is read)."""

    dossier_id = models.BigIntegerField(primary_key=True)
    month = models.DateField()  # first day of the local month of reception
    received_at = models.DateTimeField()
    receiving_unit_id = models.BigIntegerField()
    deciding_unit_id = models.BigIntegerField()
    procedure_id = models.BigIntegerField()
    channel = models.CharField(max_length=16)
    online_counted = models.BooleanField(default=False)
    synced = models.BooleanField(default=False)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    due_at = models.DateTimeField(null=True)
    result_required = models.BooleanField(default=False)
    result_electronic = models.BooleanField(default=False)
    digitised = models.BooleanField(default=False)
    reused = models.BooleanField(default=False)
    personal_store = models.BooleanField(default=False)
    citizen_data = models.BooleanField(default=False)
    fee_obligation = models.BooleanField(default=False)
    paid_online = models.BooleanField(default=False)
    complained = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["month", "receiving_unit_id", "deciding_unit_id", "procedure_id"],
                name="index_fact_key",
            ),
            models.Index(fields=["received_at"], name="index_fact_received"),
            # The engine reads the open dossiers (2.1 judges them at the period's end) and the ones
            # the portal has not acknowledged yet (refresh marks them when it does) on every call:
            # a few rows among millions.
            models.Index(fields=["received_at"], name="index_fact_open", condition=models.Q(outcome="open")),
            models.Index(fields=["dossier_id"], name="index_fact_unsynced", condition=models.Q(synced=False)),
        ]

    def __str__(self) -> str:
        return f"hồ sơ {self.dossier_id}"


# The counters summed from IndexFact into IndexMonth: (column, how a fact contributes).
COUNTERS: dict[str, models.Q | None] = {
    "received": None,
    "online": models.Q(channel="online"),
    "counter": models.Q(channel="counter"),
    "postal": models.Q(channel="postal"),
    "online_counted": models.Q(online_counted=True),
    "synced": models.Q(synced=True),
    "on_time": models.Q(outcome=Outcome.ON_TIME),
    "late": models.Q(outcome=Outcome.LATE),
    "open": models.Q(outcome=Outcome.OPEN),
    "result_required": models.Q(result_required=True),
    # 4.1: a result file the national portal received (the dossier is synced).
    "result_electronic": models.Q(result_required=True, result_electronic=True, synced=True),
    "digitised": models.Q(digitised=True),
    "reused": models.Q(reused=True),
    "personal_store": models.Q(personal_store=True),
    "citizen_data": models.Q(citizen_data=True),
    "fee_obligation": models.Q(fee_obligation=True),
    "paid_online": models.Q(fee_obligation=True, paid_online=True),
    "complained": models.Q(complained=True),
}


class IndexMonth(models.Model):
    month = models.DateField()
    receiving_unit_id = models.BigIntegerField()
    deciding_unit_id = models.BigIntegerField()
    procedure_id = models.BigIntegerField()
    received = models.PositiveIntegerField(default=0)
    online = models.PositiveIntegerField(default=0)
    counter = models.PositiveIntegerField(default=0)
    postal = models.PositiveIntegerField(default=0)
    online_counted = models.PositiveIntegerField(default=0)
    synced = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    result_required = models.PositiveIntegerField(default=0)
    result_electronic = models.PositiveIntegerField(default=0)
    digitised = models.PositiveIntegerField(default=0)
    reused = models.PositiveIntegerField(default=0)
    personal_store = models.PositiveIntegerField(default=0)
    citizen_data = models.PositiveIntegerField(default=0)
    fee_obligation = models.PositiveIntegerField(default=0)
    paid_online = models.PositiveIntegerField(default=0)
    complained = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "receiving_unit_id", "deciding_unit_id", "procedure_id"],
                name="index_month_key_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.receiving_unit_id}/{self.deciding_unit_id}/{self.procedure_id}"


class IndexDirty(models.Model):
    """A dossier whose fact must be read again (written in the changing transaction)."""

    dossier_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return f"hồ sơ {self.dossier_id}"
