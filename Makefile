# Two entry points for a fresh machine with only python3:
#   make demo   set up .venv and run the weekly flow on the demo group in data/raw
#   make test   set up .venv (and headless Chromium) and run lint + the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# apt-get needs root; use sudo when we are not root.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install demo test lint format browser bench bench-small bench-smoke bench-groups clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/asklab run

# Debian's chromium for the browser tests (never a browser download of a tool's own).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(STAMP) browser lint
	ASKLAB_REQUIRE_BROWSER=1 $(BIN)/pytest

# 1M then 4M calls (and as many events), through the Prefect flow, then the
# small group (`asklab run` on data/raw, with and without a server); about 6 min.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --calls 1000000 --calls 4000000
	$(BIN)/python -m benchmarks.small

# The small group alone: the demo group through `asklab run`; about 3 min.
bench-small: $(STAMP)
	$(BIN)/python -m benchmarks.small

# 200 groups x 5,000 calls (1M calls): serially, then on a LocalCluster of one
# worker per CPU; prints the table of docs/performance.md ("Many groups").
bench-groups: $(STAMP)
	$(BIN)/python -m benchmarks.groups --groups 200 --calls 5000

bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks.run --calls 2000 --smoke

clean:
	rm -rf $(VENV) .prefect .pytest_cache .ruff_cache reports/*/ reports/index.html data/*.duckdb*
