# Every target creates and reuses .venv by itself; nothing else is needed but python3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint run venv clean locales pictures

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

# The suite runs in one worker more than there are cores (pytest-xdist): the end-to-end tests
# spend part of their time waiting on the bot's process and the emulators (on 2 cores: 3 workers
# 4:23, 4 workers 5:02, 2 workers 5:37). PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 1)")
test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# The README's pictures in docs/, from the sample bloc's year played on a fixed clock: the ranking
# chart and the progress (the venv is enough), and the first page of the bảng tổng hợp điểm, the
# biên bản and the tờ trình as LibreOffice prints them (soffice and pdftoppm needed).
pictures: $(STAMP)
	$(BIN)/python -m bot.testing.pictures docs

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Refresh the catalogs from the code; then translate the new empty entries in locales/vi.
# Sorted, without source locations; the template is rewritten only when its messages change
# (never for its creation date alone), so on an up-to-date tree nothing changes.
# tests/unit/test_catalogs.py checks that locales/blocbot.pot is what EXTRACT produces.
EXTRACT := extract -k N_ --no-location --sort-output --width=99 --project=blocbot
POT := locales/blocbot.pot
locales: $(STAMP)
	$(BIN)/pybabel $(EXTRACT) -o $(POT).new bot
	@if diff -q -I '^"POT-Creation-Date:' -I '^# ' $(POT) $(POT).new >/dev/null 2>&1; \
	then rm $(POT).new; else mv $(POT).new $(POT); fi
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date \
	  --width=99 -D blocbot -i $(POT) -d locales

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
