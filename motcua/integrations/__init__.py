"""Adapters to the national systems a province connects to (DVCQG, VNeID, payment platform, SMS,
remote signing), each behind a small typed interface with a local simulator speaking the same
documented protocol (`registry` builds the configured adapter; `MOTCUA_INTEGRATIONS` settings).

This package sits below the domain apps: it knows the wire formats, never the models."""
