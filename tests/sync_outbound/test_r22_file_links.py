"""R-22, indicators 4.1/4.2: the file addresses the sync payload gives the national portal open
without an account of ours (the portal fetches result files for the citizen), and nothing else
opens through them."""

import pytest
from django.core import signing

from motcua.dossiers.models import Dossier, DossierDocument
from motcua.sync.payload import dossier_records
from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.sync_outbound.kit import notary_history

pytestmark = pytest.mark.django_db


def result_link(dossier: Dossier) -> tuple[str, str]:
    (result,) = dossier_records([dossier])[dossier.pk]["DanhSachGiayToKetQua"]
    return result["DuongDanTepTinKetQua"], result["GiayToId"]


def test_r22_the_portal_downloads_the_result_file_without_signing_in(client):
    d = notary_history(2, returned=True)
    url, document_id = result_link(d)
    stored = DossierDocument.objects.get(dossier=d, document_id=document_id).document

    answer = client.get(url)

    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == stored.file.open("rb").read()
    assert stored.name in answer["Content-Disposition"]
    assert answer["Cache-Control"] == "private, no-store"


def test_r22_an_altered_link_opens_nothing(client):
    d = notary_history(2, returned=True)
    url, document_id = result_link(d)
    prefix, _, token = url.rpartition("/")
    payload, _, signature = token.partition(":")
    forgeries = [
        # The same document asked for under a signature made with another purpose's salt.
        signing.dumps([d.code, document_id], salt="motcua.other-purpose", compress=False),
        # One character of the signature changed.
        payload + ":" + signature[:-1] + ("A" if signature[-1] != "A" else "B"),
        # The payload swapped for another dossier's, the signature kept.
        signing.dumps(["000.00.61.H19-260302-0999", document_id], compress=False).partition(":")[0]
        + ":"
        + signature,
        "khong-phai-duong-dan",
    ]
    for forged in forgeries:
        answer = client.get(f"{prefix}/{forged}")
        assert answer.status_code == 404, forged
        assert answer.json()["error"]["code"] == "file_link_invalid"
        assert "không hợp lệ" in answer.json()["error"]["message"]


def test_r22_a_file_taken_off_the_dossier_no_longer_opens(client):
    d = notary_history(2, returned=True)
    url, document_id = result_link(d)
    DossierDocument.objects.filter(dossier=d, document_id=document_id).delete()

    answer = client.get(url)

    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "Tệp này không còn thuộc hồ sơ."
