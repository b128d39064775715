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

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

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
