# MotCua — set-up and everyday commands. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint bench migrate demo clean lock system-deps

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
	$(PY) manage.py load_demo

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

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache db.sqlite3
