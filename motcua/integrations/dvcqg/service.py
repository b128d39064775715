"""The older generation: the "service" adapter (OpenCPS `DVCQGIntegrationActionImpl`, REGULATIONS
§6.1–6.2, vn-code-and-data §2.2). A session from `/adapter/auth` (`username`, `password`, header
`dstcode`), then every call is `POST /adapter/integration` with `{"session", "madonvi", "service",
…}`. The portal answers an expired session inside a normal HTTP 200 (`error_code` "401", "Phiên làm
việc hết hạn"): log in again and send once more."""

from __future__ import annotations

from typing import Any

import httpx

from motcua.integrations.dvcqg.base import ForwardedBatch, Outcome, PortalUnavailable
from motcua.integrations.dvcqg.wire import PortalClient, forwarded_batch, login_failure

AUTH_PATH = "/adapter/auth"
INTEGRATION_PATH = "/adapter/integration"


class ServicePortal(PortalClient):
    protocol = "service"

    def _headers(self) -> dict[str, str]:
        return {"dstcode": self.province_code}

    def _login(self) -> tuple[str, float | None]:
        response = self.http.post(
            AUTH_PATH,
            json={"username": self.client_id, "password": self.client_secret},
            headers=self._headers(),
        )
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        session = body.get("session")
        if (
            response.status_code != 200
            or not session
            or str(body.get("error_code")).strip() not in ("0", "00")
        ):
            reason = f"{body.get('message') or ''} (mã {body.get('error_code')})" if body else ""
            raise login_failure(response, "Không đăng nhập được Cổng DVCQG", reason)
        return str(session), None  # valid until the portal says it has expired

    def expired(self, response: httpx.Response) -> bool:
        if response.status_code == 401:
            return True
        if response.status_code != 200:
            return False
        try:
            body = response.json()
        except ValueError:
            return False
        if not isinstance(body, dict):
            return False
        code = str(body.get("error_code", "")).strip()
        return code == "401" or "phiên làm việc hết hạn" in str(body.get("message", "")).lower()

    def _send(self, service: str, **fields: Any):
        def send(session: str) -> httpx.Response:
            body = {"session": session, "madonvi": self.province_code, "service": service, **fields}
            return self.http.post(INTEGRATION_PATH, json=body, headers=self._headers())

        return send

    # --- outbound ----------------------------------------------------------------------------------
    def add_dossiers(self, records: list[dict[str, Any]]) -> Outcome:
        return self.push(self._send("DongBoHoSoMC", isUpdating="False", data=records))

    def update_dossiers(self, records: list[dict[str, Any]]) -> Outcome:
        return self.push(self._send("DongBoHoSoMC", isUpdating="True", data=records))

    def push_progress(self, rows: list[dict[str, Any]]) -> Outcome:
        return self.push(self._send("CapNhatTienDoHoSoMC", data=rows))

    # --- look-ups ----------------------------------------------------------------------------------
    def find_dossier(self, code: str) -> dict[str, Any] | None:
        found, data = self.lookup(self._send("TraCuuHoSo", mahoso=code))
        return data if found else None

    def list_procedures(self) -> list[dict[str, Any]]:
        _, data = self.lookup(self._send("LayDanhSachTTHC"))
        if not isinstance(data, list):
            raise PortalUnavailable("Cổng DVCQG trả danh sách thủ tục không đúng định dạng")
        return data

    def get_procedure(self, code: str) -> dict[str, Any] | None:
        found, data = self.lookup(self._send("LayThuTuc", maTTHC=code))
        return data if found else None

    def fetch_forwarded(self, cursor: str, limit: int = 100) -> ForwardedBatch:
        _, data = self.lookup(self._send("LayHoSoChuyenVe", tu=cursor or "", so_luong=limit))
        return forwarded_batch(data, cursor)
