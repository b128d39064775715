"""The units' seals in tests: keys of the session's TEST CA (`test_ca`, tests/conftest.py) issued
once per session per unit, in a folder the "local" signing backend is pointed at per test."""

import functools
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from motcua.integrations import registry
from motcua.integrations.signing.testca import TEST_PASSPHRASE, ensure_unit_certificate, load_ca


@functools.cache
def _units_dir(ca_dir: str) -> Path:
    directory = Path(ca_dir) / "units"
    directory.mkdir(exist_ok=True)
    return directory


def give_seal(ca_dir: Path, code: str, name: str) -> Path:
    """The unit's `<code>.p12`, issued by the session's TEST CA (made once per session)."""
    directory = _units_dir(str(ca_dir))
    ensure_unit_certificate(directory, load_ca(Path(ca_dir)), code, name)
    return directory


def use_local_seals(settings, directory: Path) -> None:
    settings.MOTCUA_INTEGRATIONS = {
        **django_settings.MOTCUA_INTEGRATIONS,
        "signing": {"adapter": "local", "base_url": str(directory), "passphrase": TEST_PASSPHRASE},
    }
    registry.reset()


@pytest.fixture
def seals(settings, test_ca):
    """`seals(unit)`: that unit seals its results in this test (local keys of the TEST CA)."""

    def give(unit) -> Path:
        directory = give_seal(test_ca, unit.code, unit.name)
        use_local_seals(settings, directory)
        return directory

    yield give
    registry.reset()


def issue_sealed_result(settings, ca_dir: Path):
    """A notary dossier of congdan1 (online delivery) issued with an unsigned decision PDF that the
    deciding unit seals: (dossier, result document) — the result as the applicant receives it."""
    from motcua.demo.signing import plain_pdf
    from motcua.documents.models import DocumentKind
    from motcua.documents.services import store_document
    from tests.dossiers.kit import NOTARY, act, at, forward_to, submit, user

    now = at("2026-03-02 08:00")
    d = submit(NOTARY, now=now, result_delivery="online")
    d = act(d, "receive", "chuyenvien.sotuphap", now=now)
    d = act(d, "forward", "chuyenvien.sotuphap", now=now)
    d = forward_to(d, 5, now=now)
    use_local_seals(settings, give_seal(ca_dir, d.deciding_unit.code, d.deciding_unit.name))
    result = store_document(
        name="quyet-dinh-thanh-lap.pdf",
        content=plain_pdf("Quyết định thành lập Văn phòng công chứng Thử Nghiệm"),
        kind=DocumentKind.RESULT,
        uploaded_by=user("chuyenvien.sotuphap"),
    )
    d = act(d, "issue_result", "lanhdao.ubndtinh", now=at("2026-03-04 08:00"), documents=[result])
    result.refresh_from_db()
    return d, result
