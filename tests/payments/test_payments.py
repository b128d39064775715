"""Online payment of fees through the payment platform simulator, over real HTTP (R-29).

The simulator POSTs its signed confirm callback to the `UrlXacNhan` it was given; these tests give
it an address nobody listens on and relay the exact body it signed and sent (kept in its state) to
our callback endpoint through Django's test client — the same bytes, our real view and service.
"""

from __future__ import annotations

import json

import httpx
import pytest
from django.urls import reverse

from motcua.core.errors import NotFound, RuleViolation
from motcua.dossiers.models import Dossier, DossierFee
from motcua.integrations.paygov import signing
from motcua.payments import selectors, services
from motcua.payments.models import PaymentState, PaymentTransaction, RefusedCallback
from tests.dossiers.kit import act, at, notary_processing, user
from tests.payments.paygov import SECRET

NOW = at("2026-03-02 08:00")
NOWHERE = "http://127.0.0.1:9/thanh-toan/xac-nhan/"  # nobody listens: the callback is relayed
RETURN = "http://testserver/thanh-toan/ket-qua/"


def _dossier_with_fees(*, paused: bool = False) -> Dossier:
    d = notary_processing(NOW, channel="online")
    DossierFee.objects.filter(dossier=d).delete()
    DossierFee.objects.create(dossier=d, kind="fee", amount=500_000, description="Phí thẩm định")
    DossierFee.objects.create(dossier=d, kind="charge", amount=100_000, description="Lệ phí cấp giấy")
    if paused:
        d = act(
            d,
            "pause",
            "chuyenvien.sotuphap",
            now=NOW,
            pause_reason="financial_obligation",
            reason="Chờ nộp phí thẩm định",
        )
    return Dossier.objects.get(pk=d.pk)


def _start(d: Dossier) -> PaymentTransaction:
    started = services.start_payment(
        d, actor=user("congdan1"), return_url=RETURN, callback_url=NOWHERE, now=NOW
    )
    assert started.redirect_url.startswith("http://127.0.0.1:")
    return started.transaction


def _callback(client, payload: dict):
    return client.post(
        reverse("portal:payment-callback"), data=json.dumps(payload), content_type="application/json"
    )


def _snapshot(d: Dossier) -> tuple:
    d = Dossier.objects.get(pk=d.pk)
    fees = list(DossierFee.objects.filter(dossier=d).order_by("pk").values_list("paid_at", "paid_via"))
    payments = list(
        PaymentTransaction.objects.filter(dossier=d).values_list("state", "platform_transaction_id")
    )
    return d.state, d.version, fees, payments


def test_r29_full_payment_pays_fees_and_resumes_the_financial_obligation_pause(paygov, client):
    d = _dossier_with_fees(paused=True)
    assert d.state == "paused"
    payment = _start(d)
    assert payment.amount == 600_000
    page = httpx.get(payment.payment_url)
    assert page.status_code == 200 and "Thanh toán" in page.text and "600.000" in page.text

    paygov.pay(payment.reference)
    sent = paygov.state()["callbacks"]
    assert len(sent) == 1 and sent[0]["status"] == 0  # it tried our (unreachable) address
    response = _callback(client, sent[0]["payload"])

    assert response.status_code == 200 and response.json()["MaLoi"] == "00"
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID and payment.platform_transaction_id.startswith("GD")
    assert payment.callbacks[0]["payload"]["MaXacThuc"] == sent[0]["payload"]["MaXacThuc"]
    fees = DossierFee.objects.filter(dossier=d)
    assert all(f.paid_at is not None and f.paid_via == "dvcqg_platform" for f in fees)
    d.refresh_from_db()
    assert d.state == "processing" and d.pause_ground == ""
    last = d.events.order_by("-seq").first()
    assert last.action == "resume" and last.actor_id is None


def test_r29_repeated_callback_changes_nothing(paygov, client):
    d = _dossier_with_fees()
    payment = _start(d)
    paygov.control(duplicate_callback=True)
    paygov.pay(payment.reference)
    sent = paygov.state()["callbacks"]
    assert len(sent) == 2 and sent[0]["payload"] == sent[1]["payload"]
    assert _callback(client, sent[0]["payload"]).status_code == 200
    before = _snapshot(d)
    stored = PaymentTransaction.objects.get(pk=payment.pk)

    again = _callback(client, sent[1]["payload"])

    assert again.status_code == 200 and again.json()["MaLoi"] == "00"  # acknowledged, not re-applied
    assert _snapshot(d) == before
    after = PaymentTransaction.objects.get(pk=payment.pk)
    assert (after.updated_at, after.callbacks, after.paid_at) == (
        stored.updated_at,
        stored.callbacks,
        stored.paid_at,
    )


