"""The current generation: REST through the provincial LGSP / national NGSP (REGULATIONS §6.1,
vn-code-and-data §2.3). An OAuth2 client-credentials token from `/token`, kept until its
`expires_in` and renewed when the gateway answers 401; add, update and progress each take a JSON
array (Tân Dân's `URLThemMoi`, `URLCapNhat`, `URLDongBoTienTrinh`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from motcua.integrations.dvcqg.base import ForwardedBatch, Outcome, PortalUnavailable
from motcua.integrations.dvcqg.wire import PortalClient, forwarded_batch, login_failure

ADD_PATH = "/dvcqg/hoso/themmoi"
UPDATE_PATH = "/dvcqg/hoso/capnhat"
PROGRESS_PATH = "/dvcqg/hoso/tiendo"


class RestPortal(PortalClient):
    protocol = "rest"

    def _login(self) -> tuple[str, float | None]:
        response = self.http.post(
            "/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        token = body.get("access_token")
        if response.status_code != 200 or not token:
            reason = body.get("error_description") or body.get("message") or body.get("error") or ""
            raise login_failure(response, "Không lấy được mã truy cập Cổng DVCQG", str(reason))
        try:
            lifetime = float(body.get("expires_in") or 0) or None
        except (TypeError, ValueError):
            lifetime = None
        return str(token), lifetime

    def expired(self, response: httpx.Response) -> bool:
        return response.status_code == 401

    def _auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def _post(self, path: str, items: list[dict[str, Any]]) -> Outcome:
        return self.push(lambda token: self.http.post(path, json=items, headers=self._auth(token)))

    def _get(self, path: str, params: dict[str, Any] | None = None) -> tuple[bool, Any]:
        return self.lookup(lambda token: self.http.get(path, params=params, headers=self._auth(token)))

    # --- outbound ----------------------------------------------------------------------------------
    def add_dossiers(self, records: list[dict[str, Any]]) -> Outcome:
        return self._post(ADD_PATH, records)

    def update_dossiers(self, records: list[dict[str, Any]]) -> Outcome:
        return self._post(UPDATE_PATH, records)

    def push_progress(self, rows: list[dict[str, Any]]) -> Outcome:
        return self._post(PROGRESS_PATH, rows)

    # --- look-ups ----------------------------------------------------------------------------------
    def find_dossier(self, code: str) -> dict[str, Any] | None:
        found, data = self._get("/dvcqg/hoso/tracuu", {"MaHoSo": code})
        return data if found else None

    def list_procedures(self) -> list[dict[str, Any]]:
        _, data = self._get("/dvcqg/thutuc")
        if not isinstance(data, list):
            raise PortalUnavailable("Cổng DVCQG trả danh sách thủ tục không đúng định dạng")
        return data

    def get_procedure(self, code: str) -> dict[str, Any] | None:
        found, data = self._get(f"/dvcqg/thutuc/{quote(code, safe='')}")
        return data if found else None

    def fetch_forwarded(self, cursor: str, limit: int = 100) -> ForwardedBatch:
        params = {"tu": cursor or "", "so_luong": limit, "MaDinhDanhTinh": self.province_code}
        _, data = self._get("/dvcqg/hoso-chuyen-ve", params)
        return forwarded_batch(data, cursor)
