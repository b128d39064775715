from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

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
    # Typed as Vietnamese write dates (05/12/2026 is 5 December): Django's Vietnamese locale has no
    # input formats and would read it month first. ISO is what the calendar shortcut writes.
    effective_on = forms.DateField(
        label="Ngày có hiệu lực",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=widgets.AdminDateWidget(format="%d/%m/%Y"),
        help_text="Ngày/tháng/năm, ví dụ 01/7/2025. Các đơn vị bị sáp nhập hết hiệu lực từ ngày hôm trước.",
    )

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


# What each part of a merger is called in the record of a committed one (UnitMerger.moved keys,
# org.signals.Handover); a part added later without a label here shows its key.
MOVED_LABELS = {
    "units": "Đơn vị bị sáp nhập",
    "role_assignments": "Phân quyền cán bộ chuyển sang đơn vị kế thừa",
    "counters": "Quầy tiếp nhận",
    "procedures": "Thủ tục hành chính",
    "reception_points": "Đầu mối tiếp nhận hồ sơ (kết thúc hoặc chuyển)",
    "process_versions": "Quy trình còn giao bước cho đơn vị bị sáp nhập",
    "dossiers": "Hồ sơ đang giải quyết",
    "steps": "Bước xử lý đang thực hiện",
    "consultations": "Phiếu xin ý kiến đang chờ trả lời",
}


def _table(keys_labels: dict[str, str], per_unit: list[tuple[str, dict[str, int]]]) -> list[dict]:
    """Rows for the page's table: one per part, one count per predecessor, and the total."""
    rows = []
    for key, label in keys_labels.items():
        counts = [counts.get(key, 0) for _, counts in per_unit]
        rows.append({"label": label, "counts": counts, "total": sum(counts)})
    return rows


@admin.register(UnitMerger)
class UnitMergerAdmin(admin.ModelAdmin):
    """Two phases (issue 9 item 7): adding records a draft that moves nothing; its page previews
    what would move, with "Thực hiện sáp nhập" and "Huỷ"; a committed merger is a read-only record."""

    form = UnitMergerForm
    list_display = ("decision", "successor", "predecessor_list", "effective_on", "status", "recorded_at")
    list_filter = ("status",)
    list_select_related = ("successor",)
    autocomplete_fields = ("successor", "predecessors")
    fieldsets = (
        (
            None,
            {
                "fields": ("successor", "predecessors", "effective_on", "decision"),
                "description": (
                    "Lưu lại để lập dự thảo: chưa có gì thay đổi cho đến khi bấm “Thực hiện sáp nhập” "
                    "ở trang xem trước. Hồ sơ đang giải quyết, phân quyền cán bộ, thủ tục và đầu mối "
                    "tiếp nhận của đơn vị bị sáp nhập sẽ chuyển sang đơn vị kế thừa."
                ),
            },
        ),
    )
    merger_template = "admin/org/unitmerger/merger.html"

    @admin.display(description="đơn vị bị sáp nhập")
    def predecessor_list(self, obj: UnitMerger) -> str:
        return "; ".join(u.name for u in obj.predecessors.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("predecessors")

    def has_change_permission(self, request, obj=None):
        # Never edited through a form: a draft is committed or cancelled on its page, and the
        # permission to do so is the model's change permission.
        return super().has_change_permission(request) if obj is None else False

    def has_delete_permission(self, request, obj=None):
        return False  # a draft is cancelled, a committed merger is history

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        for name in ("successor", "predecessors"):
            # Units are chosen here, never created, edited or deleted from this page.
            widget = form.base_fields[name].widget
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # One way out of the form: the draft, then its preview page.
        context.update(show_save_and_add_another=False, show_save_and_continue=False)
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def save_model(self, request, obj, form, change):
        merger = services.plan_merger(
            list(form.cleaned_data["predecessors"]),
            form.cleaned_data["successor"],
            effective_on=form.cleaned_data["effective_on"],
            decision=form.cleaned_data["decision"],
            actor=request.user,
        )
        obj.pk = merger.pk

    def save_related(self, request, form, formsets, change):
        pass  # the service set the predecessors

    def response_add(self, request, obj, post_url_continue=None):
        messages.info(
            request,
            "Đã lập dự thảo sáp nhập; chưa có gì thay đổi. Hãy kiểm tra phần xem trước rồi bấm "
            "“Thực hiện sáp nhập”, hoặc “Huỷ” nếu không thực hiện.",
        )
        return redirect(self._page_url(obj))

    def _page_url(self, merger: UnitMerger) -> str:
        return reverse("admin:org_unitmerger_change", args=[merger.pk])

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/thuc-hien/", wrap(self.commit_view), name="org_unitmerger_commit"),
            path("<int:object_id>/huy/", wrap(self.cancel_view), name="org_unitmerger_cancel"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        merger = self.get_object(request, object_id)
        if merger is None or not self.has_view_permission(request, merger):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        predecessors = list(merger.predecessors.order_by("code"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Sáp nhập đơn vị — {merger.get_status_display()}",
            "merger": merger,
            "predecessors": predecessors,
            "may_act": self.has_change_permission(request),
            "today": timezone.localdate(),
        }
        if merger.is_draft:
            try:
                preview = services.preview_merger(merger)
            except DomainError as exc:
                context["refusal"] = exc.message
            else:
                labels = {h.key: h.label for u in preview.units for h in u.handovers}
                per_unit = [(u.name, u.counts()) for u in preview.units]
                context.update(
                    preview=preview,
                    columns=[u.name for u in preview.units],
                    rows=_table(labels, per_unit),
                    warnings=preview.warnings,
                )
        else:
            names = {u.code: u.name for u in predecessors}
            per_unit = [(names.get(code, code), counts) for code, counts in merger.moved.items()]
            keys = dict.fromkeys(k for _, counts in per_unit for k in counts)
            labels = {k: MOVED_LABELS.get(k, k) for k in keys}
            context.update(columns=[name for name, _ in per_unit], rows=_table(labels, per_unit))
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.merger_template, context)

    def _act(self, request, object_id, action, done: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        merger = self.get_object(request, object_id)
        if merger is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            merger = action(merger, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done.format(merger=merger, summary=_summary(merger.moved)))
        return redirect(self._page_url(merger))

    def commit_view(self, request, object_id):
        return self._act(
            request,
            object_id,
            services.commit_merger,
            "Đã thực hiện sáp nhập “{merger.decision}”: {summary}.",
        )

    def cancel_view(self, request, object_id):
        return self._act(
            request,
            object_id,
            services.cancel_merger,
            "Đã huỷ dự thảo sáp nhập “{merger.decision}”; không có gì thay đổi.",
        )


def _summary(moved: dict) -> str:
    total: dict[str, int] = {}
    for counts in moved.values():
        for key, n in counts.items():
            total[key] = total.get(key, 0) + n
    return (
        f"{total.get('dossiers', 0)} hồ sơ, {total.get('role_assignments', 0)} phân quyền cán bộ, "
        f"{total.get('procedures', 0)} thủ tục, {total.get('reception_points', 0)} đầu mối tiếp nhận "
        "đã chuyển sang đơn vị kế thừa"
    )


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
