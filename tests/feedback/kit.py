"""Helpers for the feedback tests: a PAKN sent at a given local time, a finished dossier of congdan1."""

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import ApplicantInput
from motcua.dossiers.states import State
from motcua.feedback import services
from motcua.feedback.services import PetitionInput
from tests.dossiers.kit import NOTARY, at, submit, user

OWN_IDENTITY = ApplicantInput(kind="", identifier="", name="")
OFFICER = "chuyenvien.sotuphap"
LEADER = "lanhdao.sotuphap"


def petition(when: str, *, by: str | None = None, dossier: str = "", procedure: str = "", **extra):
    data = PetitionInput(
        subject=extra.pop("subject", "Chậm trả kết quả hồ sơ"),
        content=extra.pop("content", "Hồ sơ của tôi đã quá hẹn mà chưa được trả kết quả."),
        sender_name=extra.pop("sender_name", "Nguyễn Văn Thử"),
        sender_phone=extra.pop("sender_phone", "0900000001"),
        dossier_code=dossier,
        procedure_code=procedure,
        **extra,
    )
    return services.submit_petition(data, actor=user(by) if by else None, now=at(when))


def dossier_of(username: str, when: str, state: str = State.RETURNED) -> Dossier:
    """An online notary dossier of `username`, then set to `state` as the test needs."""
    d = submit(NOTARY, actor=username, applicant=OWN_IDENTITY, now=at(when))
    Dossier.objects.filter(pk=d.pk).update(state=state)
    return Dossier.objects.get(pk=d.pk)
