"""The national-portal simulator as a pytest fixture: a real subprocess, real HTTP.

Import it into a package's conftest:

    from tests.national_portal import national_portal, national_portal_process  # noqa: F401

`national_portal` (per test) resets the simulator, points `settings.MOTCUA_INTEGRATIONS["dvcqg"]`
at it and forgets built adapters (`registry.reset()`) before and after the test, so
`registry.get("dvcqg")` is an adapter talking to it. The protocol generation is "rest" unless the
test parametrizes it indirectly:

    @pytest.mark.parametrize("national_portal", ["rest", "service"], indirect=True)
    def test_…(national_portal): ...

The simulator process (`manage.py national_portal_sim` with the venv's python) starts once per
module on a free port; `restart()` kills it (SIGKILL: a crash) and starts it again on the same port
— the portal's stored data survive, as a real portal's database would (`keep_state=False` to lose
them); `stop()` / `start()` leave it down in between.
"""

from __future__ import annotations

from typing import Any

import pytest

from motcua.integrations import registry
from tests.simulators import SimulatorProcess

CLIENT_ID = "motcua-demo"
CLIENT_SECRET = "motcua-demo-secret"
PROVINCE_CODE = "000.00.00.H19"  # the demo province (UBND tỉnh Đồng Nai), its MaDinhDanh


class NationalPortalSimulator(SimulatorProcess):
    """One simulator subprocess and the handle tests drive it with."""

    command = "national_portal_sim"
    ready_path = "/_sim/state"
    name = "Cổng DVCQG giả lập"

    def __init__(self, port: int | None = None, extra_args: list[str] | None = None):
        super().__init__(port, extra_args or ())
        self.protocol = "rest"
        self._stash: dict[str, Any] | None = None

    # --- the process ---------------------------------------------------------------------------
    def start(self) -> None:
        super().start()
        if self._stash is not None:
            self._post("/_sim/load", self._stash)
            self._stash = None

    def stop(self, *, keep_state: bool = True) -> None:
        """Kill the process (SIGKILL, no goodbye); with keep_state, what it stored comes back at start()."""
        if keep_state and self.process and self.process.poll() is None:
            self._stash = self._get("/_sim/dump")
        self.kill()

    def restart(self, *, keep_state: bool = True) -> None:
        """A portal crash: the process dies at once, connections drop, then it comes back."""
        self.stop(keep_state=keep_state)
        self.start()

    def close(self) -> None:
        self._stash = None
        super().close()

    # --- control -------------------------------------------------------------------------------
    def control(self, **switches: Any) -> dict[str, Any]:
        """outage, delay_ms, error_rate, lost_ack_rate, refuse_codes, session_ttl, expire_sessions."""
        return self._post("/_sim/control", switches)["switches"]

    def state(self) -> dict[str, Any]:
        return self._get("/_sim/state")

    def reset(self) -> None:
        self._post("/_sim/reset", {})

    def add_procedures(self, procedures: list[dict[str, Any]], *, replace: bool = False, remove=()) -> int:
        return self._post(
            "/_sim/procedures", {"procedures": procedures, "replace": replace, "remove": list(remove)}
        )["procedures"]

    def offer_forwarded(self, dossiers: list[dict[str, Any]]) -> int:
        return self._post("/_sim/forwarded", dossiers)["forwarded"]

    def push(
        self, url: str, partner: str, key: str, dossiers: list[dict[str, Any]], repeat: int = 1, **extra: Any
    ) -> list[dict[str, Any]]:
        """The simulator POSTs each dossier to `url` (headers `X-Partner`, `Authorization: Bearer
        <key>`); the province's answers: [{"MaHoSo", "status", "body"}]."""
        body = {"url": url, "partner": partner, "key": key, "dossiers": dossiers, "repeat": repeat, **extra}
        return self._post("/_sim/push", body)["responses"]

    def conf(self, protocol: str | None = None) -> dict[str, Any]:
        return {
            "adapter": protocol or self.protocol,
            "base_url": self.url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "province_code": PROVINCE_CODE,
            "timeout": 5.0,
        }

    def adapter(self):
        """The configured adapter, as the code under test gets it."""
        return registry.get("dvcqg")


@pytest.fixture(scope="module")
def national_portal_process():
    with NationalPortalSimulator() as simulator:
        yield simulator


@pytest.fixture
def national_portal(request, national_portal_process, settings):
    simulator = national_portal_process
    simulator.start()  # a previous test may have left it stopped
    simulator.protocol = getattr(request, "param", "rest")
    simulator.reset()
    settings.MOTCUA_INTEGRATIONS = {
        **getattr(settings, "MOTCUA_INTEGRATIONS", {}),
        "dvcqg": simulator.conf(),
    }
    registry.reset()
    try:
        yield simulator
    finally:
        registry.reset()