@pytest.mark.parametrize("forgery", ["wrong_hash", "wrong_amount", "unknown_reference"])
def test_r29_forged_callback_changes_nothing(paygov, client, forgery):
    d = _dossier_with_fees()
    payment = _start(d)
    paygov.control(drop_callback=True)
    paygov.pay(payment.reference)
    payload = {
        "LoaiBanTin": "CONFIRM",
        "MaLoi": "00",
        "MaDoiTac": paygov.conf()["partner_code"],
        "MaThamChieu": payment.reference,
        "SoTien": str(payment.amount),
        "MaTienTe": "VND",
        "MaGiaoDich": "GDFORGED",
        "MaNganHang": "PAYMENT",
        "ThoiGianGD": "20260302080500",
        "ThongTinGiaoDich": "x",
    }
    if forgery == "wrong_hash":
        payload["MaXacThuc"] = signing.confirm_hash(payload, "not-the-secret")
    elif forgery == "wrong_amount":
        payload["SoTien"] = "1000"  # signed with the right secret, but not what was asked
        payload["MaXacThuc"] = signing.confirm_hash(payload, SECRET)
    else:
        payload["MaThamChieu"] = "KHONG-CO-GIAO-DICH-NAY"
        payload["MaXacThuc"] = signing.confirm_hash(payload, SECRET)
    before = _snapshot(d)

    response = _callback(client, payload)

    assert response.status_code == 400 and response.json()["MaLoi"] != "00"
    assert _snapshot(d) == before
    assert PaymentTransaction.objects.get(pk=payment.pk).state == PaymentState.PENDING
    assert RefusedCallback.objects.filter(reference=payload["MaThamChieu"]).count() == 1


def test_r29_another_citizen_cannot_pay_someone_elses_dossier(paygov, client):
    d = _dossier_with_fees()
    with pytest.raises(NotFound):
        services.start_payment(d, actor=user("congdan2"), return_url=RETURN, callback_url=NOWHERE)
    client.force_login(user("congdan2"))
    assert client.post(reverse("portal:pay", args=[d.code])).status_code == 404
    assert not PaymentTransaction.objects.filter(dossier=d).exists()
    assert paygov.state()["inits"] == 0


def test_r29_nothing_owed_or_platform_not_configured_is_refused(paygov, settings):
    d = _dossier_with_fees()
    DossierFee.objects.filter(dossier=d).update(paid_at=NOW, paid_via="counter")
    with pytest.raises(RuleViolation) as nothing:
        services.start_payment(d, actor=user("congdan1"), return_url=RETURN, callback_url=NOWHERE)
    assert nothing.value.rule == "R-29" and "không còn" in nothing.value.message
    DossierFee.objects.filter(dossier=d).update(paid_at=None, paid_via="")
    settings.MOTCUA_INTEGRATIONS = {**settings.MOTCUA_INTEGRATIONS, "paygov": {"base_url": ""}}
    with pytest.raises(RuleViolation) as absent:
        services.start_payment(d, actor=user("congdan1"), return_url=RETURN, callback_url=NOWHERE)
    assert absent.value.rule == "R-29" and "Chưa kết nối" in absent.value.message


def test_r29_portal_pay_page_redirects_to_the_platform_and_return_page_shows_our_state(paygov, client):
    d = _dossier_with_fees()
    client.force_login(user("congdan1"))
    page = client.get(reverse("portal:pay", args=[d.code]))
    assert page.status_code == 200 and "600.000 đồng" in page.content.decode()
    response = client.post(reverse("portal:pay", args=[d.code]))
    assert response.status_code == 302 and response["Location"].startswith(paygov.url + "/pay/")
    payment = PaymentTransaction.objects.get(dossier=d)
    # The payer comes back claiming success before paying: the page asks the platform, not the URL.
    back = client.get(reverse("portal:payment-return"), {"MaThamChieu": payment.reference, "MaLoi": "00"})
    assert "Đang chờ xác nhận" in back.content.decode()
    paygov.control(drop_callback=True)
    paygov.pay(payment.reference)
    back = client.get(reverse("portal:payment-return"), {"MaThamChieu": payment.reference})
    assert "Đã thanh toán" in back.content.decode()  # settled by QUERY: the callback never came


