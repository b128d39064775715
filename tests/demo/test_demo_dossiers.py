"""`make run` shows full queues: the demo holds dossiers in every state, made through the engine."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from motcua.consultations.models import Consultation
from motcua.demo.dossiers import load_demo_dossiers
from motcua.demo.loader import load_demo
from motcua.dossiers import audit
from motcua.dossiers.models import Dossier
from motcua.dossiers.queues import queue_counts
from motcua.dossiers.states import State

User = get_user_model()
FAST = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_dossiers(django_db_setup, django_db_blocker):
    with override_settings(PASSWORD_HASHERS=FAST), django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        made = load_demo_dossiers()
        yield made
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_demo_has_a_dossier_in_every_state(demo_dossiers):
    stored = set(Dossier.objects.values_list("state", flat=True))
    assert stored == set(State.values)
    assert sum(len(codes) for codes in demo_dossiers.by_state.values()) == Dossier.objects.count()


@pytest.mark.django_db
def test_demo_dossiers_went_through_the_engine(demo_dossiers):
    # Every dossier's history is a whole hash chain, as `submit`/`apply` write it.
    assert list(audit.verify_chain()) == []
    assert all(d.version == d.events.count() for d in Dossier.objects.all())
    assert Consultation.objects.awaiting().exists()


@pytest.mark.django_db
def test_demo_queues_show_overdue_and_due_soon_work(demo_dossiers):
    counts = queue_counts(User.objects.get(username="chuyenvien.sotuphap"))
    assert counts["overdue"] >= 1
    assert counts["due_soon"] >= 1
    assert counts["mine"] >= 1


@pytest.mark.django_db
def test_second_run_adds_no_dossier(demo_dossiers):
    before = Dossier.objects.count()
    again = load_demo_dossiers()
    assert again.skipped
    assert Dossier.objects.count() == before


@pytest.mark.django_db
def test_command_prints_where_to_go_and_an_account_to_try(settings):
    settings.PASSWORD_HASHERS = FAST
    settings.PASSWORD_LOGIN_ENABLED = True
    out = io.StringIO()
    call_command("load_demo", "--url", "http://127.0.0.1:8123", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/can-bo/" in text
    assert "tiepnhan.tinh" in text and '"demo"' in text
    assert "Hồ sơ mẫu:" in text
    assert Dossier.objects.filter(state=State.RETURNED).exists()
