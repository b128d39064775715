"""Partners allowed to push forwarded dossiers: their keys (shown once, stored as a digest), the
`add_partner` command, their scope, and the admin pages of partners and inbound dossiers."""

import hashlib
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from motcua.core.errors import InvalidInput
from motcua.org.models import Unit
from motcua.sync import inbound_admin  # noqa: F401 (registers the admin pages; sync/admin.py imports it)
from motcua.sync.models import InboundDossier, Partner
from motcua.sync.partners import authenticate, create_partner, in_scope, rotate_key
from tests.demo_province import demo, on_demo  # noqa: F401
from tests.dossiers.kit import user
from tests.sync_inbound.kit import BIEN_HOA, JUSTICE, PROVINCE, TRAN_BIEN


def test_key_is_shown_once_and_stored_as_its_digest():
    made = create_partner("dvcqg", "Cổng Dịch vụ công quốc gia", unit_codes=[PROVINCE])

    stored = Partner.objects.get(code="dvcqg")
    assert len(made.key) >= 40
    assert stored.key_digest == hashlib.sha256(made.key.encode()).hexdigest()
    assert made.key not in stored.key_digest
    assert made.credentials == f"dvcqg:{made.key}"
    assert authenticate("dvcqg", made.key) == stored
    assert authenticate("dvcqg", made.key + "x") is None
    assert authenticate("khongco", made.key) is None
    assert authenticate("dvcqg", "") is None


def test_authentication_records_last_use_and_refuses_a_switched_off_partner():
    made = create_partner("lgsp", "LGSP tỉnh", unit_codes=[PROVINCE])
    assert Partner.objects.get(code="lgsp").last_used_at is None

    authenticate("lgsp", made.key)
    assert Partner.objects.get(code="lgsp").last_used_at is not None

    Partner.objects.filter(code="lgsp").update(active=False)
    assert authenticate("lgsp", made.key) is None


def test_rotated_key_replaces_the_old_one():
    made = create_partner("bo-tu-phap", "Hệ thống Bộ Tư pháp", unit_codes=[JUSTICE])

    new = rotate_key(made.partner)

    assert new.key != made.key
    assert authenticate("bo-tu-phap", made.key) is None
    assert authenticate("bo-tu-phap", new.key).code == "bo-tu-phap"


def test_r26_scope_is_the_partners_units_and_their_sub_units():
    partner = create_partner("sotuphap", "Hệ thống Sở Tư pháp", unit_codes=[JUSTICE]).partner
    province = create_partner("tinh", "LGSP tỉnh", unit_codes=[PROVINCE]).partner
    justice, ward = Unit.objects.get(code=JUSTICE), Unit.objects.get(code=TRAN_BIEN)

    assert in_scope(partner, justice) and not in_scope(partner, ward)
    assert in_scope(province, justice) and in_scope(province, ward)


@pytest.mark.parametrize(
    ("code", "units", "words"),
    [
        ("Mã Sai!", [PROVINCE], "Mã đối tác"),
        ("dvcqg2", ["000.00.99.H19"], "000.00.99.H19"),
        ("dvcqg3", [], "ít nhất một đơn vị"),
    ],
)
def test_partner_needs_a_valid_code_and_known_units(code, units, words):
    with pytest.raises(InvalidInput, match=words):
        create_partner(code, "Đối tác", unit_codes=units)
    assert not Partner.objects.filter(name="Đối tác").exists()


def test_add_partner_command_prints_the_key_once(capsys):
    call_command("add_partner", "cong-dvcqg", "Cổng Dịch vụ công quốc gia", "--unit", PROVINCE, BIEN_HOA)

    out = capsys.readouterr().out
    key = re.search(r"Khoá \(chỉ hiện một lần\): (\S+)", out).group(1)
    assert f"Authorization: Partner cong-dvcqg:{key}" in out
    partner = Partner.objects.get(code="cong-dvcqg")
    assert sorted(partner.units.values_list("code", flat=True)) == sorted([PROVINCE, BIEN_HOA])
    assert authenticate("cong-dvcqg", key) == partner

    with pytest.raises(CommandError, match="Đã có đối tác"):
        call_command("add_partner", "cong-dvcqg", "Trùng", "--unit", PROVINCE)


def test_admin_shows_a_new_partners_key_once_never_its_digest(client):
    client.force_login(user("quantri"))
    unit = Unit.objects.get(code=PROVINCE)

    added = client.post(
        reverse("admin:sync_partner_add"),
        {"code": "lgsp-dongnai", "name": "LGSP Đồng Nai", "units": [unit.pk], "active": "on"},
        follow=True,
    )

    assert added.status_code == 200
    page = added.content.decode()
    key = re.search(r"<code>([A-Za-z0-9_\-]{40,})</code>", page).group(1)
    partner = Partner.objects.get(code="lgsp-dongnai")
    assert authenticate("lgsp-dongnai", key) == partner
    assert "chỉ hiện một lần" in page
    change = client.get(reverse("admin:sync_partner_change", args=[partner.pk])).content.decode()
    assert partner.key_digest not in change and key not in change

    rotated = client.post(
        reverse("admin:sync_partner_changelist"),
        {"action": "new_key", "_selected_action": [partner.pk]},
        follow=True,
    ).content.decode()
    new_key = re.search(r"<code>([A-Za-z0-9_\-]{40,})</code>", rotated).group(1)
    assert new_key != key
    assert authenticate("lgsp-dongnai", key) is None and authenticate("lgsp-dongnai", new_key) == partner


def test_admin_lists_inbound_dossiers_read_only(client, national_portal):
    from motcua.sync.inbound import pull_forwarded
    from tests.sync_inbound.kit import forwarded

    accepted, refused = forwarded(), forwarded(MaTTHC="9.999999")
    national_portal.offer_forwarded([accepted, refused])
    pull_forwarded()
    client.force_login(user("quantri"))

    listing = client.get(reverse("admin:sync_inbounddossier_changelist")).content.decode()

    assert accepted["MaHoSo"] in listing and refused["MaHoSo"] in listing
    assert "Không nhận được" in listing and "Đã tạo hồ sơ" in listing
    record = InboundDossier.objects.get(national_id=refused["MaHoSo"])
    detail = client.get(reverse("admin:sync_inbounddossier_change", args=[record.pk]))
    assert detail.status_code == 200 and "9.999999" in detail.content.decode()
    assert client.get(reverse("admin:sync_inbounddossier_add")).status_code == 403
    assert client.post(reverse("admin:sync_inbounddossier_delete", args=[record.pk])).status_code == 403
