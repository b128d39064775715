# MotCua — set-up and everyday commands. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Every command here is the local demo or the test run: DEBUG, password sign-in with the demo
# accounts, no HTTPS. A deployment runs motcua.settings (the default of manage.py and wsgi.py).
export DJANGO_SETTINGS_MODULE ?= motcua.settings_demo

.PHONY: install run test lint check-deploy bench migrate demo clean lock system-deps

# Programs the suite drives for real (R: "Real parts, not mocks"): Debian's Chromium for the web
# pages (Playwright) and poppler-utils to read the PDFs back. Installed once, only if missing.

install: $(STAMP)

# Re-installs only when the lock file or the project metadata change (idempotent).
# Two Node tools come from their own lock files: the OpenID Connect provider standing in for VNeID
# (tools/oidc-provider; the tests and `make run` sign in through it over loopback) and axe-core
# (tools/axe), which the browser tests run on the portal's pages (WCAG 2.1 AA).
$(STAMP): requirements.lock pyproject.toml tools/oidc-provider/package-lock.json tools/axe/package-lock.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==0.13.9"
	$(BIN)/uv pip install --quiet --python $(PY) -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(PY) --no-deps -e .
	npm ci --prefix tools/oidc-provider --no-audit --no-fund --silent
	npm ci --prefix tools/axe --no-audit --no-fund --silent
	touch $(STAMP)

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

migrate: install
	$(PY) manage.py migrate --no-input

# load_demo also makes the TEST certificate authority and one seal (PKCS#12) per unit that issues
# results in var/signing (`manage.py make_test_ca`, idempotent): the demo's results are sealed at
# issue and checked at /xac-thuc/. Test material without legal value; production configures real keys.
demo: migrate
	$(PY) manage.py load_demo --url http://$(HOST):$(PORT)

# The demo syncs for real (issue 9): a local simulator of the National Public Service Portal
# (SIM_PORT; it publishes the demo catalogue with the few differences of its sample payloads, for the
# catalogue review), the background worker (django-tasks: delivery runs woken by each change, calendar
# re-projection) and the relay loop (retries, forwarded dossiers every 30 s) run beside the web
# server, all stopped with it (Ctrl-C).
# Issue 11 adds two more peers on loopback: an OpenID Connect provider standing in for VNeID
# (OIDC_PORT; its test citizens are listed on the sign-in page) and a simulator of the PayGov
# payment platform (PAY_PORT) where the demo's fees are paid.
SIM_PORT ?= 8765
OIDC_PORT ?= 8766
PAY_PORT ?= 8767
DEMO_SYNC_ENV = MOTCUA_DVCQG_URL=http://127.0.0.1:$(SIM_PORT) MOTCUA_DVCQG_CLIENT_ID=motcua-demo \
	MOTCUA_DVCQG_CLIENT_SECRET=motcua-demo-secret MOTCUA_DVCQG_PROVINCE_CODE=000.00.00.H19 \
	MOTCUA_TASKS_BACKEND=database \
	MOTCUA_OIDC_ISSUER=http://127.0.0.1:$(OIDC_PORT) MOTCUA_OIDC_CLIENT_ID=motcua-demo \
	MOTCUA_OIDC_CLIENT_SECRET=motcua-demo-secret \
	MOTCUA_PAYGOV_URL=http://127.0.0.1:$(PAY_PORT) MOTCUA_PAYGOV_PARTNER=MOTCUA-DEMO \
	MOTCUA_PAYGOV_SECRET=motcua-paygov-secret

run: demo
	@trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py national_portal_sim --host 127.0.0.1 --port $(SIM_PORT) \
	  --base-catalog motcua/demo/data/procedures.json & \
	node tools/oidc-provider/server.js --host 127.0.0.1 --port $(OIDC_PORT) \
	  --client-id motcua-demo --client-secret motcua-demo-secret \
	  --redirect-uri http://$(HOST):$(PORT)/dang-nhap/vneid/ket-qua/ \
	  --redirect-uri http://localhost:$(PORT)/dang-nhap/vneid/ket-qua/ & \
	$(DEMO_SYNC_ENV) $(PY) manage.py payment_platform_sim --host 127.0.0.1 --port $(PAY_PORT) & \
	$(DEMO_SYNC_ENV) $(PY) manage.py worker --interval 0.5 & \
	$(DEMO_SYNC_ENV) $(PY) manage.py sync_national --pull-every 30 & \
	$(DEMO_SYNC_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

system-deps:
	@test -x /usr/bin/chromium -a -x /usr/bin/pdftotext -a -x /usr/bin/pdftoppm || { \
	  echo "Installing Debian packages chromium and poppler-utils (needs root)…"; \
	  apt-get install -y --no-install-recommends chromium poppler-utils >/dev/null || \
	  { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium poppler-utils >/dev/null; }; }

test: install system-deps
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

# Django's deployment checklist under the production settings, configured as an operator would
# (random keys; certifi's bundle stands in for the licensed CAs' roots): no warning may remain.
check-deploy: install
	DJANGO_SETTINGS_MODULE=motcua.settings \
	MOTCUA_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	MOTCUA_AUDIT_KEY="$$($(PY) -c 'import secrets; print(secrets.token_hex(32))')" \
	MOTCUA_ALLOWED_HOSTS=motcua.example.gov.vn \
	MOTCUA_SIGNATURE_TRUST_ROOTS="$$($(PY) -c 'import certifi; print(certifi.where())')" \
	$(PY) manage.py check --deploy --fail-level WARNING

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache db.sqlite3
