# The two commands of the README: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

## demo: simulate the Kim Thành OCOP 2027 cycle on a fresh embedded database (./demo-data)
demo: $(STAMP)
	rm -rf demo-data
	AGENCYFLOW_DATA_DIR=$(CURDIR)/demo-data $(BIN)/agencyflow demo

## lint: ruff, the import contracts (the domain imports nothing from outside), mypy on src/
lint: $(STAMP)
	$(BIN)/ruff check --no-cache src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy src

## test: lint, then the whole suite (SQLite, PostgreSQL, real sinks, real Prefect)
test: $(STAMP) lint
	$(BIN)/pytest -q

## bench: national-scale benchmark; figures go to bench/RESULTS.md
bench: $(STAMP)
	$(BIN)/python -m bench.run --write bench/RESULTS.md

clean:
	rm -rf $(VENV) demo-data .pytest_cache .ruff_cache
