"""R-23, R-26: the leadership's menu item. The index readers get "Chỉ số 766"; Sở Nội vụ, who reads
only the late consultation replies (R-16), gets "Báo cáo" straight to that report; others nothing."""

import pytest
from django.contrib.auth import get_user_model


@pytest.mark.parametrize(
    ("username", "label", "address"),
    [
        ("vanphong.ubnd", "Chỉ số 766", "/bao-cao/"),
        ("lanhdao.sotuphap", "Chỉ số 766", "/bao-cao/"),
        ("noivu.danhgia", "Báo cáo", "/bao-cao/xin-y-kien-tre-han/"),
        ("tiepnhan.tinh", None, None),
        ("chuyenvien.sotuphap", None, None),
    ],
)
def test_r23_menu_item_by_role(client, username, label, address):
    client.force_login(get_user_model().objects.get(username=username))

    page = client.get("/can-bo/").content.decode()

    if label is None:
        assert "Chỉ số 766" not in page and 'href="/bao-cao/' not in page
    else:
        assert f'<a href="{address}" >{label}</a>' in page
        assert client.get(address).status_code == 200
