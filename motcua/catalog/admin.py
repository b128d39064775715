"""Administration of the catalogue (R-04: reception points and processes are configuration).

Thin: forms call the same validation functions as the services, and saving a process goes
through `services.create_process_version`, so the admin cannot store what the rules refuse.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Sum
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from motcua.catalog import national_sync, services
from motcua.catalog.models import (
    CaseDuration,
    CatalogSyncRun,
    Fee,
    Field,
    LegalBasis,
    Procedure,
    ProcedureCase,
    ProcedureLevelLink,
    ProcedureUnit,
    ProcessStep,
    ProcessVersion,
    ReceptionPoint,
    RequiredDocument,
    ResultDocument,
)
from motcua.core.admin import FoldedSearchMixin, ReadOnlyAdminMixin, local_time
from motcua.core.errors import DomainError, InvalidInput

# Links in the national catalogue are https (csdl.dichvucong.gov.vn, vbpl.vn).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def _live_rows(formset: forms.BaseInlineFormSet) -> list[tuple[forms.Form, dict]]:
    """The rows a formset will keep: filled in and not marked for deletion."""
    return [
        (form, form.cleaned_data)
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


# --- Field -----------------------------------------------------------------------------------


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


# --- Procedure -------------------------------------------------------------------------------


class LevelInline(admin.TabularInline):
    model = ProcedureLevelLink
    extra = 0


class UnitLinkInline(admin.TabularInline):
    model = ProcedureUnit
    extra = 0
    autocomplete_fields = ("unit",)


class CaseInline(admin.TabularInline):
    """Durations, fees and documents are edited on the case's own page (the link)."""

    model = ProcedureCase
    extra = 0
    fields = ("order", "code", "name")
    show_change_link = True


class ResultInline(admin.TabularInline):
    model = ResultDocument
    extra = 0


class LegalBasisInline(admin.StackedInline):
    model = LegalBasis
    extra = 0
    formfield_overrides = HTTPS_URLS


class ReceptionPointFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        today = timezone.localdate()
        problems = []
        for form, data in _live_rows(self):
            if data.get("valid_to") and data["valid_to"] < today:
                continue  # an ended point is history; the rules apply to where dossiers go now
            try:
                # `self.instance` carries the procedure as edited on this page (internal, online level).
                services.validate_reception_point(
                    self.instance,
                    channel=data.get("channel"),
                    unit=data.get("unit"),
                    counter=data.get("counter"),
                    on_behalf_of=data.get("on_behalf_of"),
                    valid_from=data.get("valid_from"),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                problems.append(exc.message)
        if problems:
            raise ValidationError(problems)


class ReceptionPointInline(admin.TabularInline):
    model = ReceptionPoint
    formset = ReceptionPointFormSet
    extra = 0
    fields = ("channel", "unit", "counter", "on_behalf_of", "valid_from", "valid_to")
    autocomplete_fields = ("unit", "on_behalf_of")


@admin.register(Procedure)
class ProcedureAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ("code", "name", "field", "online_level", "internal", "on_the_spot", "published")
    list_filter = ("field", "internal", "online_level", "on_the_spot", "levels__level", "published")
    search_fields = ("code", "name")  # shows the search box; matching is folded (search_text)
    search_help_text = "Tìm theo mã hoặc tên thủ tục, có hoặc không dấu."
    list_select_related = ("field",)
    autocomplete_fields = ("field",)
    readonly_fields = ("national_payload_display", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "name", "field", "published")}),
        (
            "Cách thức, mức độ trực tuyến",
            {"fields": ("online_level", "internal", "on_the_spot", "has_result_document")},
        ),
        (
            "Bộ phận cấu thành",
            {
                "fields": (
                    "steps_text",
                    "methods_text",
                    "applicants_text",
                    "agency_text",
                    "conditions_text",
                    "result_text",
                )
            },
        ),
        ("Công bố", {"fields": ("publication_decision", "publication_decided_on", "made_public_on")}),
        (
            "Gói tin quốc gia",
            {"classes": ("collapse",), "fields": ("national_payload_display", "updated_at")},
        ),
    )
    inlines = (LevelInline, UnitLinkInline, CaseInline, ResultInline, LegalBasisInline, ReceptionPointInline)

    @admin.display(description="gói tin thủ tục quốc gia")
    def national_payload_display(self, obj: Procedure) -> str:
        if not obj.national_payload:
            return "—"
        return format_html("<pre>{}</pre>", json.dumps(obj.national_payload, ensure_ascii=False, indent=2))


