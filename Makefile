# papertide: `make run` serves the bundled demo corpus; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
export PAPERTIDE_DATA_DIR ?= data
# pytest-xdist workers for `make test` (0: one process). They share one PostgreSQL cluster (tests/conftest.py).
TEST_WORKERS ?= 2

.PHONY: run test lint lint-imports bench clean browser

$(VENV)/.run-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[dev]'
	touch $(VENV)/.run-installed $@

run: $(VENV)/.run-installed  ## serve the site on the demo corpus at http://127.0.0.1:8000
	$(VENV)/bin/papertide demo
	$(VENV)/bin/papertide serve

browser:  ## install Debian's chromium for the browser tests when we can (root + apt)
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium for the browser tests (apt-get)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "could not install chromium; browser tests will report why"; \
	else echo "chromium missing and not root: browser tests will be skipped (they fail under CI=true)"; fi

test: $(VENV)/.dev-installed browser  ## install test needs, lint, check layers and types, run every test with coverage
	$(VENV)/bin/ruff check papertide tests bench
	$(MAKE) lint-imports
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n $(TEST_WORKERS) --cov --cov-report=term-missing:skip-covered

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check papertide tests bench

lint-imports: $(VENV)/.dev-installed  ## the layer contracts in pyproject.toml [tool.importlinter]
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) data test-output .pytest_cache .coverage .coverage.*
