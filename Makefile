# Plaza — `make run` serves the demo site, `make test` runs the whole suite.
# Everything the project needs is installed from here; nothing by hand.

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The first Python >= 3.11 on PATH (override with `make PYTHON=python3.12 ...`).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
# The services leg: PostgreSQL and Redis as they run on every developer and CI machine.
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/plaza
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/0
# Two workers: CI machines have two cores; the suite is mostly waiting on the database and browser.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: run test test-services test-host lint install install-dev translations demo browser services-check clean

$(VENV)/bin/python:
	@test -n "$(PYTHON)" || { echo "Plaza needs Python >= 3.11 on PATH (python3.11, python3.12, python3.13)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations: install
	$(PY) manage.py compile_translations

demo: install translations
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py seed_demo

# daphne and the task worker together (scripts/run_dev.py); links in emails follow HOST:PORT.
run: demo
	@echo "Plaza is serving on http://$(HOST):$(PORT)/ (SQLite, in-memory channel layer), with its task worker. Ctrl-C stops both."
	@HOST=$(HOST) PORT=$(PORT) VENV=$(VENV) $(PY) scripts/run_dev.py

browser: install-dev
	@bash scripts/ensure-chromium.sh

test: install-dev translations browser
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

services-check: install
	$(PY) scripts/check_services.py "$(SERVICES_DATABASE_URL)" "$(SERVICES_REDIS_URL)"

test-services: install-dev translations browser services-check
	DATABASE_URL="$(SERVICES_DATABASE_URL)" REDIS_URL="$(SERVICES_REDIS_URL)" $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Plaza as a plugin: the wheel in a stock `wagtail start` site, core and all apps (README).
test-host: install translations
	$(PY) scripts/host_site_check.py

# Lint findings and formatter drift both fail; `ruff format .` fixes the latter.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) var
