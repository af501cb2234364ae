# Everything a fresh machine needs: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: install run serve test lint format bench translations clean

install: $(STAMP)
	$(BIN)/pybabel -q compile -d surveyapp/translations -D messages

# axe-core, for the accessibility tests only (package-lock.json pins it).
node_modules/axe-core: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	@echo
	@echo "  surveyapp is running: open http://$(HOST):$(PORT)/"
	@echo "  Managers sign in at  http://$(HOST):$(PORT)/quan-ly/dang-nhap (demo logins above)"
	@echo "  A counter's survey:   $(BIN)/flask counters list   then   $(BIN)/flask counters url CODE"
	@echo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# The production stack on this machine: gunicorn (gunicorn.conf.py) on PostgreSQL
# and Redis. Creates the database if missing, migrates, loads the questionnaires.
# Every variable below can be overridden: `make serve DATABASE_URL=...`.
SERVE_PORT ?= 8000
serve: export SURVEYAPP_CONFIG ?= production
serve: export DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/surveyapp
serve: export REDIS_URL ?= redis://127.0.0.1:6379/0
serve: export PUBLIC_BASE_URL ?= http://$(HOST):$(SERVE_PORT)
serve: export GUNICORN_BIND ?= $(HOST):$(SERVE_PORT)
serve: install
	@set -e; \
	if [ -z "$$SECRET_KEY" ] && [ ! -s instance/secret_key ]; then \
	  mkdir -p instance; (umask 077; $(BIN)/python -c \
	    'import secrets; print(secrets.token_hex(32))' > instance/secret_key); \
	fi; \
	export SECRET_KEY="$${SECRET_KEY:-$$(cat instance/secret_key)}"; \
	url=$$(echo "$$DATABASE_URL" | sed 's/+psycopg//'); \
	name=$${url##*/}; name=$${name%%\?*}; \
	psql "$$url" -qc 'select 1' >/dev/null 2>&1 || { \
	  echo "Creating the database $$name"; \
	  createdb --maintenance-db="$${url%/*}/postgres" "$$name"; }; \
	$(BIN)/flask db upgrade; \
	$(BIN)/flask questionnaires load; \
	echo "surveyapp (production settings) on http://$$GUNICORN_BIND/"; \
	exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: install node_modules/axe-core
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python benchmarks/bench_scoring.py

translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o surveyapp/translations/messages.pot .
	$(BIN)/pybabel update -i surveyapp/translations/messages.pot -d surveyapp/translations

clean:
	rm -rf $(VENV) node_modules instance/*.sqlite3 .pytest_cache .mypy_cache .ruff_cache
