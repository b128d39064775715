"""The catalogue admin (R-04: configuration without code) refuses what the services refuse."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from motcua.calendar.units import DurationUnit
from motcua.catalog import services
from motcua.catalog.models import (
    CaseDuration,
    Channel,
    Field,
    Procedure,
    ProcedureCase,
    ProcessStep,
    ProcessVersion,
    ReceptionPoint,
)
from motcua.org.models import Role


def url(model: str, action: str, *args) -> str:
    return reverse(f"admin:catalog_{model}_{action}", args=args)


def form_data(response) -> dict:
    """What the browser would post back for an admin change page, unchanged."""
    data: dict = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif value is None:
                data[bound.html_name] = ""
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            elif isinstance(value, datetime.date):
                data[bound.html_name] = value.isoformat()
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.initial_forms:
            add(form)
    return data


def add_row(data: dict, prefix: str, **values) -> None:
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for key, value in values.items():
        data[f"{prefix}-{index}-{key}"] = str(value)


def test_changelists_and_change_pages_render(admin_client, imported, ten_day_case):
    procedure = Procedure.objects.get(code="2.000488")
    case = procedure.cases.first()
    version = services.create_process_version(
        ten_day_case,
        steps=[services.StepSpec("Thẩm định", Role.PROCESSING_OFFICER, Decimal("80"))],
        approved_by="1/QĐ-UBND",
        approved_on=datetime.date(2026, 1, 2),
        effective_from=datetime.datetime(2026, 1, 5, 8, tzinfo=datetime.UTC),
    )
    pages = [
        url("procedure", "changelist"),
        url("procedure", "change", procedure.pk),
        url("procedure", "add"),
        url("procedurecase", "changelist"),
        url("procedurecase", "change", case.pk),
        url("processversion", "changelist"),
        url("processversion", "change", version.pk),
        url("processversion", "add"),
        url("field", "changelist"),
        url("field", "change", procedure.field_id),
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
    detail = admin_client.get(url("procedure", "change", procedure.pk)).content.decode()
    assert "Cấp Phiếu lý lịch tư pháp" in detail
    assert "Người nước ngoài đang cư trú tại Việt Nam" in detail  # the cases, linked
    assert "28/2009/QH12" in detail
    case_page = admin_client.get(url("procedurecase", "change", case.pk)).content.decode()
    assert f"{url('processversion', 'add')}?case={case.pk}" in case_page
    assert admin_client.get(url("processversion", "add"), {"case": case.pk}).status_code == 200


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ({"q": "giay phep xay dung"}, "1.009972", "2.000488"),
        ({"q": "LÝ LỊCH"}, "2.000488", "1.009972"),
        ({"internal__exact": "1"}, "1.012876", "2.000488"),
        ({"levels__level": "commune"}, "1.012876", "1.009972"),
        ({"online_level__exact": "partial"}, "1.009972", "1.012876"),
    ],
)
def test_procedure_changelist_search_and_filters(admin_client, imported, query, present, absent):
    content = admin_client.get(url("procedure", "changelist"), query).content.decode()
    assert present in content
    assert absent not in content


def process_post(case: ProcedureCase, *steps: tuple[str, str, str], channel: str = "") -> dict:
    data = {
        "case": str(case.pk),
        "channel": channel,
        "approved_by": "2156/QĐ-UBND",
        "approved_on": "2026-01-02",
        "effective_from_0": "2026-01-05",
        "effective_from_1": "08:00:00",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, (name, role, hours) in enumerate(steps):
        data.update(
            {
                f"steps-{index}-order": str(index + 1),
                f"steps-{index}-name": name,
                f"steps-{index}-role": role,
                f"steps-{index}-budget_hours": hours,
                f"steps-{index}-unit": "",
            }
        )
    return data


def test_r24_admin_refuses_a_process_whose_budgets_do_not_add_up(admin_client, ten_day_case):
    data = process_post(
        ten_day_case, ("Tiếp nhận", Role.COUNTER_OFFICER, "4"), ("Thẩm định", Role.PROCESSING_OFFICER, "40")
    )
    response = admin_client.post(url("processversion", "add"), data)
    assert response.status_code == 200
    assert "Tổng thời gian các bước (44 giờ làm việc) phải bằng thời hạn giải quyết theo quy định" in (
        response.content.decode()
    )
    assert not ProcessVersion.objects.exists()
    assert not ProcessStep.objects.exists()


def test_r24_admin_saves_a_valid_process_through_the_service(admin_client, ten_day_case):
    data = process_post(
        ten_day_case,
        ("Phê duyệt", Role.UNIT_LEADER, "8"),
        ("Tiếp nhận", Role.COUNTER_OFFICER, "4"),
        ("Thẩm định", Role.PROCESSING_OFFICER, "68"),
    )
    data["steps-0-order"], data["steps-1-order"], data["steps-2-order"] = "3", "1", "2"
    response = admin_client.post(url("processversion", "add"), data)
    assert response.status_code == 302
    version = ProcessVersion.objects.get()
    assert (version.number, version.approved_by) == (1, "2156/QĐ-UBND")
    assert list(version.steps.values_list("order", "name")) == [
        (1, "Tiếp nhận"),
        (2, "Thẩm định"),
        (3, "Phê duyệt"),
    ]
    # A second version from the admin gets the next number; the first one is untouched.
    data["effective_from_0"] = "2026-03-01"
    assert admin_client.post(url("processversion", "add"), data).status_code == 302
    assert sorted(ProcessVersion.objects.values_list("number", flat=True)) == [1, 2]


def test_r24_admin_case_with_different_channel_times(admin_client, ten_day_case):
    CaseDuration.objects.filter(case=ten_day_case, channel=Channel.ONLINE).update(
        value=Decimal("5"), unit=DurationUnit.WORKING_DAYS
    )
    response = admin_client.post(
        url("processversion", "add"), process_post(ten_day_case, ("Xử lý", Role.PROCESSING_OFFICER, "80"))
    )
    assert "hãy lập một quy trình riêng cho từng cách thức" in response.content.decode()
    ok = process_post(ten_day_case, ("Xử lý", Role.PROCESSING_OFFICER, "40"), channel=Channel.ONLINE)
    assert admin_client.post(url("processversion", "add"), ok).status_code == 302


def test_r04_recorded_process_is_read_only(admin_client, ten_day_case):
    admin_client.post(
        url("processversion", "add"), process_post(ten_day_case, ("Xử lý", Role.PROCESSING_OFFICER, "80"))
    )
    version = ProcessVersion.objects.get()
    page = admin_client.get(url("processversion", "change", version.pk))
    assert page.status_code == 200
    assert 'name="approved_by"' not in page.content.decode()
    data = process_post(ten_day_case, ("Xử lý", Role.PROCESSING_OFFICER, "80"))
    assert admin_client.post(url("processversion", "change", version.pk), data).status_code == 403
    assert admin_client.post(url("processversion", "delete", version.pk), {"post": "yes"}).status_code == 403
    assert ProcessVersion.objects.count() == 1


def test_r19_admin_refuses_a_counter_point_for_an_internal_online_procedure(
    admin_client, imported, provincial_centre, home_affairs_dept
):
    procedure = Procedure.objects.get(code="1.012876")
    change = url("procedure", "change", procedure.pk)
    data = form_data(admin_client.get(change))
    add_row(
        data,
        "reception_points",
        channel="counter",
        unit=provincial_centre.pk,
        on_behalf_of=home_affairs_dept.pk,
    )
    response = admin_client.post(change, data)
    assert response.status_code == 200
    assert "Thủ tục nội bộ đã có dịch vụ công trực tuyến phải nộp trực tuyến" in response.content.decode()
    assert not ReceptionPoint.objects.exists()

    data = form_data(admin_client.get(change))
    add_row(data, "reception_points", channel="online", unit=home_affairs_dept.pk)
    assert admin_client.post(change, data).status_code == 302
    assert ReceptionPoint.objects.get().unit == home_affairs_dept


def test_r19_admin_refuses_making_a_procedure_internal_online_while_it_has_a_counter_point(
    admin_client, imported, justice_dept
):
    procedure = Procedure.objects.get(code="2.000488")
    services.add_reception_point(procedure, channel=Channel.COUNTER, unit=justice_dept)
    change = url("procedure", "change", procedure.pk)
    data = form_data(admin_client.get(change))
    data.update({"internal": "on", "online_level": "full"})
    response = admin_client.post(change, data)
    assert response.status_code == 200
    assert "phải nộp trực tuyến" in response.content.decode()
    assert Procedure.objects.get(pk=procedure.pk).internal is False
    # Ending the counter point first (history) makes the change possible.
    data["reception_points-0-valid_to"] = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    assert admin_client.post(change, data).status_code == 302
    assert Procedure.objects.get(pk=procedure.pk).internal is True


def test_r02_admin_refuses_an_online_point_on_behalf(admin_client, imported, provincial_centre, justice_dept):
    procedure = Procedure.objects.get(code="2.000488")
    change = url("procedure", "change", procedure.pk)
    data = form_data(admin_client.get(change))
    add_row(
        data, "reception_points", channel="online", unit=provincial_centre.pk, on_behalf_of=justice_dept.pk
    )
    response = admin_client.post(change, data)
    assert "không qua tiếp nhận thay" in response.content.decode()
    assert not ReceptionPoint.objects.exists()


def test_unchanged_procedure_form_saves(admin_client, imported):
    procedure = Procedure.objects.get(code="1.009972")
    change = url("procedure", "change", procedure.pk)
    response = admin_client.post(change, form_data(admin_client.get(change)))
    assert response.status_code == 302
    assert Field.objects.filter(code="G12-XD05").exists()
