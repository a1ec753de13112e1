# Two commands do all set-up on a fresh machine:
#   make demo   creates .venv, installs the package with the durable-rules
#               engine, checks the bundled examples and prints the reports
#   make test   creates .venv if needed and runs the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test fuzz test-versions bench serve openapi clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[durable-rules,test,analysis,polars,service,dask]'
	touch $@

# The timing stage compiled by mypyc in place (tools/compile_hot_path.py; docs/performance.md#the-compiled-timing-stage),
# built again whenever one of its sources changes. A source edited since the build runs as Python
# until then (never the stale build); SAMARBEID_PURE=1 runs the sources anyway.
HOT_SOURCES := $(wildcard src/samarbeid_rules/_pipeline/timing/*.py) src/samarbeid_rules/_pipeline/compiled.py tools/compile_hot_path.py
$(BIN)/.compiled: $(BIN)/.installed $(HOT_SOURCES)
	$(BIN)/python tools/compile_hot_path.py
	touch $@

# Exit code 1 means "breaches found": several examples contain deliberate
# breaches, so only codes above 1 (usage, bad input, engine) stop the demo.
demo: $(BIN)/.compiled
	@for f in examples/*.json; do \
	  echo "== $$f"; \
	  $(BIN)/samarbeid-rules check "$$f"; rc=$$?; \
	  if [ $$rc -gt 1 ]; then exit $$rc; fi; \
	done
	@for f in examples/institution/*.json; do \
	  echo "== $$f (institution records)"; \
	  $(BIN)/samarbeid-rules check-institution "$$f"; rc=$$?; \
	  if [ $$rc -gt 1 ]; then exit $$rc; fi; \
	done

test: $(BIN)/.compiled
	SAMARBEID_EXPECT_COMPILED=1 $(BIN)/python -m pytest -q

# A longer fuzzing run (minutes): the tests marked `long` (randomised mutated JSON through load and
# evaluate, 2000 more late/tied Monitor arrivals) and the schema/loader property tests with 20 times
# their examples. docs/robustness.md#fuzzing records the last result.
fuzz: $(BIN)/.installed
	SAMARBEID_FUZZ_SCALE=20 SAMARBEID_FUZZ_CASES=2000 $(BIN)/python -m pytest -q -p no:cacheprovider \
	  -o addopts="-ra" tests/test_fuzz.py tests/test_monitor_equivalence.py tests/test_schema_equivalence.py

# The suite on every supported CPython (3.11-3.14) found on PATH or under
# pyenv, each in its own virtual environment (.venv-3.X; the durable-rules
# extra only below 3.13). Prints what it found and ran; fails if it found
# fewer than two versions or the suite failed on one (tools/test_versions.sh).
test-versions:
	bash tools/test_versions.sh

# BENCH_ARGS=--quick: every part of bench/run.py at a small size (a smoke run, minutes); the figures
# in docs/performance.md are of a full run. Results: bench/results/latest.json.
BENCH_ARGS ?=
bench: $(BIN)/.compiled
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/stages.py
	$(BIN)/python bench/service.py

# The HTTP service on an embedded SQLite store (.serve/store.db) with the
# bundled examples loaded and a demo token (docs/service.md). The demo token
# is printed; it is for this machine's loopback only.
SERVE_DIR ?= .serve
SERVE_PORT ?= 8080
serve: $(BIN)/.compiled
	@mkdir -p $(SERVE_DIR)
	@$(BIN)/python examples/demo_token.py $(SERVE_DIR)
	$(BIN)/samarbeid-rules serve --store $(SERVE_DIR)/store.db --tokens $(SERVE_DIR)/tokens.yaml \
	  --port $(SERVE_PORT) --load-examples examples/*.json

# docs/openapi.json: the service's OpenAPI document, as served (a test fails while they differ)
openapi: $(BIN)/.installed
	$(BIN)/samarbeid-rules openapi > docs/openapi.json

clean:
	rm -rf $(VENV) .venv-3.* build dist .pytest_cache .hypothesis .serve
	find src -name '*.so' -delete; rm -f src/samarbeid_rules/_pipeline/compiled.cpython-*.json
