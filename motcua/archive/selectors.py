"""Reads of the archive: an archived dossier as a given user may see it."""

from motcua.archive.models import ArchiveRecord
from motcua.core.errors import NotFound
from motcua.dossiers.selectors import visible_dossiers


def archived_record(user, code: str) -> ArchiveRecord:
    """The archive record of a dossier `user` may see (the dossier's own visibility, R-26); NotFound
    otherwise, the same for a dossier that exists elsewhere as for none (no existence leak)."""
    record = (
        ArchiveRecord.objects.filter(dossier__in=visible_dossiers(user).filter(code=code).values("pk"))
        .select_related("dossier")
        .first()
    )
    if record is None:
        raise NotFound("Không tìm thấy hồ sơ lưu trữ.", code="archive_not_found")
    return record
