# Haven: two commands on a fresh machine — `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
DEMO_SIZE ?= 300
HOST ?= 127.0.0.1:8000
POPREG_SIZE ?= 20000
POPREG_PORT ?= 8765

.PHONY: demo test lint check-migrations check-catalogue test-sqlite test-postgres test-browser openapi catalogue clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

demo: $(VENV)/.runtime
	mkdir -p var
	$(BIN)/haven migrate --noinput
	$(BIN)/haven synth --size $(DEMO_SIZE) --if-empty --logins
	$(BIN)/haven synth population --size $(POPREG_SIZE) --database var/popreg.sqlite3 --if-empty
	@echo "Haven is serving on http://$(HOST)/ — sign in with one of the logins above. Ctrl-C stops it."
	@echo "Background: the deadline sweep every 30 s (var/sweep.log), the task worker (var/worker.log) and"
	@echo "the population register service on http://127.0.0.1:$(POPREG_PORT)/ (var/popreg.log)."
	@trap 'kill $$worker $$sweeper $$popreg 2>/dev/null' EXIT INT TERM; \
	  export HAVEN_POPULATION_REGISTER=haven.population.client.HttpRegister; \
	  export HAVEN_POPULATION_REGISTER_URL=http://127.0.0.1:$(POPREG_PORT); \
	  $(BIN)/haven popreg serve --port $(POPREG_PORT) --database var/popreg.sqlite3 > var/popreg.log 2>&1 & popreg=$$!; \
	  $(BIN)/haven db_worker --queue-name '*' > var/worker.log 2>&1 & worker=$$!; \
	  $(BIN)/haven sweep --loop 30 > var/sweep.log 2>&1 & sweeper=$$!; \
	  $(BIN)/haven runserver $(HOST) --noreload

test: $(VENV)/.dev lint check-migrations check-catalogue test-sqlite test-postgres test-browser

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-migrations: $(VENV)/.dev
	$(BIN)/haven makemigrations --check --dry-run

check-catalogue: $(VENV)/.dev
	$(BIN)/haven catalogue check

test-sqlite: $(VENV)/.dev
	$(BIN)/pytest -q

test-postgres: $(VENV)/.dev
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q

test-browser: $(VENV)/.dev
	$(BIN)/pytest -q e2e

openapi: $(VENV)/.dev
	$(BIN)/haven openapi --output docs/openapi.json

catalogue: $(VENV)/.dev
	$(BIN)/haven catalogue update

clean:
	rm -rf $(VENV) var
