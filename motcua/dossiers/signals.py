"""Signals of the dossiers app for writes that bypass `Model.save()`.

`bulk_written` is sent inside the writing transaction with the ids of dossiers inserted or updated
in bulk (synthetic load data, mergers' bulk moves): whoever keeps something derived from dossiers
(the 766 index's rollups) marks them there, in the same transaction.
"""

from django.dispatch import Signal

bulk_written = Signal()  # sender=<writer>, dossier_ids=list[int]
