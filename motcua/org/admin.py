from django import forms
from django.contrib import admin

from motcua.core.admin import FoldedSearchMixin
from motcua.core.errors import DomainError
from motcua.org import services
from motcua.org.models import Applicant, Counter, RoleAssignment, Unit, UnitMerger


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    fields = ("number", "name", "serves", "valid_from", "valid_to")
    filter_horizontal = ("serves",)


@admin.register(Unit)
class UnitAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "level", "parent", "valid_from", "valid_to", "successor")
    list_filter = ("level", "kind")
    search_fields = ("name",)
    autocomplete_fields = ("parent", "successor")
    readonly_fields = ("successor",)
    list_select_related = ("parent", "successor")

    def get_inlines(self, request, obj):
        return [CounterInline] if obj is not None and obj.kind == "service_centre" else []


class UnitMergerForm(forms.ModelForm):
    class Meta:
        model = UnitMerger
        fields = ("successor", "predecessors", "effective_on", "decision")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.validate_merge(
                list(data["predecessors"]),
                data["successor"],
                effective_on=data["effective_on"],
                decision=data["decision"],
            )
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(UnitMerger)
class UnitMergerAdmin(admin.ModelAdmin):
    """A merger is recorded through the service so predecessors end and their work moves on."""

    form = UnitMergerForm
    list_display = ("decision", "successor", "effective_on", "recorded_at")
    autocomplete_fields = ("successor", "predecessors")

    def has_change_permission(self, request, obj=None):
        return obj is None  # a recorded merger is history: never edited

    def save_model(self, request, obj, form, change):
        merger = services.merge_units(
            list(form.cleaned_data["predecessors"]),
            form.cleaned_data["successor"],
            effective_on=form.cleaned_data["effective_on"],
            decision=form.cleaned_data["decision"],
        )
        obj.pk = merger.pk

    def save_related(self, request, form, formsets, change):
        pass  # the service set the predecessors


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ("__str__", "centre", "valid_from", "valid_to")
    list_filter = ("centre",)
    filter_horizontal = ("serves",)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "counter", "valid_from", "valid_to")
    list_filter = ("role",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name")
    autocomplete_fields = ("unit",)
    list_select_related = ("user", "unit", "counter")


@admin.register(Applicant)
class ApplicantAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "identifier", "phone", "email")
    list_filter = ("kind",)
    search_fields = ("name",)
    autocomplete_fields = ("unit",)
