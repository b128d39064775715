"""Issue 8, items 1 and 3, over HTTP: a stranger cannot tell a dossier exists by acting on it; online
submission is the signed-in applicant's own (R-26), an officer's powers stop at his own reception
points (R-01), stored contacts are neither changed nor shown to anyone but their owner, and an
`Idempotency-Key` makes a retried submission return the first dossier."""

import pytest
from django.contrib.auth import get_user_model

from motcua.dossiers.models import Dossier, DossierCounter
from motcua.org.models import Applicant
from tests.api.conftest import CITIZEN, OTHER_CITIZEN

pytestmark = pytest.mark.django_db

LLTP = "1.019904"  # Phiếu lý lịch tư pháp — Công an tỉnh, online at its own point
POLICE = "000.00.30.H19"
NOTARY = "1.019901"  # counter at the Centre (on behalf of Sở Tư pháp), online and postal at Sở Tư pháp

# Someone who never signed up: his record was made when he applied at a counter.
VICTIM = {
    "kind": "citizen",
    "identifier": "075090000123",
    "name": "Lê Thị Bảo Mật",
    "phone": "0987654321",
    "email": "baomat@example.invalid",
    "address": "Số 9 đường Kín Đáo, phường Trấn Biên",
}
STORED_SECRETS = (VICTIM["name"], VICTIM["phone"], VICTIM["email"], VICTIM["address"])


def post(client, procedure=LLTP, *, case="TH1", channel="online", applicant=CITIZEN, key=None, **extra):
    body = {"procedure": procedure, "channel": channel, **extra}
    if applicant is not None:
        body["applicant"] = applicant
    if case:
        body["case"] = case
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/api/v1/dossiers", body, format="json", **headers)


def error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


def refused(response, status: int, rule: str | None) -> dict:
    assert response.status_code == status, response.content.decode()
    err = error(response)
    assert err["rule"] == rule, err
    assert not err["message"].isascii()  # Vietnamese
    return err


@pytest.fixture
def citizen(login):
    return login("congdan1")


@pytest.fixture
def police(login):
    return login("chuyenvien.congantinh")


@pytest.fixture
def victim_dossier(login) -> str:
    """The victim's stored record (contacts included) and one dossier of his, entered at the counter."""
    Applicant.objects.create(**VICTIM)
    clerk = login("tiepnhan.tinh")
    typed = {k: VICTIM[k] for k in ("kind", "identifier", "name")}
    response = post(clerk, NOTARY, case="", channel="counter", applicant=typed)
    assert response.status_code == 201, response.content.decode()
    return response.json()["code"]


@pytest.fixture
def unlinked(login):
    """An account with no verified identity (no applicant record linked to it)."""
    get_user_model().objects.create_user("chuadinhdanh", password="demo")
    return login("chuadinhdanh")


def mine():
    return Dossier.objects.filter(created_by__username="congdan1")


def assert_no_stored_contacts(response) -> None:
    text = response.content.decode()
    for secret in STORED_SECRETS:
        assert secret not in text, (secret, text)


# --- item 1: no existence leak on actions -----------------------------------------------------------

STRANGER_ACTIONS = [
    ("receive", {}),
    ("reject", {"reason": "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan."}),
    ("forward", {}),
    ("pause", {"reason": "Chờ kết quả xác minh.", "pause_reason": "verification"}),
    ("request_withdrawal", {"reason": "Tôi muốn rút hồ sơ."}),
    ("return_result", {"delivery": "counter"}),
]


@pytest.mark.parametrize("stranger", ["congdan2", "chuyenvien.soxaydung", "chuadinhdanh"])
@pytest.mark.parametrize("state", ["submitted", "processing"])
@pytest.mark.parametrize("action, fields", STRANGER_ACTIONS)
def test_stranger_action_answers_404_exactly_like_the_detail(
    login, citizen, police, stranger, state, action, fields
):
    dossier = post(citizen).json()
    code, version = dossier["code"], dossier["version"]
    if state == "processing":
        version = post_action(police, code, "receive", version).json()["version"]
        version = post_action(police, code, "forward", version).json()["version"]
    if stranger == "chuadinhdanh":
        get_user_model().objects.create_user(stranger, password="demo")
    client = login(stranger)
    detail = client.get(f"/api/v1/dossiers/{code}")
    assert detail.status_code == 404
    before = Dossier.objects.values_list("version", "state").get(code=code)

    for sent_version in (version, version + 7):  # the current version and a stale one alike
        response = post_action(client, code, action, sent_version, **fields)
        assert response.status_code == 404, response.content.decode()
        assert response.content == detail.content
        assert response.headers["Content-Type"] == detail.headers["Content-Type"]
    assert error(detail)["code"] == "dossier_not_found"
    assert Dossier.objects.values_list("version", "state").get(code=code) == before


def test_action_on_a_code_that_does_not_exist_answers_the_same_404(login, citizen):
    code = post(citizen).json()["code"]
    client = login("congdan2")
    hidden = post_action(client, code, "request_withdrawal", 1, reason="Rút hồ sơ.")
    missing = post_action(client, code[:-4] + "9999", "request_withdrawal", 1, reason="Rút hồ sơ.")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def post_action(client, code: str, action: str, version: int, **fields):
    return client.post(
        f"/api/v1/dossiers/{code}/actions/{action}", {"version": version, **fields}, format="json"
    )


