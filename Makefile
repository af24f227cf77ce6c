# The two commands of the README: `make demo` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test lint bench fuzz clean extract update compile

# Translations (see src/agencyflow/i18n.py and README "Languages"): one catalog per domain,
# src/agencyflow/locale/<lang>/LC_MESSAGES/<domain>.po; a domain's messages are extracted from
# its source folders or files below (missing ones are skipped), read as babel.cfg says (or the
# domain's I18N_CFG_<domain>). Add a domain: a line here and an empty .po file (copy the header
# of cli.po).
LOCALE       := src/agencyflow/locale
I18N_DOMAINS := cli errors web api reports messages plans amend help
I18N_LANGS   := vi
I18N_SOURCES_cli      := src/agencyflow/cli src/agencyflow/demo
I18N_SOURCES_errors   := src/agencyflow
I18N_IGNORE_errors    := cli demo web reports notifications products
I18N_SOURCES_web      := src/agencyflow/web
I18N_IGNORE_web       := api
I18N_SOURCES_api      := src/agencyflow/web/api
I18N_SOURCES_reports  := src/agencyflow/services/reports
I18N_SOURCES_messages := src/agencyflow/notifications
I18N_SOURCES_amend    := src/agencyflow/domain/plan_words.py src/agencyflow/domain/successors.py src/agencyflow/services/plans/diff.py src/agencyflow/services/cycles/migrate.py src/agencyflow/services/cycles/migrate_apply.py src/agencyflow/services/cycles/migrate_report.py src/agencyflow/services/plans/successors.py src/agencyflow/cli/amend_cmds.py src/agencyflow/demo/reorganisation.py
I18N_SOURCES_plans    := src/agencyflow/services/products
# help: the CLI's help texts (docstrings, help=, the command table), by agencyflow.cli.help_extract
I18N_SOURCES_help     := src/agencyflow/cli
I18N_CFG_help         := babel-help.cfg
PO_FILES := $(wildcard $(LOCALE)/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@
	$(MAKE) --no-print-directory compile

## extract: the messages of each domain's sources into build/locale/<domain>.pot
extract: $(STAMP)
	mkdir -p build/locale
	$(foreach d,$(I18N_DOMAINS),$(if $(wildcard $(I18N_SOURCES_$(d))),\
	  $(BIN)/pybabel -q extract -F $(or $(I18N_CFG_$(d)),babel.cfg) --no-location --sort-by-file \
	    --ignore-dirs='.* ._ __pycache__ $(I18N_IGNORE_$(d))' \
	    --project=agencyflow --version=0.1.0 --msgid-bugs-address='' \
	    -o build/locale/$(d).pot $(wildcard $(I18N_SOURCES_$(d)));))

## update: extract, then merge the new messages into every catalog (then translate them)
update: extract
	$(foreach d,$(I18N_DOMAINS),$(if $(wildcard build/locale/$(d).pot),$(foreach l,$(I18N_LANGS),\
	  $(BIN)/pybabel -q update -D $(d) -l $(l) -i build/locale/$(d).pot -d $(LOCALE) \
	    --no-wrap --ignore-obsolete --ignore-pot-creation-date --init-missing;)))

## compile: the .mo beside each .po (not committed; the runtime reads a stale or missing one's .po)
compile: $(MO_FILES)

$(LOCALE)/%.mo: $(LOCALE)/%.po | $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

## demo: simulate the Kim Thành OCOP 2027 cycle on a fresh embedded database (./demo-data)
demo: $(STAMP) compile
	rm -rf demo-data
	AGENCYFLOW_DATA_DIR=$(CURDIR)/demo-data $(BIN)/agencyflow demo

## lint: ruff, the import contracts (the domain imports nothing from outside), mypy on src/
lint: $(STAMP)
	$(BIN)/ruff check --no-cache src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy src

## test: lint, then the whole suite (SQLite, PostgreSQL, real sinks, real Prefect)
## test: the whole suite on TEST_WORKERS processes (a file stays in one process: its tests keep their order)
TEST_WORKERS ?= 2
test: $(STAMP) compile lint
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

## fuzz: load 10,000 mutants of the bundled plan under resource limits; report crashes and hangs
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz_plan --mutants 10000 --workers 2

## bench: national-scale benchmark; figures go to bench/RESULTS.md (ONLY=core, coldstart, web, reports,
## dispatch or scale: that section alone, the rest of the file kept)
bench: $(STAMP)
	$(BIN)/python -m bench.run --write bench/RESULTS.md $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf $(VENV) demo-data .pytest_cache .ruff_cache
