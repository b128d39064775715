"""A commune's merger moves thousands of open dossiers in one transaction (issue 9 item 7): all of
them, one event and one national-portal message each, chains intact.

`MOTCUA_MERGER_SCALE` sets how many (default 400, to keep the suite quick); the time of the preview
and of the commit is printed, never asserted (speed is measured, not tested). The issue's figure:
`MOTCUA_MERGER_SCALE=5000 DATABASE_URL=postgres://… pytest tests/mergers/test_merger_scale.py`.
"""

import os
import time

from django.db import connection

from motcua.dossiers import audit
from motcua.dossiers.audit import verify_chain
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep, OutboxMessage
from motcua.org import services
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures: the demo province, once per module)
from tests.dossiers.kit import HOME_AFFAIRS, at, fresh, notary_processing, user
from tests.mergers.kit import DECISION, effective_on, home_affairs, justice

SCALE = int(os.environ.get("MOTCUA_MERGER_SCALE", "400"))


def open_dossiers_of_justice(count: int) -> list[int]:
    """`count` dossiers at the appraisal step of Sở Tư pháp: copies of one made by the engine, each
    with its own code, its submission event hashed onto a new chain and its own open step."""
    model = notary_processing(at("2026-11-02 08:00"))
    step = model.current_step
    row = {f.attname: getattr(model, f.attname) for f in Dossier._meta.concrete_fields if not f.primary_key}
    clones, events = [], []
    for n in range(count):
        d = Dossier(**{**row, "code": f"{model.code}-{n:05d}", "version": 1, "last_event_hash": ""})
        d.current_step_id = None
        d.search_text = d.code.lower()
        events.append(
            audit.chain_event(
                d, at=d.submitted_at, actor=None, action="submit", from_state="", to_state="submitted"
            )
        )
        clones.append(d)
    Dossier.objects.bulk_create(clones, batch_size=1000)
    for d, event in zip(clones, events, strict=True):
        event.dossier = d
    DossierEvent.objects.bulk_create(events, batch_size=1000)
    steps = DossierStep.objects.bulk_create(
        [
            DossierStep(
                dossier=d,
                process_step_id=step.process_step_id,
                order=step.order,
                name=step.name,
                unit_id=step.unit_id,
                role=step.role,
                started_at=step.started_at,
                planned_end_at=step.planned_end_at,
            )
            for d in clones
        ],
        batch_size=1000,
    )
    for d, s in zip(clones, steps, strict=True):
        d.current_step = s
    Dossier.objects.bulk_update(clones, ["current_step"], batch_size=1000)
    return [model.pk, *(d.pk for d in clones)]


def test_merger_moves_thousands_of_open_dossiers_in_one_commit(capsys):
    ids = open_dossiers_of_justice(SCALE - 1)
    assert len(ids) == SCALE
    merger = services.plan_merger(
        [justice()], home_affairs(), effective_on=effective_on(), decision=DECISION, actor=user("quantri")
    )
    started = time.perf_counter()
    preview = services.preview_merger(merger)
    previewed = time.perf_counter() - started
    outbox = OutboxMessage.objects.count()
    started = time.perf_counter()
    merger = services.commit_merger(merger, actor=user("quantri"))
    committed = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\n[{connection.vendor}] sáp nhập {SCALE} hồ sơ đang giải quyết: "
            f"xem trước {previewed:.2f} s, thực hiện {committed:.2f} s"
        )

    assert preview.totals()["dossiers"] == merger.moved[justice().code]["dossiers"] == SCALE
    moved = Dossier.objects.filter(pk__in=ids)
    assert (
        moved.filter(deciding_unit__code=HOME_AFFAIRS, current_step__unit__code=HOME_AFFAIRS).count() == SCALE
    )
    assert DossierEvent.objects.filter(dossier_id__in=ids, action="unit_transfer").count() == SCALE
    assert OutboxMessage.objects.count() - outbox == SCALE
    assert set(moved.exclude(pk=ids[0]).values_list("version", flat=True)) == {2}  # the copies: submit + move
    assert list(verify_chain(moved)) == []
    assert fresh(moved.first()).due_at is not None