# --- item 3: online submission is the applicant's own (R-26) -----------------------------------------


def test_r26_online_submission_with_another_persons_identifier_refused(login, victim_dossier):
    attacker = login("congdan2")
    before = Dossier.objects.count()
    response = post(attacker, applicant={"kind": "citizen", "identifier": VICTIM["identifier"], "name": "X"})
    refused(response, 403, "R-26")
    assert_no_stored_contacts(response)
    assert Dossier.objects.count() == before
    victim = Applicant.objects.get(identifier=VICTIM["identifier"])
    assert (victim.user_id, victim.phone, victim.address) == (None, VICTIM["phone"], VICTIM["address"])


def test_r26_online_submission_of_a_linked_persons_identifier_refused_without_leak(login, citizen):
    post(citizen)  # congdan1's own dossier
    response = post(login("congdan2"), applicant={**CITIZEN, "phone": "0911111111"})
    refused(response, 403, "R-26")
    assert CITIZEN["address"] not in response.content.decode()
    assert Applicant.objects.get(identifier=CITIZEN["identifier"]).phone == CITIZEN["phone"]


def test_r26_unlinked_account_online_submission_refused_and_never_linked(unlinked, victim_dossier):
    user = get_user_model().objects.get(username="chuadinhdanh")
    before = Dossier.objects.count()
    for applicant in (
        {"kind": "citizen", "identifier": VICTIM["identifier"], "name": VICTIM["name"]},
        None,
    ):
        response = post(unlinked, applicant=applicant)
        err = refused(response, 403, "R-26")
        assert err["message"].startswith("Tài khoản chưa được định danh")
        assert_no_stored_contacts(response)
    assert Dossier.objects.count() == before
    assert not Applicant.objects.filter(user=user).exists()
    # …and so it reads none of the victim's dossiers, nor their look-up secrets.
    assert unlinked.get("/api/v1/dossiers").json()["results"] == []
    assert unlinked.get(f"/api/v1/dossiers/{victim_dossier}").status_code == 404


def test_r26_online_identity_comes_from_the_account(citizen):
    """The body's identity may be left out (the account's is used) or repeated; contacts given
    online update the owner's own record."""
    mine = Applicant.objects.get(identifier=CITIZEN["identifier"])
    body = post(citizen, applicant={"phone": "0977000111"}).json()
    assert body["applicant"]["identifier"] == CITIZEN["identifier"]
    assert body["applicant"]["name"] == mine.name
    assert body["applicant"]["phone"] == "0977000111"
    assert body["applicant"]["address"] == mine.address  # the owner sees his own stored address
    mine.refresh_from_db()
    assert mine.phone == "0977000111"
    assert post(citizen, applicant=None).status_code == 201
    assert post(citizen, applicant=CITIZEN).status_code == 201


@pytest.mark.parametrize(
    "change",
    [
        {"name": "Nguyễn Văn Khác"},
        {"kind": "business", "identifier": "3699999901"},
        {"identifier": "075092000002"},
    ],
)
def test_r26_online_body_identity_differing_from_the_account_refused(citizen, change):
    before = Dossier.objects.count()
    refused(post(citizen, applicant={**CITIZEN, **change}), 403, "R-26")
    assert Dossier.objects.count() == before


def test_r26_officer_submitting_online_does_so_as_himself_only(police):
    """A counter officer has no power on the online channel: another person's identity is refused,
    and without an identity of his own he cannot submit online at all."""
    before = Dossier.objects.count()
    refused(post(police, applicant=OTHER_CITIZEN), 403, "R-26")
    refused(post(police, applicant=None), 403, "R-26")
    assert Dossier.objects.count() == before


def test_r26_officer_with_a_verified_identity_submits_online_as_himself(police):
    officer = get_user_model().objects.get(username="chuyenvien.congantinh")
    Applicant.objects.create(user=officer, kind="citizen", identifier="075080000777", name="Bùi Đức Khoa")
    body = post(police, applicant=None)
    assert body.status_code == 201, body.content.decode()
    assert body.json()["applicant"]["identifier"] == "075080000777"


# --- item 3: counter and postal belong to the officer's own reception points (R-01) ------------------


@pytest.mark.parametrize(
    "username, channel",
    [
        ("tiepnhan.tinh", "postal"),  # NOTARY's postal point is Sở Tư pháp's, not the Centre's
        ("tiepnhan.tranbien", "postal"),
        ("tiepnhan.tranbien", "counter"),  # the counter point is the provincial Centre's
        ("chuyenvien.soxaydung", "postal"),  # a counter officer of another department
    ],
)
def test_r01_counter_officer_cannot_submit_at_a_point_of_another_unit(login, username, channel):
    before = Dossier.objects.count()
    response = post(login(username), NOTARY, case="", channel=channel, applicant=OTHER_CITIZEN)
    refused(response, 403, "R-01")
    assert Dossier.objects.count() == before


