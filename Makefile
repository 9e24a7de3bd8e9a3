# League Badge: the two commands are `make run` and `make test` (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMPS := $(VENV)/.stamps

# System libraries WeasyPrint needs (also in Aptfile for the platform build).
# Noto fonts let cards print names in any script (Latin, Greek, Cyrillic, Arabic, CJK...).
APT_RUNTIME := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core fonts-noto-cjk
# Browser tests drive Debian's Chromium; card render tests rasterise PDFs (poppler) and decode QR codes (zbar).
APT_TEST := chromium chromium-driver poppler-utils zbar-tools

.PHONY: help setup setup-test run worker test test-pg lint bench clean

help:
	@echo "make run      set up everything and serve the portal with demo data on http://127.0.0.1:$${PORT:-5000}"
	@echo "make test     set up everything and run the whole test suite"
	@echo "make test-pg  the suite against PostgreSQL and Redis (TEST_DATABASE_URL / TEST_REDIS_URL)"
	@echo "make lint     ruff"

$(STAMPS)/venv:
	$(PYTHON) -m venv $(VENV)
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/python: pyproject.toml | $(STAMPS)/venv
	$(BIN)/pip install --quiet -e .
	@touch $@

$(STAMPS)/python-test: pyproject.toml $(STAMPS)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)/venv
	npm ci --no-audit --no-fund
	@touch $@

$(STAMPS)/apt: Makefile scripts/apt-ensure | $(STAMPS)/venv
	scripts/apt-ensure $(APT_RUNTIME)
	@touch $@

$(STAMPS)/apt-test: Makefile scripts/apt-ensure | $(STAMPS)/venv
	scripts/apt-ensure $(APT_RUNTIME) $(APT_TEST)
	@touch $@

setup: $(STAMPS)/apt $(STAMPS)/python $(STAMPS)/npm

setup-test: $(STAMPS)/apt-test $(STAMPS)/python-test $(STAMPS)/npm

# The demo's first cards and mail are made while seeding: they link to where the
# portal runs (bin/dev gives the worker the same BASE_URL).
run: setup
	$(FLASK) db upgrade
	BASE_URL=$${BASE_URL:-http://127.0.0.1:$${PORT:-5000}} $(FLASK) demo seed --if-empty
	exec bin/dev

worker: setup
	$(BIN)/huey_consumer portal.worker.huey --workers 2 --worker-type thread

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup-test
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

test-pg: setup-test
	scripts/require-services
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/leaguebadge_test} \
	TEST_REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	$(BIN)/pytest $(PYTEST_ARGS)

bench: setup-test
	@for script in bench/*.py; do [ "$$script" = bench/common.py ] || $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .ruff_cache *.egg-info
