"""Links to a dossier's files that the national portal can open without an account of ours.

The sync payload names each submitted and result file by its address (`DuongDanTaiTepTin`,
`DuongDanTepTin`, REGULATIONS §6.4): the national portal shows result files to the citizen from
there (indicator 4.1 counts results issued electronically). A back-office address would ask the
portal to sign in, so the address carries its own proof instead: the dossier code and the
document id signed with the site's key (Django's signing, its own salt). Nothing else opens
through it: the document must still be attached to that dossier. Rotating MOTCUA_SECRET_KEY
withdraws every link sent; the next sync of each dossier sends new ones.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse

from motcua.core.errors import NotFound
from motcua.documents.models import Document
from motcua.dossiers.models import DossierDocument

SALT = "motcua.sync.national-file-link"


def file_url(code: str, document_id: uuid.UUID | str) -> str:
    """The public address of a dossier's file, for the national portal."""
    token = signing.dumps([code, str(document_id)], salt=SALT, compress=False)
    base = (getattr(settings, "PUBLIC_URL", "") or "").rstrip("/")
    return base + reverse("national-file", kwargs={"token": token})


def document_of_link(token: str) -> Document:
    """The document a link names; NotFound for a forged, altered or withdrawn link."""
    try:
        code, document_id = signing.loads(token, salt=SALT)
        document_id = uuid.UUID(str(document_id))
    except (signing.BadSignature, ValueError, TypeError):
        raise NotFound("Đường dẫn tệp không hợp lệ hoặc đã bị thu hồi.", code="file_link_invalid") from None
    link = (
        DossierDocument.objects.select_related("document")
        .filter(dossier__code=str(code), document_id=document_id)
        .first()
    )
    if link is None:
        raise NotFound("Tệp này không còn thuộc hồ sơ.", code="file_link_invalid")
    return link.document
