"""The counter cannot receive an incomplete paper dossier (issue 8 item 9; R-17, NĐ 118/2025 Điều 17 k1):
receiving with a mandatory component not handed in is refused by the engine, unless the officer
confirms it explicitly with a reason, which the event records."""

import pytest

from motcua.core.errors import RuleViolation
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import timeline_events
from tests.backoffice.test_reception import applicant, components, dossiers_of, form_url, html, scan
from tests.dossiers.kit import NOTARY, act, at, fresh, submit

NOW = at("2026-03-02 08:00")
REASON = "Giấy tờ về trụ sở do cơ quan tự khai thác trên cơ sở dữ liệu đất đai"


def test_r17_engine_refuses_a_paper_dossier_with_mandatory_components_missing():
    d = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=NOW)
    first, *others = components(NOTARY)
    with pytest.raises(RuleViolation) as refused:
        act(d, "receive", "tiepnhan.tinh", now=NOW, components=[first.pk])
    assert (refused.value.rule, refused.value.code) == ("R-17", "dossier_incomplete")
    assert "Điều 17 Nghị định 118/2025/NĐ-CP" in refused.value.message
    assert all(c.name in refused.value.message for c in others if c.mandatory)
    assert Dossier.objects.get(pk=d.pk).state == "submitted"


def test_r17_engine_receives_incomplete_only_with_a_recorded_reason():
    d = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=NOW)
    with pytest.raises(RuleViolation):
        act(d, "receive", "tiepnhan.tinh", now=NOW, components=[], incomplete_reason="vì sao")
    d = act(d, "receive", "tiepnhan.tinh", now=NOW, components=[], incomplete_reason=REASON)
    event = d.events.get(action="receive")
    assert d.state == "received"
    assert event.data["incomplete_reason"] == REASON
    assert event.data["missing_components"] == [c.name for c in components(NOTARY) if c.mandatory]
    assert event.data["components"] == []
    # …and the dossier's event log shows the officer's confirmation to whoever reads it.
    details = next(e.details for e in timeline_events(fresh(d)) if e.action == "receive")
    assert f"Lý do tiếp nhận khi chưa đủ thành phần: {REASON}" in details
    assert any(line.startswith("Tiếp nhận khi còn thiếu: ") for line in details)


def test_r17_a_complete_dossier_records_the_components_handed_in():
    d = submit(NOTARY, channel="postal", actor="chuyenvien.sotuphap", now=NOW)  # Sở Tư pháp's postal point
    ticked = [c.pk for c in components(NOTARY)]
    d = act(d, "receive", "chuyenvien.sotuphap", now=NOW, components=ticked)
    event = d.events.get(action="receive")
    assert event.data["components"] == ticked and "missing_components" not in event.data


def test_r17_online_dossiers_are_checked_by_the_officer_not_per_component():
    d = submit(NOTARY, now=NOW)  # online: the portal requires each mandatory file before sending
    d = act(d, "receive", "chuyenvien.sotuphap", now=NOW, components=[])
    assert d.state == "received"


# --- the counter's form --------------------------------------------------------------------------------


def test_r17_counter_form_refuses_unticked_components_in_place_and_offers_the_confirmation(client_for):
    client = client_for("tiepnhan.tinh")
    first, *others = components(NOTARY)
    data = applicant() | {f"present_{first.pk}": "on", "decision": "receive"}
    response = client.post(form_url(NOTARY), data)
    assert response.status_code == 422
    body = html(response)
    assert 'id="refusal"' in body and "R-17" in body and "chưa đủ thành phần bắt buộc" in body
    assert 'id="tiep-nhan-thieu" open' in body and 'name="incomplete_reason"' in body
    assert 'value="Lê Thị Quầy"' in body  # what was typed is kept
    assert not dossiers_of().exists()

    response = client.post(form_url(NOTARY), data | {"incomplete_reason": REASON})
    assert response.status_code == 302
    event = dossiers_of().get().events.get(action="receive")
    assert event.data["incomplete_reason"] == REASON
    assert event.data["components"] == [first.pk]
    assert event.data["missing_components"] == [c.name for c in others if c.mandatory]


def test_r17_ticked_paper_without_a_scan_counts_as_handed_in(client_for):
    ticks = {f"present_{c.pk}": "on" for c in components(NOTARY)}
    first = components(NOTARY)[0]
    data = applicant() | ticks | {f"file_{first.pk}": scan(), f"pages_{first.pk}": "1", "decision": "receive"}
    response = client_for("tiepnhan.tinh").post(form_url(NOTARY), data)
    assert response.status_code == 302
    assert dossiers_of().get().state == "received"


def test_r17_dossier_page_receive_of_a_paper_dossier_lists_components(client_for):
    d = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=NOW)
    client = client_for("tiepnhan.tinh")
    page = html(client.get(f"/can-bo/ho-so/{d.code}/"))
    assert 'name="components"' in page and 'name="incomplete_reason"' in page
    url = f"/can-bo/ho-so/{d.code}/thao-tac/receive/"
    refused = client.post(url, {"version": 1, "document_kind": "submitted"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "R-17" in html(refused) and "<html" not in html(refused)
    ticked = {"version": 1, "document_kind": "submitted", "components": [c.pk for c in components(NOTARY)]}
    assert client.post(url, ticked).status_code == 302
    assert Dossier.objects.get(pk=d.pk).state == "received"
