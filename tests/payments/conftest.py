"""The demo province (loaded once per module, each test in a savepoint) and the payment platform
simulator as a real subprocess."""

from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
from tests.payments.paygov import paygov, paygov_process  # noqa: F401 (fixtures)
