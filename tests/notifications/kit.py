"""Dossiers whose applicant gave an e-mail address (and a phone), received at the Centre's counter."""

import datetime

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import ApplicantInput
from motcua.notifications.models import Notification
from tests.dossiers.kit import NOTARY, act, submit

EMAIL = "nguyen.van.thu@example.vn"
PHONE = "0900000001"


def applicant(email: str = EMAIL, phone: str = PHONE) -> ApplicantInput:
    return ApplicantInput(
        kind="citizen", identifier="075088000001", name="Nguyễn Văn Thử", phone=phone, email=email
    )


def submitted(now: datetime.datetime, **contacts) -> Dossier:
    return submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=now, applicant=applicant(**contacts))


def received(now: datetime.datetime, **contacts) -> Dossier:
    return act(submitted(now, **contacts), "receive", "tiepnhan.tinh", now=now)


def processing(now: datetime.datetime, **contacts) -> Dossier:
    """Received and handed over to Sở Tư pháp (step 2, appraisal)."""
    return act(received(now, **contacts), "forward", "tiepnhan.tinh", now=now)


def notifications(dossier: Dossier, **filters) -> list[Notification]:
    return list(Notification.objects.filter(dossier=dossier, **filters).order_by("pk"))
