# Two commands do all set-up on a fresh machine:
#   make demo   creates .venv, installs the package with the durable-rules
#               engine, checks the bundled examples and prints the reports
#   make test   creates .venv if needed and runs the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[durable-rules,test,analysis]'
	touch $@

demo: $(BIN)/.installed
	@for f in examples/*.json; do \
	  echo "== $$f"; \
	  $(BIN)/samarbeid-rules check "$$f"; rc=$$?; \
	  if [ $$rc -gt 1 ]; then exit $$rc; fi; \
	done

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

bench: $(BIN)/.installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis
