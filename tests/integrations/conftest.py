from tests.national_portal import national_portal, national_portal_process  # noqa: F401
