"""Each received dossier's contribution to the index (`IndexFact`), and the monthly sums the engine
reads (`IndexMonth`), kept current from the changes themselves (R-23, issue 10 item 6).

A saved dossier is marked in `IndexDirty` by the same transaction (motcua.index.receivers);
`refresh()` reads the marked dossiers again, rewrites their facts and recomputes the monthly rows
they touch. The engine calls it before reading, so the index is current at any moment, and the
worker calls it in the background so that call finds little to do. `rebuild()` recomputes
everything from the dossiers (after a bulk load, or to check that nothing drifted).

How a dossier's verdict for indicator 2.1 is read (REGULATIONS §1.3, the national portal's rules):
- only received dossiers count (a refusal at reception has no NgayTiepNhan);
- more than one supplement request: late, whatever happened next;
- waiting for the citizen's supplement now: its end is the request's time;
- ended (result issued, stopped, withdrawn): its end is `finished_at` (else the hand-over
  `returned_at`), less the time the citizen took to supplement; on time if that is ≤ `due_at`
  (NgayHenTra as synced); without a `due_at`, on time;
- otherwise (still with the administration, or paused): open — judged against the last day of the
  period asked for, so the engine decides it, not the fact.

What issue 11 records (R-29, R-30, R-31, R-32): `paid_online` (3.4, 3.6) when every non-zero fee is
paid online, the rule `DuocThanhToanTrucTuyen` is sent by (motcua.sync.payload); `reused` (4.4) when a
submitted or supplemented component was copied from the applicant's store; `complained` (5.4) when
the dossier is rated "not satisfied" or is the subject of a PAKN (motcua.feedback.selectors). A
payment, a rating or a PAKN marks the dossier (motcua.index.receivers).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q

from motcua.catalog.models import Channel, Fee
from motcua.documents.models import DocumentKind, DocumentOrigin
from motcua.documents.selectors import digitised
from motcua.dossiers.models import (
    Dossier,
    DossierDocument,
    DossierFee,
    DossierPause,
    OutboxMessage,
    OutboxTopic,
    PauseKind,
)
from motcua.dossiers.selectors import Digitisation
from motcua.dossiers.states import State
from motcua.feedback.selectors import unhappy_dossier_ids
from motcua.index.models import COUNTERS, IndexDirty, IndexFact, IndexMonth, Outcome
from motcua.sync.models import NationalRecord
from motcua.sync.payload import online_payment_code

BATCH = 2000
SUBMITTED_KINDS = (DocumentKind.SUBMITTED, DocumentKind.SUPPLEMENT)
KEY = ("month", "receiving_unit_id", "deciding_unit_id", "procedure_id")


def local_month(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date().replace(day=1)


def mark(dossier_ids: Iterable[int]) -> None:
    """The dossiers' facts must be read again (inside the caller's transaction)."""
    IndexDirty.objects.bulk_create(
        [IndexDirty(dossier_id=pk) for pk in set(dossier_ids)], ignore_conflicts=True, batch_size=BATCH
    )


def _synced_q() -> Q:
    delivered = OutboxMessage.objects.filter(
        topic=OutboxTopic.NATIONAL_PORTAL, dossier_id=OuterRef("pk"), delivered_at__isnull=False
    )
    added = NationalRecord.objects.filter(dossier_id=OuterRef("pk"), added_at__isnull=False)
    return Q(Exists(delivered)) | Q(Exists(added))


def _outcome(d: Dossier, supplement_time: datetime.timedelta, supplement_open_at) -> tuple[str, object]:
    if d.supplement_requests > 1:
        return Outcome.LATE, d.due_at
    if d.state == State.AWAITING_SUPPLEMENT and supplement_open_at is not None:
        end = supplement_open_at
    elif d.finished_at is not None or d.returned_at is not None:
        end = (d.finished_at or d.returned_at) - supplement_time
    else:
        return Outcome.OPEN, d.due_at
    if d.due_at is None or end <= d.due_at:
        return Outcome.ON_TIME, d.due_at
    return Outcome.LATE, d.due_at


def facts_of(dossier_ids: list[int]) -> list[IndexFact]:
    """The facts of these dossiers, read in a fixed number of queries."""
    rows = list(
        Dossier.objects.filter(pk__in=dossier_ids, received_at__isnull=False)
        .annotate(is_synced=_synced_q())
        .select_related("procedure")
        .only(
            "pk",
            "received_at",
            "receiving_unit_id",
            "deciding_unit_id",
            "procedure__has_result_document",
            "channel",
            "state",
            "finished_at",
            "returned_at",
            "due_at",
            "supplement_requests",
            "vneid_verified",
        )
    )
    ids = [d.pk for d in rows]
    supplement_time: dict[int, datetime.timedelta] = defaultdict(datetime.timedelta)
    supplement_open: dict[int, datetime.datetime] = {}
    for dossier_id, started, ended in DossierPause.objects.filter(
        dossier_id__in=ids, kind=PauseKind.SUPPLEMENT
    ).values_list("dossier_id", "started_at", "ended_at"):
        if ended is None:
            supplement_open[dossier_id] = started
        else:
            supplement_time[dossier_id] += ended - started
    kinds: dict[int, set[str]] = defaultdict(set)
    for dossier_id, kind in (
        DossierDocument.objects.filter(dossier_id__in=ids)
        .values_list("dossier_id", "document__kind")
        .distinct()
    ):
        kinds[dossier_id].add(kind)
    fees: dict[int, list[DossierFee]] = defaultdict(list)
    for fee in DossierFee.objects.filter(dossier_id__in=ids, amount__gt=0).only(
        "dossier_id", "amount", "paid_at", "paid_via"
    ):
        fees[fee.dossier_id].append(fee)
    # 4.4: a submitted or supplemented component copied from the applicant's own store.
    reused = set(
        DossierDocument.objects.filter(
            dossier_id__in=ids, document__kind__in=SUBMITTED_KINDS, document__reused_from__isnull=False
        ).values_list("dossier_id", flat=True)
    )
    # 4.2: a component digitised as the national portal's DuocSoHoa reads it (certified scans
    # and electronic files); 4.5: a component taken from the applicant's national store.
    submitted_links = DossierDocument.objects.filter(dossier_id__in=ids, document__kind__in=SUBMITTED_KINDS)
    digitised_components = set(
        submitted_links.filter(digitised("document__")).values_list("dossier_id", flat=True)
    )
    personal_store = set(
        submitted_links.filter(document__origin=DocumentOrigin.NATIONAL_STORE).values_list(
            "dossier_id", flat=True
        )
    )
    # 5.4: rated "not satisfied", or the subject of a PAKN.
    unhappy = unhappy_dossier_ids(ids)
    # 3.6 owes only dossiers of procedures whose fees the catalogue lists (REGULATIONS §1.3).
    fee_procedures = set(
        Fee.objects.filter(case__procedure_id__in={d.procedure_id for d in rows}, amount__gt=0).values_list(
            "case__procedure_id", flat=True
        )
    )
    facts = []
    for d in rows:
        outcome, due = _outcome(d, supplement_time[d.pk], supplement_open.get(d.pk))
        result_required = d.procedure.has_result_document
        electronic_result = DocumentKind.RESULT in kinds[d.pk]
        facts.append(
            IndexFact(
                dossier_id=d.pk,
                month=local_month(d.received_at),
                received_at=d.received_at,
                receiving_unit_id=d.receiving_unit_id,
                deciding_unit_id=d.deciding_unit_id,
                procedure_id=d.procedure_id,
                channel=d.channel,
                # 3.3: online, and for a procedure whose result is a paper, an electronic result issued.
                online_counted=d.channel == Channel.ONLINE and (not result_required or electronic_result),
                synced=d.is_synced,
                outcome=outcome,
                due_at=due,
                result_required=result_required,
                result_electronic=electronic_result,
                # 4.2: components digitised, and the electronic result where a paper one is due.
                digitised=Digitisation(
                    components=d.pk in digitised_components,
                    result_due=result_required,
                    result_electronic=electronic_result,
                ).done,
                reused=d.pk in reused,
                # 4.5 (DuocLayTuKhoDMQG).
                personal_store=d.pk in personal_store,
                # 4.6: an account verified with VNeID, or data taken from the national store.
                citizen_data=d.vneid_verified or d.pk in personal_store,
                fee_obligation=bool(fees[d.pk]) and d.procedure_id in fee_procedures,
                # 3.4, 3.6: every non-zero fee paid online — the rule of DuocThanhToanTrucTuyen.
                paid_online=online_payment_code(fees[d.pk]) != "0",
                complained=d.pk in unhappy,
            )
        )
    return facts


def _sum_into_months(facts) -> None:
    # Annotations named apart from the facts' own columns (Django refuses a clash).
    counters = {
        f"n_{name}": Count("pk", filter=q) if q is not None else Count("pk") for name, q in COUNTERS.items()
    }
    sums = facts.values(*KEY).annotate(**counters).order_by()
    IndexMonth.objects.bulk_create(
        [IndexMonth(**{k: row[k] for k in KEY}, **{n: row[f"n_{n}"] for n in COUNTERS}) for row in sums],
        batch_size=BATCH,
    )


def _recount(months: set, receiving: set, deciding: set, procedures: set) -> None:
    """Recompute the monthly rows of a superset of the touched keys from their facts."""
    where = Q(
        month__in=months,
        receiving_unit_id__in=receiving,
        deciding_unit_id__in=deciding,
        procedure_id__in=procedures,
    )
    IndexMonth.objects.filter(where).delete()
    _sum_into_months(IndexFact.objects.filter(where))


def _rewrite(dossier_ids: list[int]) -> None:
    old = list(IndexFact.objects.filter(dossier_id__in=dossier_ids).values_list(*KEY))
    new = facts_of(dossier_ids)
    IndexFact.objects.filter(dossier_id__in=dossier_ids).delete()
    IndexFact.objects.bulk_create(new, batch_size=BATCH)
    keys = set(old) | {tuple(getattr(f, k) for k in KEY) for f in new}
    if keys:
        _recount(*(set(column) for column in zip(*keys, strict=True)))


def _mark_newly_synced() -> None:
    """A dossier acknowledged by the national portal since its fact was read (the sync worker
    writes no dossier, so nothing marked it): few rows, the sync runs in real time."""
    pending = IndexFact.objects.filter(synced=False).values_list("dossier_id", flat=True)
    acknowledged = Dossier.objects.filter(pk__in=pending).filter(_synced_q()).values_list("pk", flat=True)
    mark(acknowledged)


def refresh() -> int:
    """Bring the facts and monthly rows up to date; the number of dossiers read again."""
    _mark_newly_synced()
    done = 0
    while True:
        with transaction.atomic():
            dirty = IndexDirty.objects.order_by("dossier_id")
            if connection.features.has_select_for_update_skip_locked:
                dirty = dirty.select_for_update(skip_locked=True)
            ids = list(dirty.values_list("dossier_id", flat=True)[:BATCH])
            if not ids:
                return done
            # Markers go first: a change committed after this point marks the dossier again.
            IndexDirty.objects.filter(dossier_id__in=ids).delete()
            _rewrite(ids)
        done += len(ids)


def rebuild() -> int:
    """Every fact and monthly row recomputed from the dossiers; the number of facts."""
    with transaction.atomic():
        IndexDirty.objects.all().delete()
        IndexFact.objects.all().delete()
        IndexMonth.objects.all().delete()
        ids = list(Dossier.objects.filter(received_at__isnull=False).values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            IndexFact.objects.bulk_create(facts_of(ids[start : start + BATCH]), batch_size=BATCH)
        _sum_into_months(IndexFact.objects.all())
    return len(ids)
