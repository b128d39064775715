"""Thin HTTP edges: parse the query, call one selector or service, serialise."""

from django.db import connection
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from motcua.api import serializers as s
from motcua.api.paths import CodeInPath
from motcua.catalog import selectors as catalog
from motcua.catalog.models import OnlineLevel, ProcedureLevel
from motcua.org import selectors as org
from motcua.org.models import UnitKind, UnitLevel


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class ProcedureFilters(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Tìm theo mã hoặc tên, không phân biệt dấu",
    )
    level = serializers.ChoiceField(choices=ProcedureLevel.choices, required=False)
    unit = serializers.CharField(required=False, max_length=35, help_text="Mã định danh đơn vị thực hiện")
    field = serializers.CharField(required=False, max_length=50, help_text="Mã lĩnh vực")
    internal = serializers.BooleanField(required=False, allow_null=True, default=None)
    online_level = serializers.ChoiceField(choices=OnlineLevel.choices, required=False)


class UnitFilters(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False)
    level = serializers.ChoiceField(choices=UnitLevel.choices, required=False)
    parent = serializers.CharField(required=False, max_length=35)
    include_expired = serializers.BooleanField(required=False, default=False)


def _filters(serializer_class, request) -> dict:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


@extend_schema(parameters=[ProcedureFilters], summary="Tra cứu thủ tục hành chính")
class ProcedureList(generics.ListAPIView):
    # The catalogue of procedures is public information (Decree 63/2010, Art. 15): no sign-in.
    permission_classes = [AllowAny]
    serializer_class = s.ProcedureSummarySerializer

    def get_queryset(self):
        return catalog.search_procedures(**_filters(ProcedureFilters, self.request))


@extend_schema(summary="Chi tiết thủ tục hành chính")
class ProcedureDetail(CodeInPath, generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    not_found = ("Không tìm thấy thủ tục hành chính.", "procedure_not_found")
    serializer_class = s.ProcedureDetailSerializer
    lookup_url_kwarg = "code"

    def get_object(self):
        return catalog.procedure_detail(self.kwargs["code"])


@extend_schema(parameters=[UnitFilters], summary="Danh mục cơ quan, đơn vị")
class UnitList(generics.ListAPIView):
    permission_classes = [AllowAny]  # the units' directory is public, like the catalogue
    serializer_class = s.UnitSerializer

    def get_queryset(self):
        return org.units(**_filters(UnitFilters, self.request))
