"""Settings of the local demo and the test suite (`make run`, `make test`): the production settings
with the conveniences of a laptop turned on — DEBUG (runserver serves the static files), password
sign-in with the demo accounts, the browsable API, cookies over plain http://127.0.0.1, no HTTPS
redirect or HSTS, a fixed secret key. Never deploy with these.

They are given as environment defaults before the production module computes everything from the
environment, so a variable set by hand still wins (e.g. MOTCUA_PASSWORD_LOGIN=0 to try the VNeID-only
configuration) and child processes (runserver, the browser tests' servers) see the same values.
"""

import os

_DEMO_ENVIRONMENT = {
    "MOTCUA_DEBUG": "1",
    "MOTCUA_SECRET_KEY": "demo-only-insecure-secret-key-never-use-in-production",
    "MOTCUA_PASSWORD_LOGIN": "1",
    "MOTCUA_BROWSABLE_API": "1",
    "MOTCUA_SECURE_COOKIES": "0",
    "MOTCUA_SSL_REDIRECT": "0",
    "MOTCUA_HSTS_SECONDS": "0",
    # The results' seals: the TEST CA of `manage.py make_test_ca` (var/signing) is a trust root.
    "MOTCUA_TRUST_TEST_CA": "1",
}
for _name, _value in _DEMO_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)

from motcua.settings import *  # noqa: E402, F403
