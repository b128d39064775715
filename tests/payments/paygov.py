"""The payment-platform simulator as a pytest fixture: a real subprocess, real HTTP.

    from tests.payments.paygov import paygov, paygov_process  # noqa: F401

`paygov` (per test) resets the simulator, points `settings.MOTCUA_INTEGRATIONS["paygov"]` at it and
forgets built adapters, so `registry.get("paygov")` is a client talking to it.
"""

from __future__ import annotations

from typing import Any

import pytest

from motcua.integrations import registry
from tests.simulators import SimulatorProcess

PARTNER = "MOTCUA-TEST"
SECRET = "paygov-test-secret"


class PayGovSimulator(SimulatorProcess):
    command = "payment_platform_sim"
    ready_path = "/_state"
    name = "Nền tảng thanh toán giả lập"

    def __init__(self) -> None:
        super().__init__(args=["--partner", PARTNER, "--secret", SECRET])

    def control(self, **switches: Any) -> dict[str, Any]:
        return self._post("/_control", switches)["switches"]

    def state(self) -> dict[str, Any]:
        return self.http.get("/_state").json()

    def reset(self) -> None:
        self._post("/_reset", {})

    def pay(self, reference: str, *, paid: bool = True) -> dict[str, Any]:
        """The payer decides on the platform's page (without a browser)."""
        return self._post("/_pay", {"MaThamChieu": reference, "paid": paid})["transaction"]

    def conf(self) -> dict[str, Any]:
        return {
            "adapter": "rest",
            "base_url": self.url,
            "partner_code": PARTNER,
            "secret": SECRET,
            "timeout": 5.0,
        }


@pytest.fixture(scope="module")
def paygov_process():
    with PayGovSimulator() as simulator:
        yield simulator


@pytest.fixture
def paygov(paygov_process, settings):
    paygov_process.reset()
    settings.MOTCUA_INTEGRATIONS = {
        **getattr(settings, "MOTCUA_INTEGRATIONS", {}),
        "paygov": paygov_process.conf(),
    }
    registry.reset()
    try:
        yield paygov_process
    finally:
        registry.reset()
