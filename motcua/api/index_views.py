"""`GET /api/v1/index?period=2026-Q1&unit=<code>`: the Decision 766 index of a unit (R-23) with every
indicator's numerator, denominator, rate and points (DESIGN.md). Thin: motcua.index computes."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.api.dossier_views import errors
from motcua.core.errors import NotFound, PermissionDenied
from motcua.index.periods import parse_period
from motcua.index.plan import recovery_plan
from motcua.index.selectors import default_unit, index_units
from motcua.org.models import Unit
from motcua.sync.selectors import unit_tree


class IndicatorScoreSerializer(serializers.Serializer):
    code = serializers.CharField(source="indicator.code")
    metric_code = serializers.CharField(source="indicator.metric_code")
    title = serializers.CharField(source="indicator.title")
    card = serializers.CharField(source="indicator.card")
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="phần trăm, 2 chữ số thập phân")
    points = serializers.DecimalField(max_digits=5, decimal_places=2)
    max_points = serializers.DecimalField(source="maximum", max_digits=5, decimal_places=2)
    applicable = serializers.BooleanField(help_text="false: chỉ số chỉ tính cho cấp tỉnh")
    published_points = serializers.DecimalField(
        source="published",
        max_digits=6,
        decimal_places=2,
        allow_null=True,
        help_text="điểm Cổng DVCQG công bố",
    )


class CardSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    maximum = serializers.DecimalField(max_digits=6, decimal_places=2)


class StepSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.indicator.code")
    action = serializers.CharField()
    count = serializers.IntegerField()
    gain = serializers.DecimalField(max_digits=5, decimal_places=2)
    recoverable = serializers.BooleanField()


class UnitIndexSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit_code")
    unit_name = serializers.CharField()
    period = serializers.CharField(source="period.label")
    indicator_set = serializers.CharField(source="indicator_set.code")
    total = serializers.DecimalField(max_digits=6, decimal_places=2)
    maximum = serializers.DecimalField(max_digits=6, decimal_places=2)
    band = serializers.CharField()
    cards = CardSerializer(many=True)
    indicators = IndicatorScoreSerializer(source="scores", many=True)


class IndexView(APIView):
    @extend_schema(
        tags=["index"],
        summary="Bộ chỉ số 766 của tỉnh hoặc một đơn vị trong một kỳ, kèm kế hoạch gỡ điểm",
        parameters=[
            OpenApiParameter(
                "period", str, required=True, description="YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD..YYYY-MM-DD"
            ),
            OpenApiParameter(
                "unit", str, description="Mã định danh đơn vị (mặc định: đơn vị cao nhất được xem)"
            ),
        ],
        responses={200: UnitIndexSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request):
        period = parse_period(request.query_params.get("period", ""))
        tree = unit_tree()
        allowed = index_units(request.user, tree=tree)
        if not allowed:
            raise PermissionDenied(
                "Bộ chỉ số 766 dành cho lãnh đạo đơn vị, Văn phòng UBND tỉnh và quản trị hệ thống.",
                rule="R-23",
            )
        code = request.query_params.get("unit", "").strip()
        if code:
            unit = Unit.objects.filter(code=code).values_list("pk", flat=True).first()
            if unit is None:
                raise NotFound(f"Không có đơn vị mã {code}.", code="unit_not_found")
            if unit not in allowed:
                raise PermissionDenied("Bạn không được xem chỉ số của đơn vị này.", rule="R-23")
        else:
            unit = default_unit(allowed, tree, period)
            if unit is None:
                raise NotFound("Không có đơn vị nào còn hiệu lực trong kỳ này.", code="unit_not_found")
        index, steps = recovery_plan(unit, period, tree=tree)
        return Response({**UnitIndexSerializer(index).data, "plan": StepSerializer(steps, many=True).data})
