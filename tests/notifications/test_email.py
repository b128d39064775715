"""Applicants' e-mails through a real SMTP server on loopback (issue 11 item 4)."""

import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.notifications import delivery, services
from motcua.notifications.models import Channel, Notification, NotificationState
from motcua.notifications.tasks import send_notifications
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures: the demo province, per module)
from tests.dossiers.kit import act, at, fresh, last_event
from tests.notifications.conftest import FULL_MAILBOX, PUBLIC_URL, UNKNOWN_MAILBOX, SmtpServer
from tests.notifications.kit import EMAIL, notifications, processing, received, submitted

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LATER = datetime.timedelta(days=1)


def subject(mail) -> str:
    return str(mail["Subject"]).strip()


def emails(dossier: Dossier) -> list[Notification]:
    return notifications(dossier, channel=Channel.EMAIL)


def test_received_dossier_email_reaches_a_real_smtp_server_in_vietnamese(smtp, no_sms):
    d = received(at("2026-03-02 16:12"))
    [n] = emails(d)
    assert (n.state, n.recipient, n.action) == (NotificationState.PENDING, EMAIL, "receive")

    result = delivery.drain()

    assert result.sent == 1
    [mail] = smtp.inbox.to(EMAIL)
    # Django folds the encoded subject onto a continuation line ("Subject:\r\n =?utf-8?b?…"); the
    # folding white space is not part of the text (RFC 5322 §2.2.3, RFC 2047 §5).
    assert subject(mail) == f"Hồ sơ {d.code} đã được tiếp nhận"
    assert "Một cửa điện tử Đồng Nai" in mail["From"]
    body = mail.get_content()
    assert "Kính gửi Ông/Bà Nguyễn Văn Thử" in body
    assert "Trung tâm Phục vụ hành chính công" in body
    assert f"Số biên nhận (mã hồ sơ): {d.code}" in body
    assert f"Mã tra cứu: {d.lookup_secret}" in body
    # The due date in local time (UTC+7), not UTC: 20 working days after 16:12 on 2 March.
    local_due = d.due_at.astimezone(TZ)
    assert (local_due.hour, local_due.minute) == (16, 12)
    assert f"Ngày hẹn trả kết quả: 16:12 ngày {local_due:%d/%m/%Y}" in body
    assert "tiếp nhận hồ sơ của Ông/Bà lúc 16:12 ngày 02/03/2026" in body
    link = next(line.split(": ", 1)[1] for line in body.splitlines() if line.startswith("Tra cứu tình trạng"))
    url = urlsplit(link)
    assert f"{url.scheme}://{url.netloc}{url.path}" == PUBLIC_URL + reverse("portal:lookup")
    assert parse_qs(url.query) == {"ma": [d.code], "ma_tra_cuu": [d.lookup_secret]}
    assert mail["Message-ID"] == f"<{n.message_id}@motcua.dongnai.test>"
    n.refresh_from_db()
    assert n.state == NotificationState.SENT and n.sent_at is not None and n.attempts == 1


def test_one_message_per_event_even_if_the_task_runs_twice(smtp, no_sms):
    d = received(at("2026-03-02 08:00"))
    send_notifications.call()
    send_notifications.call()
    delivery.drain(worker_id="other")
    assert len(smtp.inbox.to(EMAIL)) == 1
    # Writing the event's messages again writes nothing more.
    services.notify_event(last_event(d), fresh(d))
    assert len(emails(d)) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        n = emails(d)[0]
        Notification.objects.create(
            dossier=d,
            event=n.event,
            action=n.action,
            channel=n.channel,
            recipient="x@example.vn",
            body="x",
            created_at=timezone.now(),
        )


def test_two_workers_never_hold_the_same_message(smtp, no_sms):
    d = received(at("2026-03-02 08:00"))
    now = timezone.now()
    first = delivery.claim(worker_id="worker-a", batch_size=10, now=now, lease=60)
    second = delivery.claim(worker_id="worker-b", batch_size=10, now=now, lease=60)
    assert [n.dossier_id for n in first] == [d.pk] and second == []

    # Worker A is too slow: its lease runs out and B takes the message over and sends it.
    late = now + datetime.timedelta(seconds=61)
    r = delivery.deliver_ready(worker_id="worker-b", now=late)
    assert r.sent == 1
    # A finishes its send afterwards: it no longer holds the row, so it marks nothing.
    result = delivery.Round(worker_id="worker-a")
    delivery._mark(first[0], delivery.SENT, worker_id="worker-a", conf=delivery.config(), result=result)
    assert (result.sent, result.lost_lease) == (0, 1)
    assert len(smtp.inbox.to(EMAIL)) == 1
    assert emails(d)[0].attempts == 1


def test_smtp_server_down_the_message_waits_and_is_sent_later(mail_settings, no_sms):
    d = received(at("2026-03-02 08:00"))
    before = timezone.now()

    result = delivery.drain()

    [n] = emails(d)
    assert (result.sent, result.retried, n.state, n.attempts) == (0, 1, NotificationState.FAILED, 1)
    assert "Không kết nối được máy chủ thư" in n.last_error
    assert n.next_attempt_at >= before + datetime.timedelta(seconds=30)  # half of the 60 s base at least
    assert delivery.drain().sent == 0  # not before its time

    server = SmtpServer(mail_settings).start()  # the server is back
    try:
        assert delivery.drain(now=timezone.now() + LATER).sent == 1
        [mail] = server.inbox.to(EMAIL)
    finally:
        server.stop()
    assert subject(mail) == f"Hồ sơ {d.code} đã được tiếp nhận"
    n.refresh_from_db()
    assert (n.state, n.attempts) == (NotificationState.SENT, 2)


