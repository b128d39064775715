"""The citizens' and officers' PAKN pages (R-31) and the dossier rating page (R-32)."""

from django.urls import reverse

from motcua.dossiers.states import State
from motcua.feedback import services
from motcua.feedback.models import Classification, DossierRating, Petition, PetitionStatus
from tests.dossiers.kit import at, user
from tests.feedback.kit import LEADER, OFFICER, dossier_of, petition


def _published(subject: str, answer: str) -> Petition:
    p = petition("2026-03-02 08:00", procedure="1.019901", by="congdan1", subject=subject)
    services.classify(p, Classification.RULES, actor=user(OFFICER), now=at("2026-03-02 09:00"))
    services.answer(p, answer, actor=user(OFFICER), now=at("2026-03-03 09:00"))
    return services.publish(p, actor=user(LEADER), now=at("2026-03-03 10:00"))


def test_r31_anyone_sends_a_petition_routed_to_the_provincial_office(client):
    response = client.post(
        reverse("portal:feedback-new"),
        {"tieu_de": "Thủ tục rườm rà", "noi_dung": "Yêu cầu quá nhiều giấy tờ.", "dien_thoai": "0900000009"},
    )
    assert response.status_code == 302
    p = Petition.objects.get(subject="Thủ tục rườm rà")
    assert p.user is None and p.unit.kind == "provincial_office"


def test_r31_missing_contact_is_refused_in_vietnamese(client):
    response = client.post(reverse("portal:feedback-new"), {"tieu_de": "A", "noi_dung": "B"})
    assert response.status_code == 400
    assert "số điện thoại hoặc thư điện tử" in response.content.decode()
    assert not Petition.objects.filter(subject="A").exists()


def test_r31_sending_is_rate_limited(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fb"}
    }
    data = {"tieu_de": "Lặp", "noi_dung": "Gửi nhiều lần.", "dien_thoai": "0900000009"}
    codes = [client.post(reverse("portal:feedback-new"), data).status_code for _ in range(6)]
    assert codes == [302] * 5 + [429]
    assert Petition.objects.filter(subject="Lặp").count() == 5


def test_r31_published_answer_is_found_without_diacritics(client):
    _published("Chậm cấp giấy phép xây dựng", "Sở đã chỉ đạo giải quyết ngay.")
    petition("2026-03-02 08:00", subject="Chưa công khai xây dựng")
    response = client.get(reverse("portal:feedback"), {"q": "cham cap giay phep xay dung"})
    page = response.content.decode()
    assert "Chậm cấp giấy phép xây dựng" in page
    assert "Chưa công khai" not in page


def test_r31_unpublished_petition_is_visible_to_its_sender_only(client):
    p = petition("2026-03-02 08:00", by="congdan1")
    assert client.get(reverse("portal:feedback-detail", args=[p.code])).status_code == 404
    client.force_login(user("congdan2"))
    assert client.get(reverse("portal:feedback-detail", args=[p.code])).status_code == 404
    client.force_login(user("congdan1"))
    assert client.get(reverse("portal:feedback-detail", args=[p.code])).status_code == 200


def test_r31_sender_rates_the_answer_on_the_page(client):
    p = _published("Chậm trả kết quả", "Đã xử lý.")
    client.force_login(user("congdan1"))
    response = client.post(reverse("portal:feedback-rate", args=[p.code]), {"hai_long": "1"})
    assert response.status_code == 302
    assert Petition.objects.get(pk=p.pk).satisfied is True
    again = client.post(reverse("portal:feedback-rate", args=[p.code]), {"hai_long": "0"})
    assert again.status_code == 422 and Petition.objects.get(pk=p.pk).satisfied is True


def test_r32_applicant_rates_a_returned_dossier_on_the_page(client):
    d = dossier_of("congdan1", "2026-03-02 08:00", State.RETURNED)
    client.force_login(user("congdan1"))
    url = reverse("portal:rate-dossier", args=[d.code])
    assert "Gửi đánh giá" in client.get(url).content.decode()
    response = client.post(url, {"hai_long": "0", "y_kien": "Phải đi lại nhiều lần."})
    assert response.status_code == 302
    assert DossierRating.objects.get(dossier=d).satisfied is False
    assert client.post(url, {"hai_long": "1"}).status_code == 422


def test_r32_someone_elses_dossier_page_answers_unknown(client):
    d = dossier_of("congdan1", "2026-03-02 08:00", State.RETURNED)
    client.force_login(user("congdan2"))
    response = client.post(reverse("portal:rate-dossier", args=[d.code]), {"hai_long": "0"})
    assert response.status_code == 404
    assert not DossierRating.objects.filter(dossier=d).exists()


def test_r32_unfinished_dossier_cannot_be_rated_on_the_page(client):
    d = dossier_of("congdan1", "2026-03-02 08:00", State.PROCESSING)
    client.force_login(user("congdan1"))
    response = client.post(reverse("portal:rate-dossier", args=[d.code]), {"hai_long": "1"})
    assert response.status_code == 422
    assert "R-32" in response.content.decode()


def test_r31_officer_queue_and_actions(client):
    d = dossier_of("congdan1", "2026-03-02 08:00", State.PROCESSING)
    p = petition("2026-03-03 08:00", dossier=d.code)
    client.force_login(user(OFFICER))
    queue = client.get(reverse("backoffice:feedback-queue"))
    assert queue.status_code == 200 and p.code in queue.content.decode()
    act = reverse("backoffice:feedback-action", args=[p.code, "answer"])
    refused = client.post(act, {"noi_dung": "Trả lời"})
    assert refused.status_code == 422 and "R-31" in refused.content.decode()  # not classified yet
    client.post(reverse("backoffice:feedback-action", args=[p.code, "classify"]), {"phan_loai": "behaviour"})
    assert client.post(act, {"noi_dung": "Đã chấn chỉnh cán bộ."}).status_code == 302
    publish = reverse("backoffice:feedback-action", args=[p.code, "publish"])
    assert client.post(publish, {"cong_khai": "1"}).status_code == 403  # the leadership publishes
    client.force_login(user(LEADER))
    assert client.post(publish, {"cong_khai": "1"}).status_code == 302
    assert Petition.objects.get(pk=p.pk).status == PetitionStatus.PUBLISHED


def test_r31_another_units_officer_cannot_open_the_petition(client):
    p = petition("2026-03-03 08:00")  # routed to the provincial office
    client.force_login(user(OFFICER))
    assert client.get(reverse("backoffice:feedback-petition", args=[p.code])).status_code == 404
    response = client.post(reverse("backoffice:feedback-action", args=[p.code, "refuse"]), {"noi_dung": "x"})
    assert response.status_code == 404
    assert Petition.objects.get(pk=p.pk).status == PetitionStatus.RECEIVED
