"""Background tasks of the documents app (django-tasks): the nightly purge of unused uploads."""

import datetime

from django_tasks import task

from motcua.documents.services import purge_unattached_documents


@task()
def purge_unattached(older_than_hours: int = 24) -> dict[str, int]:
    """Delete uploads attached to no dossier after `older_than_hours` (rows and files)."""
    result = purge_unattached_documents(older_than=datetime.timedelta(hours=older_than_hours))
    return {"documents": result.documents, "bytes": result.bytes}
