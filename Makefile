# Portail centres: `make run` for a local demo, `make test` for the whole suite (browser tests included).
# GNU make. Everything runs from the project's own virtualenv in .venv.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
REQS    := $(VENV)/requirements.txt
NODE_STAMP := node_modules/.installed
BOOT_PY := $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
# `make run PORT=8123`: the demo's port; the links in e-mails (SITE_URL) follow it unless SITE_URL is set.
PORT    ?= 8000

.PHONY: help venv install npm run test worker beat lint format bench load

help:
	@echo "make run     demo on http://127.0.0.1:8000 (PORT=8123 for another port; SQLite, eager tasks, console e-mail; prints the demo logins)"
	@echo "make test    whole test suite, browser tests included (ARGS='-k foo -x' to pass pytest options)"
	@echo "make worker  Celery worker (needs REDIS_URL)      make beat   Celery beat (needs REDIS_URL)"
	@echo "make lint    ruff check + ruff format --check      make venv   create/update .venv"
	@echo "make npm     the checkers of the browser tests (axe-core, vnu-jar) from package-lock.json into node_modules/"
	@echo "make bench   national-scale benchmark on its own PostgreSQL database (ARGS='--rebuild', see README)"
	@echo "make load    the load test alone (Locust, 100 centre users, D-2 closure during the load)"

venv install: $(STAMP)

$(PY):
	@test -n "$(BOOT_PY)" || { echo "python3.11 (or python3) is required" >&2; exit 1; }
	$(BOOT_PY) -m venv $(VENV)

# Reinstalls only when pyproject.toml is newer than the stamp. The dependency lists are read from
# pyproject.toml and installed directly: the project itself is never built or installed.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))' > $(REQS)
	$(PY) -m pip install -qq -r $(REQS)
	@touch $(STAMP)

# The browser tests' checkers (axe-core injected in every page, vnu-jar on the crawled HTML), pinned in
# package.json / package-lock.json. Reinstalls only when the lock file is newer than the stamp.
npm: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is required for the accessibility checks" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

# Local demo. Uses DATABASE_URL / REDIS_URL / EMAIL_URL only if you exported them.
run: export DEBUG := true
# The local demo opens the back office with a password only; production and the tests ask for a TOTP code.
run: export ADMIN_REQUIRE_OTP := $(or $(ADMIN_REQUIRE_OTP),false)
# Links in e-mails (password definition, messages, decisions) point at the server just started.
run: export SITE_URL := $(or $(SITE_URL),http://127.0.0.1:$(PORT))
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_data
	@echo "Portail sur http://127.0.0.1:$(PORT) (liens des e-mails : $(SITE_URL))"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Whole suite. PostgreSQL and Redis are used when DATABASE_URL / REDIS_URL are set (CI sets both).
test: export SECRET_KEY := $(or $(SECRET_KEY),test-only-key)
test: export SECURE_SSL_REDIRECT := false
test: export DJANGO_ALLOW_ASYNC_UNSAFE := true
test: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/pytest $(ARGS)

# National-scale benchmark (bench/): only ever on its own database, never on DATABASE_URL. Builds the
# dataset once (about two minutes), then measures pages over HTTP, closure, import, PDFs, concurrency.
bench: export DATABASE_URL := $(or $(BENCH_DATABASE_URL),postgres://postgres@127.0.0.1:5432/portail_bench)
bench: export REDIS_URL := $(or $(BENCH_REDIS_URL),redis://127.0.0.1:6379/15)
bench: export CELERY_TASK_ALWAYS_EAGER := false
bench: $(STAMP)
	$(PY) -m bench $(ARGS)

# The load test alone (Locust, 100 centre users, the D-2 closure in the middle): part of `make bench` too.
load: export DATABASE_URL := $(or $(BENCH_DATABASE_URL),postgres://postgres@127.0.0.1:5432/portail_bench)
load: export REDIS_URL := $(or $(BENCH_REDIS_URL),redis://127.0.0.1:6379/15)
load: export CELERY_TASK_ALWAYS_EAGER := false
load: $(STAMP)
	$(PY) -m bench --only load $(ARGS)

worker: $(STAMP)
	$(VENV)/bin/celery -A portail worker -l info

beat: $(STAMP)
	$(VENV)/bin/celery -A portail beat -l info

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
