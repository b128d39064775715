"""R-23 / REGULATIONS §1.4: the national portal's published scores are imported and shown beside
ours with the difference; a file with one bad row changes nothing."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from motcua.index.models import PublishedScore
from tests.dossiers.kit import at
from tests.index.kit import JUSTICE, IndexKit, index_of


def test_r23_published_scores_sit_beside_ours_with_the_difference(tmp_path):
    kit = IndexKit.start()
    kit.dossier(at("2026-03-02 08:00"), due=at("2026-03-10 17:00"), synced=True)  # 1.4: 1/1 → 6.00
    path = tmp_path / "diem.csv"
    path.write_text(
        'ma_don_vi,ky,ma_chi_so,diem\n000.00.05.H19,2026-03,1.4,"5,5"\n000.00.05.H19,2026-3,,48.25\n'
    )

    call_command("import_published_scores", str(path))

    index = index_of(JUSTICE)
    sync = index.score("1.4")
    assert (sync.points, sync.published, sync.difference) == (
        Decimal("6.00"),
        Decimal("5.50"),
        Decimal("0.50"),
    )
    assert index.published_total == Decimal("48.25")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("999.99.99.H19,2026-03,1.4,5", "không có đơn vị mã 999.99.99.H19"),
        ("000.00.05.H19,tháng 3,1.4,5", "Kỳ không hợp lệ"),
        ("000.00.05.H19,2026-03,1.4,năm", "điểm không phải là số"),
        ("000.00.05.H19,2026-03,1.4,120", "điểm phải từ 0 đến 100"),
    ],
)
def test_r23_a_bad_row_is_named_and_nothing_is_imported(tmp_path, line, reason):
    path = tmp_path / "diem.csv"
    path.write_text(f"ma_don_vi,ky,ma_chi_so,diem\n000.00.05.H19,2026-03,2.1,18\n{line}\n")

    with pytest.raises(CommandError) as refused:
        call_command("import_published_scores", str(path))

    assert "Dòng 3" in str(refused.value) and reason in str(refused.value)
    assert not PublishedScore.objects.exists()