def test_r29_platform_refusing_init_is_a_clear_error(paygov, client):
    d = _dossier_with_fees()
    paygov.control(refuse_next_init=True)
    client.force_login(user("congdan1"))
    response = client.post(reverse("portal:pay", args=[d.code]))
    assert response.status_code == 503 and "từ chối giao dịch" in response.content.decode()
    assert PaymentTransaction.objects.get(dossier=d).state == PaymentState.FAILED
    assert not DossierFee.objects.filter(dossier=d, paid_at__isnull=False).exists()


def test_r29_receipt_downloads_for_the_applicant_and_the_unit_not_a_stranger(paygov, client):
    d = _dossier_with_fees()
    payment = _start(d)
    paygov.pay(payment.reference)
    assert _callback(client, paygov.state()["callbacks"][0]["payload"]).status_code == 200
    url = reverse("portal:payment-receipt", args=[payment.reference])
    for username in ("congdan1", "chuyenvien.sotuphap"):
        client.force_login(user(username))
        response = client.get(url)
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(user("congdan2"))
    assert client.get(url).status_code == 404


def test_r29_reconciliation_finds_a_mismatch(paygov):
    d = _dossier_with_fees()
    lost = _start(d)
    paygov.control(drop_callback=True)
    paygov.pay(lost.reference)  # the platform has it paid; we never heard
    # Our record claims otherwise (an operator's mistake, a bug): reconciliation must show it.
    PaymentTransaction.objects.filter(pk=lost.pk).update(state=PaymentState.FAILED)

    assert services.reconcile(NOW.date()) >= 1

    rows = selectors.reconciliation(NOW.date(), NOW.date())
    row = next(r for r in rows if r.unit_code == d.deciding_unit.code)
    assert row.transactions == 1 and [p.reference for p in row.mismatches] == [lost.reference]
    assert PaymentTransaction.objects.get(pk=lost.pk).last_query_status == "1"


def test_r29_refresh_settles_a_payment_whose_callback_never_came(paygov):
    d = _dossier_with_fees()
    payment = _start(d)
    paygov.control(drop_callback=True)
    paygov.pay(payment.reference)
    assert paygov.state()["callbacks_sent"] == 0

    payment = services.refresh_payment(payment)

    assert payment.state == PaymentState.PAID
    assert all(f.paid_via == "dvcqg_platform" for f in DossierFee.objects.filter(dossier=d))


class _WithReconciliation:
    """The site's URLs with the reconciliation page mounted where the lead's include line puts it
    (/can-bo/doi-soat-thanh-toan/), until that line is in motcua/backoffice/urls.py."""

    @property
    def urlpatterns(self):
        from django.urls import include, path

        import motcua.backoffice.urls as backoffice_urls
        import motcua.urls as site_urls

        names = {p.name for p in backoffice_urls.urlpatterns if hasattr(p, "name")}
        extra = (
            []
            if "payments-reconciliation" in names
            else [path("doi-soat-thanh-toan/", include("motcua.backoffice.views.payments"))]
        )
        backoffice = path("can-bo/", include(([*backoffice_urls.urlpatterns, *extra], "backoffice")))
        return [backoffice, *(p for p in site_urls.urlpatterns if str(p.pattern) != "can-bo/")]


def test_r29_backoffice_reconciliation_page_shows_the_mismatch(paygov, client, settings):
    d = _dossier_with_fees()
    lost = _start(d)
    paygov.control(drop_callback=True)
    paygov.pay(lost.reference)
    PaymentTransaction.objects.filter(pk=lost.pk).update(state=PaymentState.FAILED)
    settings.ROOT_URLCONF = _WithReconciliation()
    client.force_login(user("lanhdao.sotuphap"))
    url = reverse("backoffice:payments-reconciliation")
    assert client.post(url, {"start": "2026-03-02", "end": "2026-03-02"}).status_code == 302
    page = client.get(url, {"start": "2026-03-02", "end": "2026-03-02"}).content.decode()
    assert lost.reference in page and 'id="so-lech">1<' in page