def test_r01_postal_submission_at_the_officers_own_point(login):
    response = post(login("chuyenvien.sotuphap"), NOTARY, case="", channel="postal", applicant=OTHER_CITIZEN)
    assert response.status_code == 201, response.content.decode()
    assert response.json()["receiving_unit"]["code"] == "000.00.05.H19"


def test_r01_citizen_cannot_enter_counter_or_postal_dossiers(citizen):
    for channel in ("counter", "postal"):
        refused(post(citizen, NOTARY, case="", channel=channel), 403, "R-01")


def test_counter_submission_neither_changes_nor_reveals_stored_contacts(login, victim_dossier):
    clerk = login("tiepnhan.tinh")
    typed = {
        "kind": "citizen",
        "identifier": VICTIM["identifier"],
        "name": "Lê Thị Bảo Mật",
        "phone": "0911222333",
    }
    response = post(clerk, NOTARY, case="", channel="counter", applicant=typed)
    assert response.status_code == 201, response.content.decode()
    applicant = response.json()["applicant"]
    assert applicant["phone"] == "0911222333"  # what was typed in this sitting
    assert applicant["email"] == applicant["address"] == ""  # nothing the clerk did not type
    text = response.content.decode()
    for secret in (VICTIM["phone"], VICTIM["email"], VICTIM["address"]):
        assert secret not in text
    stored = Applicant.objects.get(identifier=VICTIM["identifier"])
    assert (stored.phone, stored.email, stored.address) == (
        VICTIM["phone"],
        VICTIM["email"],
        VICTIM["address"],
    )
    dossier = Dossier.objects.get(code=response.json()["code"])
    assert (dossier.applicant_id, dossier.applicant_phone, dossier.applicant_address) == (
        stored.pk,
        "0911222333",
        "",
    )


def test_counter_submission_of_a_new_person_creates_his_record(login):
    typed = {"kind": "citizen", "identifier": "075095000555", "name": "Phạm Văn Mới", "phone": "0933000555"}
    response = post(login("tiepnhan.tinh"), NOTARY, case="", channel="counter", applicant=typed)
    assert response.status_code == 201, response.content.decode()
    created = Applicant.objects.get(identifier="075095000555")
    assert (created.name, created.phone, created.user_id) == ("Phạm Văn Mới", "0933000555", None)


def test_counter_submission_needs_the_typed_identity(login):
    response = post(login("tiepnhan.tinh"), NOTARY, case="", channel="counter", applicant={"phone": "0911"})
    assert response.status_code == 400, response.content.decode()


# --- item 3: Idempotency-Key ----------------------------------------------------------------------------


def test_idempotency_key_retry_returns_the_first_dossier(citizen):
    first = post(citizen, key="don-2026-03-02-001", summary="Xin cấp phiếu lý lịch tư pháp")
    assert first.status_code == 201, first.content.decode()
    again = post(citizen, key="don-2026-03-02-001", summary="Xin cấp phiếu lý lịch tư pháp")
    assert again.status_code == 201, again.content.decode()
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    code = first.json()["code"]
    assert mine().count() == 1
    assert Dossier.objects.get(code=code).idempotency_key == "don-2026-03-02-001"
    assert DossierCounter.objects.get(unit__code=POLICE).last == 1  # the retry took no code


def test_idempotency_key_reused_for_another_submission_refused(citizen):
    assert post(citizen, key="k1", summary="Lần đầu").status_code == 201
    response = post(citizen, key="k1", summary="Một hồ sơ khác")
    assert response.status_code == 422, response.content.decode()
    err = error(response)
    assert err["code"] == "idempotency_key_reused" and not err["message"].isascii()
    assert mine().count() == 1


def test_idempotency_key_belongs_to_its_account(login, citizen):
    first = post(citizen, key="chung").json()
    business = {"kind": "business", "identifier": "3699999901"}
    other = post(login("doanhnghiep1"), applicant=business, key="chung")
    assert other.status_code == 201, other.content.decode()
    assert other.json()["code"] != first["code"]
    assert mine().count() == 1


def test_without_idempotency_key_each_submission_is_a_new_dossier(citizen):
    codes = {post(citizen).json()["code"] for _ in range(2)}
    assert len(codes) == 2


@pytest.mark.parametrize("key", ["", "x" * 65, "khóa-có-dấu", "tab\tinside"])
def test_idempotency_key_malformed_is_400(citizen, key):
    response = post(citizen, key=key)
    assert response.status_code == 400, response.content.decode()
    assert "Idempotency-Key" in str(error(response))
    assert mine().count() == 0


def test_idempotency_key_of_64_printable_characters_accepted(citizen):
    key = "A-z0_9:~ " + "k" * 55
    assert len(key) == 64
    assert post(citizen, key=key).status_code == 201


def test_idempotency_key_documented_in_the_schema(anon):
    schema = anon.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/dossiers"]["post"]["parameters"]
    header = next(p for p in parameters if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and not header.get("required", False)
    assert header["schema"]["maxLength"] == 64
