# papertide: `make run` serves the bundled demo corpus; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
export PAPERTIDE_DATA_DIR ?= data
# pytest-xdist workers for `make test` (0: one process). They share one PostgreSQL cluster (tests/conftest.py).
TEST_WORKERS ?= 2

.PHONY: run test lint lint-imports bench clean browser train-retriever train-query-encoder

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
	$(VENV)/bin/ruff check papertide tests bench tools
	$(MAKE) lint-imports
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n $(TEST_WORKERS) --cov --cov-report=term-missing:skip-covered

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check papertide tests bench tools

lint-imports: $(VENV)/.dev-installed  ## the layer contracts in pyproject.toml [tool.importlinter]
	$(VENV)/bin/lint-imports

TRAIN_VENV ?= .venv-train
# Where pip finds torch's CPU wheel if your index does not carry it, e.g. PyTorch's CPU index.
TORCH_INDEX ?=
train-retriever:  ## fine-tune the search encoder on ../shared/data (CPU: about an hour for 12k pairs) -> build/retriever
	test -x $(TRAIN_VENV)/bin/python || python3 -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/pip install -q $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -r tools/retriever/requirements.txt
	$(TRAIN_VENV)/bin/python tools/retriever/train.py $(TRAIN_ARGS)

train-query-encoder: $(VENV)/.run-installed  ## fine-tune a query encoder against the served vectors -> build/retriever-query
	test -x $(TRAIN_VENV)/bin/python || python3 -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/pip install -q $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -r tools/retriever/requirements.txt
	$(PY) tools/retriever/mine_frozen.py $(MINE_ARGS)
	$(TRAIN_VENV)/bin/python tools/retriever/train_query.py $(TRAIN_ARGS)

clean:
	rm -rf $(VENV) data test-output .pytest_cache .coverage .coverage.*
