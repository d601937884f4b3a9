# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test lint audit messages clean

# Installing does nothing when pyproject.toml has not changed since the last install.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	# a venv is seeded with the setuptools of its Python (65.5.0 for 3.11), which has published advisories
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=78.1.1"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/gongzhi migrate
	$(BIN)/gongzhi demo
	$(BIN)/gongzhi serve --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	@! grep -rnE "\.commit\(\)" accounts grid volunteers deliberation --include=*.py \
		|| (echo "domain code must not commit (HOUSE-STYLE.md section 3)"; exit 1)

# The installed packages against published advisories; says so when none can be reached from here.
audit: install-test
	$(BIN)/python .ci/audit

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Refresh the catalogs after changing user-facing text; then fill in the new zh_CN msgstr entries.
messages: install-test
	mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ --ignore-dirs='.*' --no-location --sort-output -o var/messages.pot .
	$(BIN)/pybabel update -i var/messages.pot -d web/locale --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) var/screenshots .pytest_cache
