"""The admin shows dossiers, consultations and documents, and changes none of them."""

import pytest
from django.urls import NoReverseMatch, reverse

from motcua.consultations.models import ReplyTimeLimit
from motcua.core.text import fold
from motcua.documents.models import DocumentKind
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.org.models import Unit
from tests.dossiers.kit import JUSTICE, act, at, consult, consulted_processing, doc, notary_processing, user


@pytest.fixture
def admin_client(client):
    client.force_login(user("quantri"))
    return client


@pytest.fixture
def dossier():
    d = notary_processing(at("2026-03-02 08:00"))
    return act(
        d, "forward", "chuyenvien.sotuphap", now=at("2026-03-03 08:00"), documents=[doc(DocumentKind.OTHER)]
    )


def test_dossier_list_filters_and_search(admin_client, dossier, django_assert_max_num_queries):
    other = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"))
    url = reverse("admin:dossiers_dossier_changelist")
    with django_assert_max_num_queries(15):
        page = admin_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert dossier.code in text and other.code in text
    assert "4 — Đang xử lý" in text
    for label in (
        "Bộ lọc",
        "Bởi trạng thái",
        "Bởi cách thức nộp",
        "Bởi cơ quan giải quyết",
    ):  # one receiving unit here: that filter hides
        assert label in text

    by_code = admin_client.get(url, {"q": dossier.code}).content.decode()
    assert dossier.code in by_code and other.code not in by_code
    # The applicant's given names typed without diacritics ("Văn Thử" as "van thu").
    by_name = admin_client.get(
        url, {"q": fold(" ".join(dossier.applicant_name.split()[-2:]))}
    ).content.decode()
    assert dossier.code in by_name
    justice = Unit.objects.get(code=JUSTICE)
    by_unit = admin_client.get(url, {"deciding_unit__id__exact": justice.pk}).content.decode()
    assert dossier.code in by_unit and other.code not in by_unit
    by_channel = admin_client.get(url, {"channel__exact": "online"}).content.decode()
    assert dossier.code not in by_channel
    assert admin_client.get(url, {"state__exact": "processing"}).status_code == 200


def test_dossier_page_is_read_only(admin_client, dossier):
    page = admin_client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "phiếu kiểm soát quá trình" in text.lower()
    assert "nhật ký xử lý" in text.lower()
    assert "Thẩm định hồ sơ, dự thảo kết quả" in text
    assert "Đã tiếp nhận, chờ chuyển xử lý → Đang xử lý" in text
    assert dossier.lookup_secret not in text
    assert 'name="_save"' not in text  # nothing to save

    before = (Dossier.objects.get(pk=dossier.pk).version, DossierEvent.objects.count())
    assert (
        admin_client.post(reverse("admin:dossiers_dossier_change", args=[dossier.pk]), {}).status_code == 403
    )
    assert (
        admin_client.post(
            reverse("admin:dossiers_dossier_delete", args=[dossier.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert admin_client.get(reverse("admin:dossiers_dossier_add")).status_code == 403
    assert (Dossier.objects.get(pk=dossier.pk).version, DossierEvent.objects.count()) == before
    # The event log has no admin page of its own: it is seen only inside its dossier.
    with pytest.raises(NoReverseMatch):
        reverse("admin:dossiers_dossierevent_changelist")


def test_consultations_read_only_but_reply_limits_editable(admin_client):
    d = consult(consulted_processing(at("2026-03-02 08:00")), now=at("2026-03-02 09:00"))
    c = d.consultations.get()
    listing = reverse("admin:consultations_consultation_changelist")
    assert d.code in admin_client.get(listing).content.decode()
    assert d.code in admin_client.get(listing, {"status": "overdue"}).content.decode()  # today is later
    assert d.code not in admin_client.get(listing, {"status": "late"}).content.decode()
    assert (
        admin_client.get(reverse("admin:consultations_consultation_change", args=[c.pk])).status_code == 200
    )
    assert (
        admin_client.post(reverse("admin:consultations_consultation_change", args=[c.pk]), {}).status_code
        == 403
    )
    assert admin_client.get(reverse("admin:consultations_consultation_add")).status_code == 403

    justice = Unit.objects.get(code=JUSTICE)
    response = admin_client.post(
        reverse("admin:consultations_replytimelimit_add"),
        {"lead_unit": justice.pk, "max_working_days": 3, "decision": "Quy chế phối hợp (minh họa)"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ReplyTimeLimit.objects.get(lead_unit=justice).max_working_days == 3


def test_documents_read_only_list(admin_client):
    d = doc(DocumentKind.RESULT, signed=True, name="quyet-dinh.pdf")
    listing = admin_client.get(reverse("admin:documents_document_changelist"), {"kind__exact": "result"})
    assert "quyet-dinh.pdf" in listing.content.decode()
    assert admin_client.get(reverse("admin:documents_document_add")).status_code == 403
    assert admin_client.post(reverse("admin:documents_document_change", args=[d.pk]), {}).status_code == 403
    assert admin_client.get(reverse("admin:dossiers_outboxmessage_changelist")).status_code == 200
