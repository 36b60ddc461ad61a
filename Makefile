# Anchang: every set-up step lives here. `make run` serves the demo; `make test` passes the suite.
SHELL := /bin/bash
# Debian's own python3 is built with profile-guided and link-time optimisation; one compiled
# without them (pyenv's default build) runs the server ~15 % slower (docs/operations.md).
# Prefer it when it is 3.11+ and can make a venv (python3-venv).
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, ensurepip; assert sys.version_info >= (3, 11)' 2>/dev/null && echo /usr/bin/python3 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP_VENV := $(VENV)/.stamp-deps
STAMP_ASSETS := anchang/static/vendor/.stamp
PO_FILES := $(wildcard anchang/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
APT_ENV := DEBIAN_FRONTEND=noninteractive

.PHONY: run test lint format setup system-deps test-sqlite test-postgres e2e bench clean messages makemessages reliability load

run: setup ## Set up, migrate, load demo data once, serve on http://127.0.0.1:8000
	$(BIN)/anchang migrate --no-input -v0
	$(BIN)/anchang demo --if-empty
	@echo "Open http://127.0.0.1:8000/ and log in with one of the users above."
	$(BIN)/anchang serve

setup: $(STAMP_VENV) $(STAMP_ASSETS) $(MO_FILES)

# The two runs go side by side: a core one of them leaves idle (while it starts, waits on a
# subprocess or a browser, or finishes its last long tests) the other uses. Each run's
# output is printed whole when it ends.
test: setup system-deps lint ## Lint, then the whole suite on SQLite and on PostgreSQL
	$(BIN)/anchang makemigrations --check --dry-run -v1
	$(MAKE) -j2 --output-sync=target test-sqlite test-postgres

# Each run spreads the suite over every core (pytest-xdist): one worker process a core, each
# with its own test database (test-anchang.sqlite3_gw0, test_anchang_gw0, ...). TEST_WORKERS=0
# runs it in this one process. `--dist load` hands out tests by position: the schema
# fuzzer's tests share one node id, which the by-name modes (loadgroup, loadfile) would
# fold into one test.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist load

test-sqlite:
	$(PYTEST) -m "not postgres_only"

reliability: setup system-deps ## The leak, loss and crash checks at full size, as one scoreboard (docs/reliability.md)
	$(BIN)/python scripts/reliability.py

load: setup ## The real server under a mixed consultant workload stepped up to the knee, and a grand-opening surge (docs/performance.md)
	$(BIN)/python scripts/load.py

# The PostgreSQL run repeats the tests that reach the database (a test pytest-django gives
# no database access answers the same on both); browser journeys and tests of the embedded
# SQLite mode itself (serve, backup) run once, in the SQLite run. One throwaway
# server for the run; the workers each create their database on it.
test-postgres:
	@if $(BIN)/python -c "import sys; sys.path.insert(0,'scripts'); import throwaway_postgres as t; sys.exit(0 if t.find_bindir() else 1)"; then \
		$(BIN)/python scripts/throwaway_postgres.py -- $(PYTEST) -m "not e2e and not sqlite_only" --database-tests-only; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL is required under CI but missing"; exit 1; \
	else echo "PostgreSQL binaries not found: skipping the PostgreSQL run (CI installs them)."; fi

lint: $(STAMP_VENV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP_VENV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

$(STAMP_VENV): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e ".[test]"
	touch $@

# Front-end assets come from the npm registry, pinned by package-lock.json, and are
# copied into the static folder: nothing is loaded from a CDN at run time.
$(STAMP_ASSETS): package.json package-lock.json
	@command -v npm >/dev/null || { [ "$$CI" = "true" ] || [ "$$(id -u)" = 0 ] && apt-get update -qq && $(APT_ENV) apt-get install -y -qq nodejs npm; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p anchang/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js \
	   node_modules/bootstrap/dist/css/bootstrap.min.css \
	   node_modules/bootstrap/dist/css/bootstrap.min.css.map \
	   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js \
	   node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
	   node_modules/echarts/dist/echarts.min.js anchang/static/vendor/
	touch $@

%.mo: %.po $(STAMP_VENV)
	$(BIN)/pybabel compile -i $< -o $@ --use-fuzzy

messages: $(MO_FILES)

# Python (Django's gettext names) and the Jinja2 pages, by pybabel (babel.cfg); then new
# strings need a translation: tests/system/test_i18n.py and tests/templates/test_jinja2env.py fail until
# each has one.
BABEL_KEYWORDS = -k gettext_lazy -k ngettext_lazy:1,2 -k pgettext_lazy:1c,2 \
	-k npgettext_lazy:1c,2,3 -k gettext_noop
makemessages: $(STAMP_VENV)
	mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output \
	  -o var/django.pot .
	$(BIN)/pybabel update -i var/django.pot -d anchang/locale -D django -l zh_Hans \
	  --ignore-obsolete --no-fuzzy-matching

# Under CI nothing may be skipped: install what the browser and PostgreSQL runs need (nginx:
# the reverse proxy of the two-server test).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || missing="$$missing fonts-wqy-microhei"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing="$$missing nginx-light"; \
	if [ -n "$$missing" ]; then \
		if [ "$$CI" = "true" ] || [ "$$ANCHANG_INSTALL_SYSTEM_DEPS" = "1" ]; then \
			echo "Installing:$$missing"; apt-get update -qq && $(APT_ENV) apt-get install -y -qq $$missing >/dev/null; \
		else echo "Missing system packages:$$missing (browser/PostgreSQL tests will be skipped; CI installs them)"; fi; \
	fi

bench: setup
	$(BIN)/python -m bench --db both

clean:
	rm -rf $(VENV) node_modules anchang/static/vendor var .pytest_cache .ruff_cache