# --- Case ------------------------------------------------------------------------------------


class DurationInline(admin.TabularInline):
    model = CaseDuration
    extra = 0


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0


class DocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0
    fields = ("order", "code", "name", "originals", "copies", "mandatory", "form_name", "form_url")
    formfield_overrides = HTTPS_URLS


class ProcessVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The case's processes, read-only: a new version is added on its own page (R-24)."""

    model = ProcessVersion
    extra = 0
    fields = ("channel", "number", "approved_by", "approved_on", "effective_from")
    readonly_fields = fields
    show_change_link = True


@admin.register(ProcedureCase)
class ProcedureCaseAdmin(FoldedSearchMixin, admin.ModelAdmin):
    folded_search_field = "procedure__search_text"
    list_display = ("procedure", "code", "name", "order")
    search_fields = ("procedure__code",)
    search_help_text = "Tìm theo mã hoặc tên thủ tục, có hoặc không dấu."
    list_select_related = ("procedure",)
    autocomplete_fields = ("procedure",)
    readonly_fields = ("new_process_link",)
    inlines = (DurationInline, FeeInline, DocumentInline, ProcessVersionInline)

    @admin.display(description="quy trình")
    def new_process_link(self, obj: ProcedureCase) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:catalog_processversion_add") + f"?case={obj.pk}"
        return format_html('<a href="{}">Thêm phiên bản quy trình mới (R-24)</a>', url)


# --- Process versions (R-24, R-04) -----------------------------------------------------------


