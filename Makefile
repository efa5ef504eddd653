# civbio — the two commands: `make run` and `make test`. Everything else is what they stand on.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := $(shell sed -n 's/.*"uv==\([0-9.]*\)".*/\1/p' pyproject.toml)
HOST ?= 127.0.0.1
PORT ?= 8000
# `make test REQUIRE_SERVICES=1` (what CI runs) fails when PostgreSQL, Redis or Chromium is missing.
REQUIRE_SERVICES ?= 0
# The whole suite runs in pytest-xdist workers, one per core; a worker that runs out of tests takes
# some of the other's (worksteal: one long file no longer holds up the end of the run; a
# module-scoped world is built in each worker that runs its tests, a second or so). With
# PYTEST_ARGS (a file, -k) in one process, which starts sooner. PYTEST_XDIST=2 (or auto) or =0
# says otherwise.
PYTEST_XDIST ?= $(if $(PYTEST_ARGS),0,auto)
XDIST_ARGS := $(if $(filter-out 0,$(PYTEST_XDIST)),-n $(PYTEST_XDIST) --dist worksteal)
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

.PHONY: help install run test check audit lint format messages translations bench backup restore clean

help:
	@echo "make run    set up, load the consortium and demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test   set up and run the whole test suite"
	@echo "make check  ruff, import contract, mypy, migrations check and the production deploy check"
	@echo "make audit  known vulnerabilities in the locked dependencies (pip-audit, OSV)"
	@echo "make bench  ×1, ×10 and ×100 the consortium on PostgreSQL: bench/results.md"
	@echo "make backup the database and the uploads into backups/ (BACKUP_DIR to change)"
	@echo "make restore FILE=backups/civbio-…  put a backup back (asks first)"

$(PY):
	@python=$$(bin/find-python) && echo "Creating $(VENV) with $$python" && "$$python" -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Installs exactly what uv.lock says; skipped entirely while the lock is unchanged.
$(VENV)/.installed: uv.lock pyproject.toml | $(PY)
	@$(UV) sync --frozen --all-groups --python $(PY) --quiet
	@touch $@

install: $(VENV)/.installed translations .env

# Development settings for manage.py in this checkout; real environment variables win.
.env:
	@printf '# Development settings (see README). Not used in production.\nDEBUG=1\n' > .env

translations: $(VENV)/.installed
	@DEBUG=1 $(PY) manage.py compile_translations

run: install
	@DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	@DEBUG=$${DEBUG:-1} $(PY) manage.py load_consortium
	@DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo
	@DEBUG=$${DEBUG:-1} HOST=$(HOST) PORT=$(PORT) bin/serve-dev

test: install
	@REQUIRE_SERVICES=$(REQUIRE_SERVICES) bin/ensure-chromium
	@services=$$(REQUIRE_SERVICES=$(REQUIRE_SERVICES) $(PY) bin/test-services) || exit 1; \
		set -a; eval "$$services"; set +a; $(VENV)/bin/pytest $(XDIST_ARGS) $(PYTEST_ARGS)

# Known vulnerabilities in the locked dependencies (pip-audit against OSV); says NOT CHECKED when
# the advisory service cannot be reached. AUDIT_REQUIRED=1 makes that an error.
audit: install
	@bin/audit-deps

# The benchmark on PostgreSQL (BENCH_DATABASE_URL, its own database) and Redis; see bench/run.py.
# BENCH_SCALES=1,10 to leave out ×100, BENCH_SECONDS per page (default 10).
bench: install
	@bin/ensure-wrk
	@$(PY) -m bench.run $(BENCH_ARGS)

backup: install
	@$(PY) manage.py backup --to $${BACKUP_DIR:-backups}

restore: install
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/civbio-YYYYMMDD-HHMMSS"; exit 2; }
	@$(PY) manage.py restore "$(FILE)"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: lint
	$(VENV)/bin/lint-imports
	DEBUG=1 $(VENV)/bin/mypy
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ALLOWED_HOSTS=civbio.example.nl SITE_URL=https://civbio.example.nl REDIS_URL=redis://127.0.0.1:6379/0 \
		$(PY) manage.py check --deploy --fail-level WARNING

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Extract translatable strings into locale/nl (needs GNU gettext's xgettext).
messages: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemessages --locale nl --no-obsolete --ignore ".venv/*" --ignore "tests/*"

clean:
	rm -rf $(VENV) staticfiles test-output
