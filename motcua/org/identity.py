"""Who a person verified by VNeID / the national SSO is in MotCua (R-26, REGULATIONS §6.6).

The identity provider vouches for a 12-digit personal identification number (`SoDinhDanh`) and,
for the representative of a business, its tax / enterprise code (`MaSoDoanhNghiep`, `MaSoThue`).
- An officer is found only by the number an administrator recorded for them (`OfficerIdentity`):
  claims never make anyone an officer, and an officer's account is never changed by them.
- Anyone else signs in as an applicant: a citizen by personal number, a business by its code. The
  applicant (and a Django account for it) is found or created, and its name, phone and e-mail are
  brought up to date from the claims — the national identity system is the authority for them.
- Claims without a valid 12-digit personal number are refused (R-26: VNeID is the only account).

The session remembers that the sign-in was verified by VNeID (`signed_in_with_vneid`), which the
online submission copies to `Dossier.vneid_verified` (indicator 4.6).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest

from motcua.core.errors import DomainError, PermissionDenied
from motcua.core.text import nfc
from motcua.org.models import PERSONAL_ID_RE, Applicant, ApplicantKind, OfficerIdentity, validate_personal_id
from motcua.org.selectors import active_assignments

SESSION_KEY = "motcua_signin"
VNEID = "vneid"
BACKEND = "motcua.org.identity.VerifiedIdentityBackend"
BUSINESS_CODE_RE = re.compile(r"\d{10}(-\d{3})?")
PHONE_RE = re.compile(r"\+?[0-9 .]{8,20}")
# LoaiTaiKhoan of an organisation's account (a person's is "1"); a person's own tax code
# (MaSoThue) alone does not make a business.
ORGANISATION_ACCOUNT_TYPES = frozenset({"2", "to_chuc", "tochuc", "organization"})


class SignInRefused(DomainError):
    status_code = 403
    code = "signin_refused"


class Landing(enum.StrEnum):
    OFFICER = "officer"
    CITIZEN = "citizen"
    BUSINESS = "business"


@dataclass(frozen=True)
class VerifiedPerson:
    """What the identity provider asserted, read from its claims (VNeID's names, §6.6)."""

    subject: str
    personal_id: str
    full_name: str
    account_type: str = ""
    birth_date: str = ""
    phone: str = ""
    email: str = ""
    business_code: str = ""
    business_name: str = ""

    @property
    def is_business(self) -> bool:
        return bool(self.business_code)


@dataclass(frozen=True)
class SignedIn:
    user: Any
    landing: Landing
    applicant: Applicant | None = None


def _text(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if value is None or isinstance(value, (dict, list)):
        return ""
    return nfc(str(value)).strip()


def _email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value[:254]


def person_from_claims(claims: dict[str, Any]) -> VerifiedPerson:
    """Read the provider's claims; raises SignInRefused when they cannot identify a person."""
    personal_id = _text(claims, "SoDinhDanh")
    if not PERSONAL_ID_RE.fullmatch(personal_id):
        raise SignInRefused(
            "Tài khoản VNeID không có số định danh cá nhân hợp lệ (12 chữ số), nên không thể đăng nhập. "
            "Vui lòng dùng tài khoản định danh điện tử đã được xác thực.",
            rule="R-26",
            code="vneid_no_personal_id",
        )
    full_name = _text(claims, "HoVaTen")
    if not full_name:
        raise SignInRefused(
            "Tài khoản VNeID không cung cấp họ và tên, nên không thể đăng nhập.",
            rule="R-26",
            code="vneid_no_name",
        )
    account_type = _text(claims, "LoaiTaiKhoan")
    business_code = _text(claims, "MaSoDoanhNghiep")
    if not business_code and account_type.lower() in ORGANISATION_ACCOUNT_TYPES:
        business_code = _text(claims, "MaSoThue")
    if business_code and not BUSINESS_CODE_RE.fullmatch(business_code):
        raise SignInRefused(
            f"Mã số doanh nghiệp “{business_code}” do tài khoản định danh cung cấp không hợp lệ "
            "(10 chữ số, chi nhánh: 10 chữ số-3 chữ số).",
            rule="R-26",
            code="vneid_bad_business_code",
        )
    phone = _text(claims, "SoDienThoai")
    return VerifiedPerson(
        subject=_text(claims, "sub"),
        personal_id=personal_id,
        full_name=full_name[:150],
        account_type=account_type,
        birth_date=_text(claims, "NgayThangNamSinh"),
        phone=phone if PHONE_RE.fullmatch(phone) else "",
        email=_email(_text(claims, "ThuDienTu")),
        business_code=business_code,
        business_name=_text(claims, "TenDoanhNghiep")[:255],
    )


def officer_for(personal_id: str):
    """The officer whose recorded personal number this is, or None."""
    found = OfficerIdentity.objects.filter(personal_id=personal_id).select_related("user").first()
    return found.user if found else None


def _is_officer(user) -> bool:
    return user.is_superuser or active_assignments(user).exists()


def _account(username: str, full_name: str, email: str):
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username)
        user.set_unusable_password()  # this account opens only through VNeID
    return _refreshed(user, full_name, email)


def _refreshed(user, full_name: str, email: str):
    # Vietnamese names are written family name first: the whole name in first_name (as the demo).
    wanted = {"first_name": full_name, "last_name": ""}
    if email:
        wanted["email"] = email
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if user.pk is None:
        user.save()
    elif changed:
        user.save(update_fields=changed)
    return user


def _applicant(person: VerifiedPerson) -> Applicant:
    if person.is_business:
        kind, identifier = ApplicantKind.BUSINESS, person.business_code
        name = person.business_name or f"Doanh nghiệp {person.business_code}"
        username = f"vneid.dn.{person.business_code}"
    else:
        kind, identifier = ApplicantKind.CITIZEN, person.personal_id
        name, username = person.full_name, f"vneid.{person.personal_id}"
    applicant = Applicant.objects.select_for_update().filter(kind=kind, identifier=identifier).first()
    if applicant is None:
        applicant = Applicant(kind=kind, identifier=identifier)
    if applicant.user_id is not None:
        user = applicant.user
        if not user.is_active:
            raise SignInRefused("Tài khoản này đã bị khóa; vui lòng liên hệ cơ quan quản lý.", rule="R-26")
        user = _refreshed(user, name, person.email)
    else:
        user = _account(username, name, person.email)
    applicant.user = user
    applicant.name = name
    if person.phone:
        applicant.phone = person.phone[:20]
    if person.email:
        applicant.email = person.email
    applicant.full_clean(validate_unique=False, validate_constraints=False)
    applicant.save()
    return applicant


@transaction.atomic
def sign_in_verified(claims: dict[str, Any]) -> SignedIn:
    """Whom the provider's verified claims sign in: the officer with this recorded number, or the
    citizen / business applicant (found or created, brought up to date). Raises SignInRefused."""
    person = person_from_claims(claims)
    officer = officer_for(person.personal_id)
    if officer is not None:
        if not officer.is_active:
            raise SignInRefused("Tài khoản cán bộ này đã bị khóa.", rule="R-26", code="officer_inactive")
        if _is_officer(officer) and not person.is_business:
            return SignedIn(user=officer, landing=Landing.OFFICER)
        # A former officer (no role in force) or a business representative applies as anyone else.
    applicant = _applicant(person)
    landing = Landing.BUSINESS if person.is_business else Landing.CITIZEN
    return SignedIn(user=applicant.user, landing=landing, applicant=applicant)


def set_officer_personal_id(user, personal_id: str) -> OfficerIdentity:
    """Record (or change) the personal number an officer signs in with by VNeID (administrators,
    the demo loader). Refuses a malformed number or one already recorded for someone else."""
    try:
        validate_personal_id(personal_id)
    except ValidationError as exc:
        raise SignInRefused(exc.messages[0], rule="R-26", code="personal_id") from None
    holder = OfficerIdentity.objects.filter(personal_id=personal_id).exclude(user=user).first()
    if holder is not None:
        raise PermissionDenied(
            f"Số định danh {personal_id} đã được gán cho tài khoản {holder.user}.",
            rule="R-26",
            code="personal_id_taken",
        )
    identity, _ = OfficerIdentity.objects.update_or_create(user=user, defaults={"personal_id": personal_id})
    return identity


def mark_signed_in_with_vneid(request: HttpRequest) -> None:
    """After `login(request, user, backend=BACKEND)`: this session was verified by VNeID."""
    request.session[SESSION_KEY] = VNEID


def signed_in_with_vneid(request: HttpRequest) -> bool:
    """Whether the person of this request signed in with VNeID (indicator 4.6: the online
    submission sets `Dossier.vneid_verified` from it). A later password sign-in in the same
    session changes the session's backend, so it no longer counts."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if session is None or not getattr(user, "is_authenticated", False):
        return False
    return session.get(SESSION_KEY) == VNEID and session.get(BACKEND_SESSION_KEY) == BACKEND


class VerifiedIdentityBackend(BaseBackend):
    """The session backend of a VNeID sign-in: it restores the signed-in user on each request and
    authenticates no credentials (the flow calls `login` with the user `sign_in_verified` chose)."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        user = get_user_model()._default_manager.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
