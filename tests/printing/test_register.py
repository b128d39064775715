"""The dossier register (Sổ theo dõi hồ sơ, Mẫu 07): every dossier received at a unit or counter in a
range of local days, nothing else; only for the units where the user holds a role (R-26)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.errors import InvalidInput, NotFound
from motcua.org.models import Counter, Unit
from motcua.printing import selectors, services
from tests.dossiers.kit import CENTRE, NOTARY, WARD_CENTRE, act, at, consulted_processing, submit, user
from tests.printing import pdf

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def received():
    """Dossiers of the provincial centre around Monday 02/03/2026 (local time)."""

    def at_counter_1(now: datetime.datetime):
        d = submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=now)
        return act(d, "receive", "tiepnhan.tinh", now=now)

    return {
        # 07:30 local is 00:30 UTC: the same day either way.
        "early": at_counter_1(at("2026-03-02 07:30")),
        # Counter 3 (Nội vụ - Ngoại vụ), an internal dossier of a ward's People's Committee.
        "counter3": consulted_processing(at("2026-03-02 10:00")),
        # 00:10 local on Tuesday is 17:10 UTC on Monday: Tuesday's register, not Monday's.
        "next_day": at_counter_1(at("2026-03-03 00:10")),
        # Refused at the counter: never received, never registered (NĐ 118 Điều 17).
        "rejected": act(
            submit(NOTARY, channel="counter", actor="tiepnhan.tinh", now=at("2026-03-02 11:00")),
            "reject",
            "tiepnhan.tinh",
            now=at("2026-03-02 11:05"),
            reason="Không thuộc thẩm quyền giải quyết",
        ),
    }


def counter(number: int) -> Counter:
    return Counter.objects.get(centre__code=CENTRE, number=number)


def test_register_of_a_counter_and_of_the_centre_by_local_day(received, tmp_path):
    officer = user("tiepnhan.tinh")
    centre = Unit.objects.get(code=CENTRE)

    one = services.render_register(counter(1), DAY, DAY, user=officer, now=at("2026-03-02 17:00"))
    pdf.keep("so-theo-doi", one)
    text, flat = pdf.text(one, tmp_path), pdf.flat(one, tmp_path)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 02/03/2026 đến ngày 02/03/2026" in text
    assert "Quầy 1: Quầy Tư pháp" in text
    for column in ("Mã hồ sơ", "Tên TTHC", "Nhận hồ sơ", "Hẹn trả kết quả", "Trả kết quả", "Ký nhận"):
        assert pdf.squash(column) in flat
    assert received["early"].code in flat and pdf.squash("Nguyễn Văn Thử") in flat
    assert "Sở Tư pháp 02/03/2026 07:30 30/03/2026 07:30" in pdf.raw(one, tmp_path)  # local times
    assert "Đã tiếp nhận, chờ chuyển xử lý" in pdf.raw(one, tmp_path)
    for other in ("counter3", "next_day", "rejected"):
        assert received[other].code not in flat, other
    assert "Tổng số: 1 hồ sơ" in text
    size = pdf.info(one, tmp_path)["Page size"].split()
    assert float(size[0]) > float(size[2])  # landscape A4
    png = pdf.page_png(one, tmp_path)
    assert png.stat().st_size > 5_000 and pdf.ink(png) > 0.01

    whole = pdf.flat(services.render_register(centre, DAY, DAY, user=officer), tmp_path)
    assert received["early"].code in whole and received["counter3"].code in whole
    assert received["next_day"].code not in whole and received["rejected"].code not in whole
    assert pdf.squash("Ủy ban nhân dân phường Trấn Biên") in whole

    tuesday = pdf.flat(
        services.render_register(centre, DAY, DAY + datetime.timedelta(days=1), user=officer), tmp_path
    )
    assert received["next_day"].code in tuesday and "Tổngsố:3hồsơ" in tuesday


def test_register_rows_are_one_query(received):
    place = selectors.register_place(user("tiepnhan.tinh"), f"dv:{CENTRE}")
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.register_rows(place, DAY, DAY + datetime.timedelta(days=1))
        [(d.procedure.name, d.deciding_unit.name) for d in rows]
    assert len(rows) == 3 and len(queries) == 1


def test_register_only_for_the_users_units_and_a_sane_range():
    ward_officer = user("tiepnhan.tranbien")
    keys = [p.key for p in selectors.register_places(ward_officer)]
    assert f"dv:{WARD_CENTRE}" in keys and f"dv:{CENTRE}" not in keys
    assert all(
        not k.startswith("quay:")
        or int(k[5:]) not in {c.pk for c in Counter.objects.filter(centre__code=CENTRE)}
        for k in keys
    )
    with pytest.raises(NotFound):
        services.render_register(Unit.objects.get(code=CENTRE), DAY, DAY, user=ward_officer)
    with pytest.raises(NotFound):
        services.render_register(counter(1), DAY, DAY, user=ward_officer)
    with pytest.raises(InvalidInput):
        services.render_register(
            Unit.objects.get(code=WARD_CENTRE), DAY, DAY - datetime.timedelta(days=1), user=ward_officer
        )
    with pytest.raises(InvalidInput) as exc:
        services.render_register(
            Unit.objects.get(code=WARD_CENTRE), DAY, DAY + datetime.timedelta(days=31), user=ward_officer
        )
    assert "tối đa 31 ngày" in exc.value.message
