# Every target creates and reuses .venv by itself; nothing else is needed but python3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint run venv clean locales

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/blocbot demo

run: $(STAMP)
	$(BIN)/blocbot run

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/mypy

# Refresh the catalogs from the code; then translate the new empty entries in locales/vi.
locales: $(STAMP)
	$(BIN)/pybabel extract -k N_ --no-location --sort-output --project=blocbot -o locales/blocbot.pot bot
	$(BIN)/pybabel update --no-location --width=99 -D blocbot -i locales/blocbot.pot -d locales

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
