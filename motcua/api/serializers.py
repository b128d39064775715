"""Read-side representations (snake_case JSON). Serializers only shape data; no business rules."""

from rest_framework import serializers

from motcua.catalog.models import (
    CaseDuration,
    Fee,
    LegalBasis,
    Procedure,
    ProcedureCase,
    ReceptionPoint,
    RequiredDocument,
    ResultDocument,
)
from motcua.org.models import Unit


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["code", "name"]


class UnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    # Null for the province itself (no parent) and for every unit still in force (no successor).
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "kind_display",
            "level",
            "level_display",
            "parent",
            "area_code",
            "valid_from",
            "valid_to",
            "successor",
            "address",
            "phone",
            "email",
        ]


class ProcedureSummarySerializer(serializers.ModelSerializer):
    field = serializers.CharField(source="field.name", read_only=True)
    levels = serializers.SerializerMethodField()

    class Meta:
        model = Procedure
        fields = ["code", "name", "field", "levels", "online_level", "internal", "on_the_spot", "published"]

    def get_levels(self, obj) -> list[str]:
        return [link.level for link in obj.levels.all()]


class DurationSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="__str__", read_only=True)
    value = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = CaseDuration
        fields = ["channel", "value", "unit", "text", "description"]


class FeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fee
        fields = ["kind", "channel", "code", "amount", "description"]


class RequiredDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredDocument
        # `id`: what a counter client ticks as handed in when receiving (`components`, R-17)
        fields = ["id", "code", "name", "form_name", "form_url", "originals", "copies", "mandatory"]


class CaseSerializer(serializers.ModelSerializer):
    durations = DurationSerializer(many=True, read_only=True)
    fees = FeeSerializer(many=True, read_only=True)
    documents = RequiredDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = ProcedureCase
        fields = ["code", "name", "durations", "fees", "documents"]


class ResultDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResultDocument
        fields = ["code", "name"]


class LegalBasisSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalBasis
        fields = ["number", "title", "issuer", "issued_on", "effective_on", "url"]


class ReceptionPointSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    on_behalf_of = UnitRefSerializer(read_only=True, allow_null=True)
    counter = serializers.SerializerMethodField()

    class Meta:
        model = ReceptionPoint
        fields = ["channel", "unit", "counter", "on_behalf_of", "valid_from", "valid_to"]

    def get_counter(self, obj) -> str | None:
        return str(obj.counter) if obj.counter_id else None


class ProcedureUnitSerializer(serializers.Serializer):
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    role = serializers.CharField()


class ProcedureDetailSerializer(ProcedureSummarySerializer):
    field_code = serializers.CharField(source="field.code", read_only=True)
    units = ProcedureUnitSerializer(source="unit_links", many=True, read_only=True)
    cases = CaseSerializer(many=True, read_only=True)
    results = ResultDocumentSerializer(many=True, read_only=True)
    legal_bases = LegalBasisSerializer(many=True, read_only=True)
    reception_points = ReceptionPointSerializer(many=True, read_only=True)

    class Meta(ProcedureSummarySerializer.Meta):
        fields = [
            *ProcedureSummarySerializer.Meta.fields,
            "field_code",
            "steps_text",
            "methods_text",
            "applicants_text",
            "agency_text",
            "conditions_text",
            "result_text",
            "has_result_document",
            "publication_decision",
            "publication_decided_on",
            "units",
            "cases",
            "results",
            "legal_bases",
            "reception_points",
        ]
