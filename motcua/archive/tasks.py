"""Background work of the archive (django-tasks): the nightly archiving of finished dossiers."""

import logging

from django_tasks import task

from motcua.archive.models import ArchiveRecord
from motcua.archive.services import archive_dossier, archive_finished_dossiers
from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier

logger = logging.getLogger(__name__)


@task()
def archive_finished(limit: int | None = None) -> dict[str, int]:
    """Archive the finished dossiers not archived yet (TT 13/2023; hand-over within a year of the
    case closing: a nightly run is well within it). Safe to run again or beside itself."""
    run = archive_finished_dossiers(limit=limit)
    return {"archived": len(run.archived), "failed": len(run.failed)}


@task()
def archive_one(dossier_id: int) -> str:
    """Archive one dossier as it finishes (enqueued after the commit that finished it). One that
    cannot be archived now is left to the nightly run, which reports it."""
    dossier = Dossier.objects.filter(pk=dossier_id).first()
    if dossier is None or ArchiveRecord.objects.filter(dossier_id=dossier_id).exists():
        return "skipped"
    try:
        archive_dossier(dossier)
    except DomainError as exc:
        logger.error("dossier %s not archived on finishing: %s", dossier.code, exc.message)
        return "failed"
    return "archived"
