"""Issue 8 item 1 at the service level: `apply` decides who may see the dossier in its locked query,
before the version and the state — to a stranger, an existing dossier is exactly as absent as a code
never issued, whatever the action, the version sent or the dossier's state."""

import pytest

from motcua.core.errors import NotFound, PermissionDenied
from motcua.dossiers import selectors
from motcua.dossiers.models import Dossier
from tests.dossiers.kit import NOTARY, act, at, notary_processing, submit, user

pytestmark = pytest.mark.django_db

NOW = at("2026-03-02 08:00")


def _refusal(call) -> tuple[str, str, int]:
    with pytest.raises(NotFound) as exc:
        call()
    return exc.value.message, exc.value.code, exc.value.status_code


@pytest.mark.parametrize("stranger", ["congdan2", "chuyenvien.soxaydung", None])
@pytest.mark.parametrize("made", ["submitted", "processing"])
@pytest.mark.parametrize("action", ["receive", "forward", "pause", "request_withdrawal", "return_result"])
def test_stranger_apply_is_not_found_like_the_detail(stranger, made, action):
    d = submit(NOTARY, now=NOW) if made == "submitted" else notary_processing(NOW, channel="online")
    before = Dossier.objects.values_list("version", "state").get(pk=d.pk), d.events.count()
    detail = _refusal(lambda: selectors.dossier_detail(user(stranger) if stranger else None, d.code))
    for version in (d.version, d.version + 5):  # current or stale: the same answer
        refusal = _refusal(lambda v=version: act(d, action, stranger, now=NOW, version=v))
        assert refusal == detail == ("Không tìm thấy hồ sơ.", "dossier_not_found", 404)
    assert (Dossier.objects.values_list("version", "state").get(pk=d.pk), d.events.count()) == before


def test_the_applicant_still_gets_the_guards_answer():
    """Someone who may see the dossier is told why he may not act (not a 404)."""
    d = notary_processing(NOW, channel="online")
    with pytest.raises(PermissionDenied):
        act(d, "forward", "congdan1", now=NOW)
