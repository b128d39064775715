from tests.demo_province import demo, on_demo  # noqa: F401 (fixtures)
