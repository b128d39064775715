"""Online submission by the applicant himself on the province's portal (R-26, R-28, R-30): the
dossier, the files he uploads for each component and the papers he takes again from his store, in
one transaction — a refused submission leaves no dossier, no code and no stored file behind."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import Channel
from motcua.core.errors import InvalidInput, PermissionDenied
from motcua.documents.models import DocumentKind
from motcua.documents.services import copy_for_reuse
from motcua.dossiers.applicant_selectors import applicant_store
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.services import SubmissionInput, Upload, link_required_documents, store_uploads, submit


def submit_online(
    data: SubmissionInput,
    *,
    actor,
    uploads: Sequence[Upload] = (),
    reused: Mapping[int, uuid.UUID] | None = None,
    vneid_verified: bool = False,
    now: datetime.datetime | None = None,
) -> Dossier:
    """`reused` maps a component of the case (RequiredDocument id) to a document of the
    applicant's own store; each is copied into the dossier and marked as reused (indicators 4.4,
    4.5). `vneid_verified`: the account signed in through VNeID in this session (indicator 4.6)."""
    if data.channel != Channel.ONLINE:
        raise InvalidInput("Trên Cổng dịch vụ công chỉ nộp hồ sơ trực tuyến.", field="channel")
    reused = dict(reused or {})
    now = now or timezone.now()
    store = {d.pk: d for d in applicant_store(actor)} if reused else {}
    missing = [pk for pk in reused.values() if pk not in store]
    if missing:
        # Someone else's paper, or an id made up: the same answer, nothing disclosed.
        raise PermissionDenied(
            "Giấy tờ chọn dùng lại không có trong kho giấy tờ của bạn.",
            rule="R-30",
            code="document_not_in_store",
            field="documents",
        )
    with transaction.atomic():
        stored = store_uploads(uploads, actor)
        copies = [
            copy_for_reuse(store[pk], kind=DocumentKind.SUBMITTED, reused_by=actor) for pk in reused.values()
        ]
        dossier = submit(
            replace(data, documents=[*data.documents, *(d.pk for d in [*stored, *copies])]),
            actor=actor,
            now=now,
        )
        link_required_documents(dossier, uploads, stored)
        components = {d.pk for d in dossier.case.documents.all()}
        for component, copy in zip(reused, copies, strict=True):
            if component not in components:
                raise InvalidInput("Thành phần hồ sơ không thuộc trường hợp đã chọn.", field="documents")
            DossierDocument.objects.filter(dossier=dossier, document=copy).update(
                required_document_id=component
            )
        given = set(
            DossierDocument.objects.filter(dossier=dossier, required_document__isnull=False).values_list(
                "required_document_id", flat=True
            )
        )
        missing = [
            c.name
            for c in dossier.case.documents.order_by("order", "pk")
            if c.mandatory and c.pk not in given
        ]
        if missing:
            # Online there is no officer to hand the paper to: every mandatory component comes with
            # the dossier, uploaded or taken from the store (NĐ 45/2020 Điều 11).
            raise InvalidInput(
                "Còn thiếu thành phần hồ sơ bắt buộc: " + "; ".join(m[:120] for m in missing) + ".",
                code="components_missing",
                field="documents",
            )
        if vneid_verified and not dossier.vneid_verified:
            dossier.vneid_verified = True
            dossier.save(update_fields=["vneid_verified"])
    return dossier
