# The two commands: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Where `make run` keeps SQLite, the filesystem broker, the cache and beat's schedule
# (the settings and scripts/run-dev.sh read THROUGHLINE_RUN_DIR with the same default).
RUN_DIR := $(or $(THROUGHLINE_RUN_DIR),.run)
# Two pytest-xdist workers (each gets its own test database): the suite spends much
# of its time waiting on subprocesses, chromium and PostgreSQL (README, "Tests").
PYTEST_ARGS ?= -n 2 --dist worksteal
INSTALLED := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)

.PHONY: run test gates install migrate seed lint bench lock clean

$(INSTALLED): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Throughline needs Python 3.11 or newer (set PYTHON=python3.x)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(INSTALLED)

# Migrations run as the owner role (DATABASE_OWNER_URL) when one is given;
# the app itself connects with DATABASE_URL.
migrate: install
	@mkdir -p "$(RUN_DIR)"
	@if [ -n "$$DATABASE_OWNER_URL" ]; then \
		DATABASE_URL="$$DATABASE_OWNER_URL" $(BIN)/python manage.py migrate --noinput; \
	else \
		$(BIN)/python manage.py migrate --noinput; \
	fi

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	scripts/run-dev.sh

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Issue 8's gates alone: translation completeness, the Spanish catalogue, pages rendered in Spanish,
# and the all-pages accessibility and phone-width walk (tests/gates/; also part of `make test`).
gates: install
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests/gates

lint: install
	$(BIN)/ruff check .

# Benchmarks build their own throwaway database (BENCH_DATABASE_URL for PostgreSQL).
bench: install
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# Regenerate the lock files after changing pyproject.toml.
lock: install
	$(BIN)/pip-compile --quiet --allow-unsafe --generate-hashes --extra dev --strip-extras -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --allow-unsafe --generate-hashes --strip-extras -o requirements-prod.lock pyproject.toml

clean:
	rm -rf .run staticfiles