class ProcessStepFormSet(forms.BaseInlineFormSet):
    def ordered_steps(self) -> list[services.StepSpec]:
        rows = sorted((data for _, data in _live_rows(self)), key=lambda data: data.get("order") or 0)
        return [
            services.StepSpec(
                name=data["name"], role=data["role"], budget_hours=data["budget_hours"], unit=data.get("unit")
            )
            for data in rows
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        version = self.instance
        if not version.case_id or not (version.approved_by or "").strip() or version.effective_from is None:
            return  # the main form already says what is missing
        try:
            services.validate_process(
                version.case,
                channel=version.channel or "",
                steps=self.ordered_steps(),
                approved_by=version.approved_by,
                effective_from=version.effective_from,
            )
        except DomainError as exc:
            raise ValidationError(exc.message) from exc


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    formset = ProcessStepFormSet
    extra = 3
    fields = ("order", "name", "role", "unit", "budget_hours")
    autocomplete_fields = ("unit",)

    # A recorded version is what dossiers follow: its steps are never edited.
    def has_add_permission(self, request, obj=None):
        return obj is None

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return obj is None


class ProcessVersionForm(forms.ModelForm):
    class Meta:
        model = ProcessVersion
        fields = ("case", "channel", "approved_by", "approved_on", "effective_from")
        help_texts = {
            "channel": "Để trống: quy trình dùng cho mọi cách thức (chỉ khi các cách thức có cùng thời hạn).",
            "approved_by": "Số, ký hiệu quyết định phê duyệt quy trình (R-24).",
        }


@admin.register(ProcessVersion)
class ProcessVersionAdmin(FoldedSearchMixin, admin.ModelAdmin):
    """Add-only: a change of process is a new version with its own decision (R-24)."""

    form = ProcessVersionForm
    folded_search_field = "case__procedure__search_text"
    list_display = ("case", "channel", "number", "approved_by", "approved_on", "effective_from")
    list_filter = ("channel",)
    search_fields = ("case__procedure__code",)
    search_help_text = "Tìm theo mã hoặc tên thủ tục, có hoặc không dấu."
    list_select_related = ("case__procedure",)
    autocomplete_fields = ("case",)
    readonly_fields = ("number", "total_hours", "created_at")
    inlines = (ProcessStepInline,)

    @admin.display(description="tổng thời gian (giờ làm việc)")
    def total_hours(self, obj: ProcessVersion):
        if obj.pk is None:
            return "—"
        return obj.steps.aggregate(total=Sum("budget_hours"))["total"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ProcessVersionForm.Meta.fields
        return (
            "case",
            "channel",
            "number",
            "approved_by",
            "approved_on",
            "effective_from",
            "total_hours",
            "created_at",
        )

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # dossiers keep the version they started with; history is never deleted

    def save_model(self, request, obj, form, change):
        pass  # saved with its steps in save_related, through the service

    def save_related(self, request, form, formsets, change):
        step_formset = next(fs for fs in formsets if isinstance(fs, ProcessStepFormSet))
        data = form.cleaned_data
        version = services.create_process_version(
            data["case"],
            steps=step_formset.ordered_steps(),
            approved_by=data["approved_by"],
            approved_on=data["approved_on"],
            effective_from=data["effective_from"],
            channel=data.get("channel") or "",
        )
        form.instance.pk, form.instance.number = version.pk, version.number
        for formset in formsets:  # what the admin's change message reads
            formset.new_objects = list(version.steps.all()) if formset is step_formset else []
            formset.changed_objects, formset.deleted_objects = [], []


# --- Catalogue sync with the national TTHC database (R-07, R-09) ------------------------------


def _marked(lines: list[str], other: list[str]) -> list[dict]:
    """Each line, and whether the other side lacks it (what the review highlights)."""
    present = set(other)
    return [{"text": line, "differs": line not in present} for line in lines]


@admin.register(CatalogSyncRun)
class CatalogSyncRunAdmin(admin.ModelAdmin):
    """Review page of a sync run: per procedure, our values beside the national ones; the chosen
    procedures are applied through `national_sync.apply_run` (stale reviews refused, R-09).

    Runs are created by the "Lấy danh mục từ Cổng DVCQG" button or `manage.py sync_catalog`, never
    typed in; they are history and are never deleted.
    """

    list_display = ("run_label", "fetched_at_local", "source", "fetched_by", "status", "summary")
    list_filter = ("status", "source")
    list_select_related = ("fetched_by",)
    change_list_template = "admin/catalog/catalog_sync_change_list.html"
    review_template = "admin/catalog/catalog_sync_run.html"

    @admin.display(description="lượt", ordering="pk")
    def run_label(self, obj: CatalogSyncRun) -> str:
        return f"#{obj.pk}"

    @admin.display(description="thời điểm lấy", ordering="fetched_at")
    def fetched_at_local(self, obj: CatalogSyncRun) -> str:
        return local_time(obj.fetched_at)

    @admin.display(description="khác biệt")
    def summary(self, obj: CatalogSyncRun) -> str:
        return (
            f"mới {obj.count(national_sync.Kind.NEW)}; thay đổi {obj.count(national_sync.Kind.CHANGED)}; "
            f"không còn trên Cổng {obj.count(national_sync.Kind.REMOVED)}"
        )

    # Runs are made by fetching, closed by applying or cancelling; never typed in nor deleted.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def can_fetch(self, request) -> bool:
        return super().has_add_permission(request)

    def can_apply(self, request, run: CatalogSyncRun) -> bool:
        # Applying rewrites procedures: the right to change them is needed too.
        return (
            run.status == CatalogSyncRun.Status.PENDING
            and super().has_change_permission(request, run)
            and request.user.has_perm("catalog.change_procedure")
        )

    def get_urls(self):
        extra = [
            path(
                "lay-tu-cong-dvcqg/",
                self.admin_site.admin_view(self.fetch_view),
                name="catalog_catalogsyncrun_fetch",
            )
        ]
        return extra + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "title": "Các lượt đồng bộ danh mục TTHC từ Cổng DVCQG",
            **(extra_context or {}),
            "can_fetch": self.can_fetch(request),
        }
        return super().changelist_view(request, extra_context)

    def fetch_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.can_fetch(request):
            raise DjangoPermissionDenied
        try:
            run = national_sync.fetch_from_portal(actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("admin:catalog_catalogsyncrun_changelist")
        messages.success(
            request,
            f"Đã lấy danh mục từ Cổng DVCQG (lượt #{run.pk}). Chưa có gì thay đổi trong danh mục: "
            "hãy rà soát và chọn các thay đổi để áp dụng.",
        )
        return redirect("admin:catalog_catalogsyncrun_change", run.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        if run is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, run):
            raise DjangoPermissionDenied
        if request.method == "POST":
            return self._act(request, run)
        return self._review(request, run)

    def _act(self, request, run: CatalogSyncRun):
        if not self.can_apply(request, run):
            raise DjangoPermissionDenied
        action = request.POST.get("action")
        try:
            if action == "cancel":
                national_sync.cancel_run(run, actor=request.user)
                messages.success(request, f"Đã huỷ lượt đồng bộ #{run.pk}; danh mục không thay đổi.")
            else:
                codes = request.POST.getlist("codes")
                if not codes:
                    raise InvalidInput("Chưa chọn thủ tục nào để áp dụng.", field="codes")
                report = national_sync.apply_run(run, codes, actor=request.user)
                if report.applied:
                    messages.success(
                        request,
                        f"Đã áp dụng thay đổi của {len(report.applied)} thủ tục: "
                        + ", ".join(report.applied)
                        + ".",
                    )
                for code, error in report.errors.items():
                    messages.error(request, f"{code}: {error}")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("admin:catalog_catalogsyncrun_change", run.pk)

    def _review(self, request, run: CatalogSyncRun):
        shown, unchanged = [], []
        for entry in run.differences:
            if entry["kind"] == national_sync.Kind.UNCHANGED:
                unchanged.append(entry)
                continue
            changes = [
                {
                    "label": change["label"],
                    "raw": change["key"] == "national_payload",
                    "current": _marked(change["current"], change["national"]),
                    "national": _marked(change["national"], change["current"]),
                }
                for change in entry["changes"]
            ]
            shown.append(
                {
                    **entry,
                    "kind_label": national_sync.KIND_LABELS.get(entry["kind"], entry["kind"]),
                    "applicable": entry["kind"] in national_sync.APPLICABLE,
                    "applied": entry["code"] in run.applied_codes,
                    "not_applied": run.status != CatalogSyncRun.Status.PENDING
                    and entry["kind"] in national_sync.APPLICABLE
                    and entry["code"] not in run.applied_codes,
                    "apply_error": run.apply_errors.get(entry["code"], ""),
                    "changes": changes,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Lượt đồng bộ danh mục #{run.pk}",
            "run": run,
            "entries": shown,
            "unchanged": unchanged,
            "fetched_at": local_time(run.fetched_at),
            "applied_at": local_time(run.applied_at) if run.applied_at else "",
            "cancelled_at": local_time(run.cancelled_at) if run.cancelled_at else "",
            "can_apply": self.can_apply(request, run),
            "has_applicable": any(entry["applicable"] for entry in shown),
            "counts": {kind: run.count(kind) for kind in national_sync.KIND_LABELS},
        }
        return TemplateResponse(request, self.review_template, context)
