# Jiamenkou: `make demo` serves the demo site, `make test` runs every check.
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install install-test demo serve migrate test lint format chromium screenshots clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed ## Create .venv and install the site

install-test: $(VENV)/.installed-test ## Install the site with its test tools

migrate: install ## Apply database migrations
	$(MANAGE) migrate --noinput

demo: migrate ## Install, migrate, load the demo district and serve it
	$(MANAGE) load_demo
	@echo "网站：http://$(HOST):$(PORT)/    管理后台：http://$(HOST):$(PORT)/admin/"
	$(MANAGE) runserver $(HOST):$(PORT)

serve: migrate ## Serve without reloading the demo
	$(MANAGE) runserver $(HOST):$(PORT)

lint: install-test ## ruff lint and format check, Django checks, no missing migrations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=jiamenkou.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=jiamenkou.settings.test $(MANAGE) makemigrations --check --dry-run

format: install-test ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

chromium: ## Install Debian's chromium and a Chinese font for the browser tests (root only)
	@scripts/ensure-chromium

screenshots: install-test chromium ## PNGs of every page type, 360/1366 px, both modes, in var/screenshots/
	$(BIN)/python scripts/screenshots.py

test: install-test chromium lint ## Lint, then the tests on SQLite and (when reachable) PostgreSQL at once
	$(BIN)/python scripts/test_all.py

clean: ## Remove the venv, the local database and media
	rm -rf $(VENV) var
