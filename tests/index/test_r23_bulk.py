"""Issue 10 item 6: synthetic load data (`generate_dossiers`, written in bulk without `save()`)
reaches the index through `dossiers.signals.bulk_written`, and the rollups agree with a count made
straight from the dossiers. The provincial police (Công an tỉnh) is not under the People's Committee
in the unit tree: its dossiers count for the Ministry of Public Security's index, not the province's."""

from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.index.models import IndexDirty
from motcua.org.models import Unit
from motcua.sync.selectors import Period, unit_tree
from tests.index.kit import index_of
from tests.sync_health.kit import PROVINCE


def test_generated_dossiers_are_counted_by_the_index_as_by_a_direct_count():
    call_command("generate_dossiers", count=120, seed=7, days=60, verbosity=0)
    assert IndexDirty.objects.count() >= 1  # marked in the generator's transaction

    for period in (Period.year(timezone.localdate().year), Period.containing("month", timezone.localdate())):
        start, end = period.bounds()
        units = unit_tree().subtree(Unit.objects.get(code=PROVINCE).pk)
        received = Dossier.objects.filter(received_at__gte=start, received_at__lt=end).filter(
            Q(receiving_unit_id__in=units) | Q(deciding_unit_id__in=units)
        )
        index = index_of(PROVINCE, period)
        sync, on_time = index.score("1.4"), index.score("2.1")
        assert sync.denominator == received.count()
        assert on_time.denominator == received.count()
        assert 0 <= on_time.numerator <= on_time.denominator
