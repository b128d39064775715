"""Outbound delivery to the national portal (R-22), tested against the simulator over real HTTP.

The demo-province fixtures are imported by the modules that use them (the worker tests need
committed data of their own and build it themselves)."""

from tests.national_portal import national_portal, national_portal_process  # noqa: F401 (fixtures)
