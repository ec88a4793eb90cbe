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
	@# The register answers no anonymous caller: a token for Haven (look people up, register births) and
	@# one for the linkage job (the extract), new at each start, written to files only their owner reads.
	$(BIN)/haven popreg client add haven --scopes lookup,register --replace --days 30 \
	  --database var/popreg.sqlite3 --token-file var/secrets/popreg-haven.token
	$(BIN)/haven popreg client add linkage --scopes extract --replace --days 30 \
	  --database var/popreg.sqlite3 --token-file var/secrets/popreg-linkage.token
	@echo "Haven is serving on http://$(HOST)/ — sign in with one of the logins above. Ctrl-C stops it."
	@echo "It is served by gunicorn, as in production (docs/runbooks/deploy.md); its log follows."
	@echo "Background: the deadline sweep every 30 s (var/sweep.log), the task worker (var/worker.log) and"
	@echo "the population register service on http://127.0.0.1:$(POPREG_PORT)/ (var/popreg.log)."
	@trap 'kill $$worker $$sweeper $$popreg 2>/dev/null' EXIT INT TERM; \
	  export DJANGO_DEBUG=0; \
	  export HAVEN_POPULATION_REGISTER=haven.population.client.HttpRegister; \
	  export HAVEN_POPULATION_REGISTER_URL=http://127.0.0.1:$(POPREG_PORT); \
	  export HAVEN_POPULATION_REGISTER_TOKEN_FILE=$(CURDIR)/var/secrets/popreg-haven.token; \
	  $(BIN)/haven popreg serve --port $(POPREG_PORT) --database var/popreg.sqlite3 > var/popreg.log 2>&1 & popreg=$$!; \
	  $(BIN)/haven db_worker --queue-name '*' > var/worker.log 2>&1 & worker=$$!; \
	  $(BIN)/haven sweep --loop 30 > var/sweep.log 2>&1 & sweeper=$$!; \
	  HAVEN_WEB_WORKERS=2 HAVEN_WEB_THREADS=4 $(BIN)/gunicorn -c config/gunicorn.conf.py --bind $(HOST) config.wsgi

test: $(VENV)/.dev lint check-migrations check-catalogue test-sqlite test-postgres test-browser

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-migrations: $(VENV)/.dev
	$(BIN)/haven makemigrations --check --dry-run

check-catalogue: $(VENV)/.dev
	$(BIN)/haven catalogue check

# The suite runs in as many processes as the machine has cores (pytest-xdist); browser journeys run
# one at a time, each with its own server.
JOBS ?= $(shell nproc)

test-sqlite: $(VENV)/.dev
	$(BIN)/pytest -q -n $(JOBS)

test-postgres: $(VENV)/.dev
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n $(JOBS)

test-browser: $(VENV)/.dev
	$(BIN)/pytest -q e2e

openapi: $(VENV)/.dev
	$(BIN)/haven openapi --output docs/openapi.json

catalogue: $(VENV)/.dev
	$(BIN)/haven catalogue update

clean:
	rm -rf $(VENV) var
