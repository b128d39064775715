"""R-22 "in real time": the commit of a state change wakes a delivery run — once per transaction,
only when a portal is configured — and the run delivers; the relay command does the same."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from motcua.dossiers.outbox import national_outbox_written
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.dossiers.kit import act, at, notary_processing, submit
from tests.sync_outbound.kit import FAST_SYNC, applied_rows, expected_ids, national_messages

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def signals():
    sent = []

    def spy(sender, **kwargs):
        sent.append(kwargs.get("using"))

    national_outbox_written.connect(spy)
    yield sent
    national_outbox_written.disconnect(spy)


def test_r22_the_signal_is_sent_once_per_committed_transaction(signals, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        d = notary_processing(at("2026-03-02 08:00"), channel="online")  # three changes
        act(d, "forward", "chuyenvien.sotuphap", now=at("2026-03-02 09:00"))
    assert national_messages(d).count() == 4
    assert signals == ["default"]


def test_r22_a_rolled_back_change_sends_nothing(signals, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                submit("1.019901", now=at("2026-03-02 08:00"))
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert signals == [] and not national_messages().exists()


def test_r22_a_committed_change_is_delivered_at_once_when_a_portal_is_configured(
    national_portal, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.MOTCUA_SYNC = FAST_SYNC
    with django_capture_on_commit_callbacks(execute=True):
        d = submit("1.019901", now=at("2026-03-02 08:00"))
    assert not national_messages().filter(delivered_at__isnull=True).exists()
    assert [r["MaBanTin"] for r in applied_rows(national_portal.state(), d)] == expected_ids(d)


def test_r22_without_a_portal_nothing_is_enqueued_and_the_outbox_keeps_the_message(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.MOTCUA_INTEGRATIONS = {"dvcqg": {"base_url": ""}}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit("1.019901", now=at("2026-03-02 08:00"))
    assert callbacks  # the commit happened, the signal was sent…
    assert national_messages().filter(delivered_at__isnull=True, attempts=0, claimed_by="").count() == 1


def test_r22_sync_national_once_drains_and_reports_in_vietnamese(national_portal, settings):
    settings.MOTCUA_SYNC = FAST_SYNC
    d = notary_processing(at("2026-03-02 08:00"), channel="online")
    out = io.StringIO()
    call_command("sync_national", "--once", stdout=out)
    assert "Đã gửi 3 bản tin lên Cổng DVCQG" in out.getvalue()
    assert "còn trong hàng đợi: 0" in out.getvalue()
    assert [r["MaBanTin"] for r in applied_rows(national_portal.state(), d)] == expected_ids(d)


def test_r22_sync_national_refuses_to_run_without_a_portal(settings):
    settings.MOTCUA_INTEGRATIONS = {"dvcqg": {"base_url": ""}}
    with pytest.raises(CommandError, match="Chưa cấu hình kết nối Cổng DVCQG"):
        call_command("sync_national", "--once")