def test_an_outage_never_sets_a_message_aside(mail_settings, no_sms):
    d = received(at("2026-03-02 08:00"))
    for day in range(1, 6):  # more than max_attempts (3) failures
        delivery.drain(now=timezone.now() + day * LATER)
    [n] = emails(d)
    assert (n.state, n.attempts) == (NotificationState.FAILED, 5)


def test_a_mailbox_that_does_not_exist_is_dead_with_the_reason(smtp, no_sms):
    d = received(at("2026-03-02 08:00"), email=UNKNOWN_MAILBOX)

    result = delivery.drain()

    [n] = emails(d)
    assert (result.dead, n.state, n.attempts) == (1, NotificationState.DEAD, 1)
    assert "550" in n.last_error and UNKNOWN_MAILBOX in n.last_error and "từ chối" in n.last_error
    assert smtp.inbox.messages == []
    assert delivery.drain(now=timezone.now() + LATER).sent == 0  # never tried again by itself


def test_a_mailbox_refused_for_now_is_retried_then_set_aside_after_max_attempts(smtp, no_sms):
    d = received(at("2026-03-02 08:00"), email=FULL_MAILBOX)
    delivery.drain()
    [n] = emails(d)
    assert (n.state, n.attempts) == (NotificationState.FAILED, 1) and "452" in n.last_error
    delivery.drain(now=timezone.now() + LATER)
    delivery.drain(now=timezone.now() + 2 * LATER)
    n.refresh_from_db()
    assert (n.state, n.attempts) == (NotificationState.DEAD, 3)
    assert n.last_error.startswith("Gửi 3 lần không thành công.")


def test_send_again_queues_a_dead_message(smtp, no_sms):
    d = received(at("2026-03-02 08:00"), email=UNKNOWN_MAILBOX)
    delivery.drain()
    [n] = emails(d)
    Notification.objects.filter(pk=n.pk).update(recipient=EMAIL)  # the address was corrected
    admin = get_user_model().objects.filter(is_superuser=True).first()

    assert services.resend([n.pk], actor=admin) == 1
    n.refresh_from_db()
    assert (n.state, n.attempts, n.next_attempt_at) == (NotificationState.PENDING, 0, None)
    assert n.last_error.startswith("Gửi lại theo yêu cầu của") and "550" in n.last_error
    assert delivery.drain().sent == 1
    assert len(smtp.inbox.to(EMAIL)) == 1


def test_no_email_when_the_applicant_gave_none(smtp, no_sms):
    d = received(at("2026-03-02 08:00"), email="")
    assert notifications(d) == []
    assert delivery.drain().sent == 0 and smtp.inbox.messages == []


def test_a_change_inside_the_administration_sends_nothing(smtp, no_sms):
    d = processing(at("2026-03-02 08:00"))  # received, then forwarded to Sở Tư pháp
    d = act(d, "forward", "chuyenvien.sotuphap", now=at("2026-03-03 08:00"))  # step 2 → step 3
    assert [n.action for n in notifications(d)] == ["receive"]
    delivery.drain()
    assert [subject(m) for m in smtp.inbox.to(EMAIL)] == [f"Hồ sơ {d.code} đã được tiếp nhận"]


def test_a_submission_alone_sends_nothing(smtp, no_sms):
    d = submitted(at("2026-03-02 08:00"))
    assert notifications(d) == []


def test_a_rolled_back_change_leaves_no_notification(smtp, no_sms):
    d = submitted(at("2026-03-02 08:00"))
    with pytest.raises(RuntimeError), transaction.atomic():
        act(d, "receive", "tiepnhan.tinh", now=at("2026-03-02 08:00"))
        assert len(notifications(d)) == 1  # written in the change's transaction…
        raise RuntimeError("the request fails after the change")
    assert notifications(d) == []  # …and gone with it
    assert fresh(d).state == "submitted"
    assert delivery.drain().sent == 0 and smtp.inbox.messages == []


def test_the_commit_enqueues_a_run_that_sends_at_once(smtp, no_sms, django_capture_on_commit_callbacks):
    d = submitted(at("2026-03-02 08:00"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        act(d, "receive", "tiepnhan.tinh", now=at("2026-03-02 08:00"))
    assert len(callbacks) >= 1
    assert len(smtp.inbox.to(EMAIL)) == 1  # the "immediate" task backend ran the task after the commit
    assert emails(d)[0].state == NotificationState.SENT


def test_send_notifications_command_once(smtp, no_sms, capsys):
    d = received(at("2026-03-02 08:00"))
    call_command("send_notifications", "--once")
    assert "Đã gửi 1 thông báo" in capsys.readouterr().out
    assert emails(d)[0].state == NotificationState.SENT
    assert len(smtp.inbox.to(EMAIL)) == 1
