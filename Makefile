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
$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==0.13.9"
	$(BIN)/uv pip install --quiet --python $(PY) -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(PY) --no-deps -e .
	touch $(STAMP)

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo --url http://$(HOST):$(PORT)

# The demo syncs for real (issue 9): a local simulator of the National Public Service Portal
# (SIM_PORT; it publishes the demo catalogue with the few differences of its sample payloads, for the
# catalogue review), the background worker (django-tasks: delivery runs woken by each change, calendar
# re-projection) and the relay loop (retries, forwarded dossiers every 30 s) run beside the web
# server, all stopped with it (Ctrl-C).
SIM_PORT ?= 8765
DEMO_SYNC_ENV = MOTCUA_DVCQG_URL=http://127.0.0.1:$(SIM_PORT) MOTCUA_DVCQG_CLIENT_ID=motcua-demo \
	MOTCUA_DVCQG_CLIENT_SECRET=motcua-demo-secret MOTCUA_DVCQG_PROVINCE_CODE=000.00.00.H19 \
	MOTCUA_TASKS_BACKEND=database

run: demo
	@trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py national_portal_sim --host 127.0.0.1 --port $(SIM_PORT) \
	  --base-catalog motcua/demo/data/procedures.json & \
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
