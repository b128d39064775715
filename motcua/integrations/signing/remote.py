"""The "remote" signing backend: ký số từ xa (remote signing, as VNPT SmartCA or Viettel MySign
provide to organisations), the unit's key never leaving the provider's HSM.

The PDF stays here. pyHanko builds the CMS signed attributes over the document's digest; only the
digest of those attributes goes to the service, which returns the raw signature value made with the
unit's key; pyHanko puts the CMS together and embeds it (PAdES B-B). The wire follows the Cloud
Signature Consortium API v1 (the providers' own APIs have the same two calls under other names):

- `POST <base_url>/credentials/info` `{"credentialID": "<unit code>", "certificates": "chain"}` →
  `{"cert": {"certificates": ["<base64 DER>", …]}}` (the unit's certificate first);
- `POST <base_url>/signatures/signHash` `{"credentialID", "hash": ["<base64>"], "hashAlgo":
  "<OID>", "signAlgo": "<OID>"}` → `{"signatures": ["<base64>"]}`;
both with `Authorization: Bearer <client_secret>`. The credential of a unit is its agency code.
A seal is signed automatically (the organisation's key, not a person's): no SAD/OTP step here.
`units` (comma-separated codes) limits the units the service holds keys for; empty = every unit.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx

from motcua.integrations.signing.base import SigningError, pades_sign
from motcua.integrations.signing.testca import valid_unit_code

HASH_OIDS = {
    "sha256": "2.16.840.1.101.3.4.2.1",
    "sha384": "2.16.840.1.101.3.4.2.2",
    "sha512": "2.16.840.1.101.3.4.2.3",
}
RSA_PKCS1 = "1.2.840.113549.1.1.1"


class RemoteSigningService:
    def __init__(self, conf: dict[str, Any]):
        self.base_url = str(conf["base_url"]).rstrip("/")
        units = conf.get("units") or ""
        self.units = {u.strip() for u in (units.split(",") if isinstance(units, str) else units) if u.strip()}
        self.http = httpx.Client(
            timeout=float(conf.get("timeout", 10)),
            headers={"Authorization": f"Bearer {conf.get('client_secret', '')}"},
        )

    def close(self) -> None:
        self.http.close()

    def available(self, unit_code: str) -> bool:
        return valid_unit_code(unit_code) and (not self.units or unit_code in self.units)

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.http.post(f"{self.base_url}/{path}", json=body)
        except httpx.HTTPError as exc:
            raise SigningError(f"Dịch vụ ký số từ xa không trả lời: {exc}") from exc
        if response.status_code != 200:
            try:
                detail = response.json().get("error_description") or response.text[:200]
            except ValueError:
                detail = response.text[:200]
            raise SigningError(f"Dịch vụ ký số từ xa từ chối ({response.status_code}): {detail}")
        try:
            return response.json()
        except ValueError as exc:
            raise SigningError("Dịch vụ ký số từ xa trả lời sai định dạng.") from exc

    def _signer(self, unit_code: str):
        from asn1crypto import x509 as asn1_x509
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        info = self.call("credentials/info", {"credentialID": unit_code, "certificates": "chain"})
        try:
            certs = [asn1_x509.Certificate.load(base64.b64decode(c)) for c in info["cert"]["certificates"]]
            certs[0].native  # noqa: B018 — parse now: a broken certificate is the service's error
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise SigningError("Dịch vụ ký số từ xa không trả về chứng thư số của đơn vị.") from exc
        return _HashSigner(self, unit_code, certs[0], SimpleCertificateStore.from_certs(certs[1:]))

    def sign_pdf(
        self, pdf: bytes, *, unit_code: str, reason: str, location: str, appearance: bytes | None = None
    ) -> bytes:
        if not self.available(unit_code):
            raise SigningError(f"Dịch vụ ký số từ xa không giữ khóa ký của đơn vị {unit_code}.")
        return pades_sign(
            pdf, self._signer(unit_code), reason=reason, location=location, appearance=appearance
        )


def _signer_class():
    from pyhanko.sign.signers.pdf_cms import Signer

    class HashSigner(Signer):
        """A pyHanko Signer whose raw signature is made by the remote service over the digest."""

        def __init__(self, service: RemoteSigningService, credential: str, cert, registry):
            self.service, self.credential = service, credential
            super().__init__(signing_cert=cert, cert_registry=registry)

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            if self.signing_cert.public_key.algorithm != "rsa":
                raise SigningError("Chỉ hỗ trợ khóa RSA với dịch vụ ký số từ xa.")
            if dry_run:  # a placeholder of the signature's size
                return bytes(self.signing_cert.public_key.byte_size)
            if digest_algorithm not in HASH_OIDS:
                raise SigningError(f"Thuật toán băm không hỗ trợ: {digest_algorithm}.")
            digest = hashlib.new(digest_algorithm, data).digest()
            answer = self.service.call(
                "signatures/signHash",
                {
                    "credentialID": self.credential,
                    "hash": [base64.b64encode(digest).decode()],
                    "hashAlgo": HASH_OIDS[digest_algorithm],
                    "signAlgo": RSA_PKCS1,
                },
            )
            try:
                return base64.b64decode(answer["signatures"][0])
            except (KeyError, IndexError, TypeError, ValueError) as exc:
                raise SigningError("Dịch vụ ký số từ xa trả về chữ ký sai định dạng.") from exc

    return HashSigner


def _HashSigner(*args):  # built lazily: pyHanko is imported only when signing
    return _signer_class()(*args)
