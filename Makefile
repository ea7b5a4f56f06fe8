# paperdigest: the two set-up commands of the README, and a few helpers.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test check serve lint clean

$(BIN)/mkdocs: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

## site: install and build site/ from content/ (no network beyond the package index)
site: $(BIN)/mkdocs
	SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || echo 1700000000)} \
	  $(BIN)/mkdocs build --strict

## test: install what the tests need (Chromium included), lint, type-check and run every test
test: $(BIN)/mkdocs
	$(BIN)/pip install --quiet -e '.[test]'
	bash .ci/install-browser
	$(BIN)/ruff check generator tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -q

check: $(BIN)/mkdocs
	$(BIN)/paperdigest check

serve: $(BIN)/mkdocs
	$(BIN)/mkdocs serve

lint: $(BIN)/mkdocs
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/ruff check generator tests bench
	$(BIN)/mypy

clean:
	rm -rf site
