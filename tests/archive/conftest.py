"""The demo province, loaded once per module and rolled back after it; each test in a savepoint."""

from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
