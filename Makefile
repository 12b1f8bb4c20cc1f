# Two commands on a fresh machine: `make run` (the product and its demo) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium
PARALLEL ?= -n 2 --dist loadfile
# Two pytest processes, a test module each at a time: a module's tests share its fixtures and
# run in order; each e2e module starts its own Temporal dev server, mock Sage and worker (free
# ports, its own files). `make test PARALLEL=` runs everything in one process.

.PHONY: run test test-fast lint format bench histories clean browser

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## Temporal dev server + UI (:8233), mock Sage, worker, and the demo
	$(PY) -m devtools.devstack

# The browser tests drive Debian's Chromium (Playwright and chromedriver, never a downloaded
# browser): installed with apt-get when missing (through sudo when not root).
browser:
	@if [ ! -x $(CHROMIUM) ] || ! command -v chromedriver >/dev/null 2>&1; then \
	    sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
	    if [ -n "$$sudo" ] && ! command -v sudo >/dev/null 2>&1; then \
	        echo "the browser tests need Chromium: as root, apt-get install -y chromium chromium-driver" >&2; \
	        exit 1; \
	    fi; \
	    echo "installing Debian's chromium and chromium-driver for the browser tests ..."; \
	    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null || { \
	        echo "could not install Chromium: apt-get install -y chromium chromium-driver" >&2; exit 1; }; \
	fi

test: $(STAMP) browser  ## lint, then every test: unit, workflow (time-skipping), replay, end-to-end, browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q $(PARALLEL)

test-fast: $(STAMP)  ## everything but the end-to-end suite
	$(PY) -m pytest -q -m "not e2e" $(PARALLEL)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)  ## the five benchmarks on a stack of their own (bench/README.md), under 10 min
	$(PY) -m bench

histories: $(STAMP)  ## record workflow histories for the replay tests
	$(PY) tests/record_histories.py

clean:
	rm -rf .data .pytest_cache .ruff_cache
