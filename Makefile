# paperdigest: the two set-up commands of the README, and a few helpers.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test check serve new import lint clean

$(BIN)/mkdocs: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# quickjs-ng installs the module the old `quickjs` binding had: an environment made
	@# before the switch loses both first, so the old compiled file cannot shadow the new one.
	$(BIN)/pip uninstall --quiet --yes quickjs quickjs-ng 2>/dev/null || true
	$(BIN)/pip install --quiet -e '.[cards,search]'
	touch $@

## site: install and build site/ from content/ (no network beyond the package index)
site: $(BIN)/mkdocs
	SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || echo 1700000000)} \
	  $(BIN)/paperdigest build --strict

## test: install what the tests need (Chromium included), lint, type-check and run every test
test: $(BIN)/mkdocs
	$(BIN)/pip install --quiet -e '.[test]'
	bash .ci/install-browser
	$(BIN)/ruff check generator tests bench tools
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -q

## check: validate every digest, record and page (the pull-request check)
check: $(BIN)/mkdocs
	$(BIN)/paperdigest check

## serve: preview on http://127.0.0.1:8000/ with live reload
serve: $(BIN)/mkdocs
	$(BIN)/paperdigest serve

## new ID=2503.04504: start a digest from its arXiv id
new: $(BIN)/mkdocs
	@test -n "$(ID)" || { echo "usage: make new ID=2503.04504" >&2; exit 2; }
	$(BIN)/paperdigest new "$(ID)"

## import FILE=dump.md: split a dump of digests into files (FETCH=1 fills metadata from arXiv)
import: $(BIN)/mkdocs
	@test -n "$(FILE)" || { echo "usage: make import FILE=dump.md [FETCH=1]" >&2; exit 2; }
	$(BIN)/paperdigest import $(if $(FETCH),--fetch) "$(FILE)"

lint: $(BIN)/mkdocs
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/ruff check generator tests bench tools
	$(BIN)/mypy

clean:
	rm -rf site
