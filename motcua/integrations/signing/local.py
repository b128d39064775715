"""The "local" signing backend: each unit's key in a folder of this server.

`base_url` is the folder (MOTCUA_SIGNING_KEYS_DIR). A unit signs with `<unit code>.p12` (PKCS#12,
protected by `passphrase`) or, failing that, `<unit code>.key.pem` + `<unit code>.pem` (its
certificate, then the chain). No file, no seal: `available()` says so before anything is tried.
A USB token or an HSM reached through PKCS#11 would be another backend of the same interface.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from motcua.integrations.signing.base import SigningError, pades_sign
from motcua.integrations.signing.testca import valid_unit_code


class LocalKeys:
    def __init__(self, conf: dict[str, Any]):
        self.directory = Path(str(conf["base_url"]))
        self.passphrase = str(conf.get("passphrase") or "")
        self._signers: dict[tuple[str, float], Any] = {}
        self._lock = threading.Lock()

    def _files(self, unit_code: str) -> tuple[Path, ...] | None:
        if not valid_unit_code(unit_code):
            return None
        p12 = self.directory / f"{unit_code}.p12"
        if p12.is_file():
            return (p12,)
        key, cert = self.directory / f"{unit_code}.key.pem", self.directory / f"{unit_code}.pem"
        if key.is_file() and cert.is_file():
            return (key, cert)
        return None

    def available(self, unit_code: str) -> bool:
        return self._files(unit_code) is not None

    def _signer(self, unit_code: str):
        from pyhanko.sign.signers import SimpleSigner

        files = self._files(unit_code)
        if files is None:
            raise SigningError(f"Chưa có chứng thư số (khóa ký) của đơn vị {unit_code} trên máy chủ.")
        # A key replaced on disk (a renewed certificate) is read again.
        cache_key = (str(files[0]), files[0].stat().st_mtime)
        with self._lock:
            signer = self._signers.get(cache_key)
            if signer is None:
                passphrase = self.passphrase.encode() or None
                if len(files) == 1:
                    try:
                        signer = SimpleSigner.load_pkcs12_data(
                            files[0].read_bytes(), other_certs=(), passphrase=passphrase
                        )
                    except ValueError:
                        signer = None
                else:
                    signer = SimpleSigner.load(
                        str(files[0]),
                        str(files[1]),
                        ca_chain_files=(str(files[1]),),
                        key_passphrase=passphrase,
                    )
                if signer is None:  # pyHanko logs the cause and answers None
                    raise SigningError(
                        f"Không mở được khóa ký của đơn vị {unit_code} (sai mật khẩu hoặc tệp hỏng)."
                    )
                self._signers[cache_key] = signer
        return signer

    def sign_pdf(
        self, pdf: bytes, *, unit_code: str, reason: str, location: str, appearance: bytes | None = None
    ) -> bytes:
        return pades_sign(
            pdf, self._signer(unit_code), reason=reason, location=location, appearance=appearance
        )
