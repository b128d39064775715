"""The VNeID-shaped OpenID Connect provider (tools/oidc-provider, the npm `oidc-provider`) as a
pytest fixture: a real Node.js subprocess, real HTTP. Import it into a package's conftest:

    from tests.signin.oidc import oidc_provider, vneid  # noqa: F401

`oidc_provider` (once per session) starts `node tools/oidc-provider/server.js` on a free port,
registering the callback of pytest-django's `live_server`; `vneid` (per test) points
`settings.MOTCUA_INTEGRATIONS["vneid"]` at it and forgets built adapters before and after.
If tools/oidc-provider/node_modules is missing (a fresh clone before `make install`), `npm ci`
installs the locked packages first.

`OidcProvider.authorize(http, app_url, account, next=…)` walks a person through the flow with an
httpx client up to the provider's redirect back to the app, and returns that callback URL
unvisited (so a test can tamper with it or replay it); `sign_in(…)` follows it too.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from motcua.integrations import registry

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "oidc-provider"
CLIENT_ID = "motcua-test"
CLIENT_SECRET = "motcua-test-secret"
CALLBACK_PATH = "/dang-nhap/vneid/ket-qua/"
STARTUP_TIMEOUT = 30.0

# The synthetic accounts of tools/oidc-provider/accounts.json, by their personal number.
CITIZEN = "075088000001"  # Nguyễn Văn Thử (demo congdan1)
CITIZEN_2 = "075092000002"  # Trần Minh Mẫu (demo congdan2)
NEW_CITIZEN = "075195000004"  # Lê Thị Mới
BUSINESS_REPRESENTATIVE = "075090000003"  # for 3699999901
BUSINESS_CODE = "3699999901"
OFFICER_COUNTER = "075180000011"  # demo tiepnhan.tinh
OFFICER_JUSTICE = "075083000012"  # demo chuyenvien.sotuphap
NO_PERSONAL_ID = "12345"

_FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OidcProvider:
    """One provider process and the handle tests drive the flow with."""

    def __init__(self, redirect_uris: list[str], *, token_auth_method: str = "client_secret_basic"):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.redirect_uris = redirect_uris
        self.token_auth_method = token_auth_method
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("Node.js (node) is required by the VNeID provider on loopback")
        if not (TOOL / "node_modules" / "oidc-provider").is_dir():
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund"],
                cwd=TOOL,
                check=True,
                capture_output=True,
                timeout=300,
            )
        command = [
            node,
            str(TOOL / "server.js"),
            "--port",
            str(self.port),
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
            "--token-auth-method",
            self.token_auth_method,
        ]
        for uri in self.redirect_uris:
            command += ["--redirect-uri", uri]
        self._log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 — closed in stop
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"The OIDC provider did not start:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/_sim/health", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("The OIDC provider was not ready after 30 seconds")
            time.sleep(0.05)

    def output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def conf(self) -> dict:
        return {
            "adapter": "oidc",
            "base_url": self.url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scopes": ["openid"],
            "token_auth_method": self.token_auth_method,
            "acr_values": "",
            "redirect_uri": "",
            "timeout": 10.0,
        }

    # --- a person going through the flow -----------------------------------------------------------
    def authorize(self, http: httpx.Client, app_url: str, account: str, *, next: str | None = None) -> str:
        """Start at the app, pick `account` on the provider's login form; the callback URL the
        provider sends the browser back to (not visited)."""
        params = {"next": next} if next is not None else {}
        start = httpx.URL(f"{app_url}/dang-nhap/vneid/", params=params)
        return self.walk(http, str(start), account, until=app_url)

    def walk(self, http: httpx.Client, start_url: str, account: str, *, until: str) -> str:
        """From `start_url` through the provider's login form (choosing `account`) to the first
        redirect to a URL starting with `until`, returned unvisited."""
        response = http.get(start_url, follow_redirects=True)
        assert response.status_code == 200, response.text[:2000]
        assert str(response.url).startswith(self.url), response.url
        action = _FORM_ACTION.search(response.text)
        assert action, response.text[:2000]
        response = http.post(
            urljoin(str(response.url), action.group(1)), data={"account": account, "action": "login"}
        )
        for _ in range(10):
            assert response.status_code in (302, 303), (response.status_code, response.text[:2000])
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(until):
                return location
            response = http.get(location)
        raise AssertionError("the provider never sent the browser back to the app")

    def sign_in(
        self, http: httpx.Client, app_url: str, account: str, *, next: str | None = None
    ) -> httpx.Response:
        """The whole flow; the app's last answer after following its redirects."""
        callback = self.authorize(http, app_url, account, next=next)
        return http.get(callback, follow_redirects=True)


@pytest.fixture(scope="session")
def oidc_provider(live_server):
    provider = OidcProvider([f"{live_server.url}{CALLBACK_PATH}"])
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def vneid(oidc_provider, settings) -> OidcProvider:
    """The app's VNeID settings pointed at the provider on loopback for this test."""
    registry.reset()
    settings.MOTCUA_INTEGRATIONS = {**settings.MOTCUA_INTEGRATIONS, "vneid": oidc_provider.conf()}
    yield oidc_provider
    registry.reset()
