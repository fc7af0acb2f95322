# Two commands do all the set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test serve bench venv clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP) requirements-test.lock
	$(BIN)/pip install --quiet --no-deps -r requirements-test.lock
	touch $(TEST_STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/akhbar run

serve: $(STAMP)
	$(BIN)/akhbar serve $(ARGS)

# Benchmarks are not part of `make test`: they need ../shared and take minutes (~20 on 2 cores).
# Figures and how to read them: bench/RESULTS.md.
bench: $(STAMP)
	$(BIN)/python bench/pipeline_bench.py $(ARGS)
	$(BIN)/python bench/pipeline_bench.py --corpus ../shared/data/corpus/saudinewsnet $(ARGS)
	$(BIN)/python bench/scale_bench.py memory
	$(BIN)/python bench/scale_bench.py workers --limit 4000
	$(BIN)/python bench/readers_during_load.py
	$(BIN)/python bench/quote_cost_bench.py --rounds 1

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) warehouse/*.duckdb warehouse/*.wal warehouse/staging
