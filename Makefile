# sepsiscope chores. Needs only python3 (3.11+), make and the package registries.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo serve test check bench clean

$(STAMP): requirements.lock pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

setup: $(STAMP)

## The main job: a seeded synthetic ward, scored and ranked.
demo: $(STAMP)
	$(VENV)/bin/sepsiscope demo

## The web app (symptom checker at http://127.0.0.1:8000/check).
serve: $(STAMP)
	$(VENV)/bin/sepsiscope serve

## The whole test suite (slow and browser suites included; timing benchmarks excluded).
## Browser tests need Debian's chromium (apt-get install -y chromium); .ci/run installs it.
test: $(STAMP)
	$(VENV)/bin/pytest -m "not benchmark" -q

## Lint, format check, types of the core, import layers.
check: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy src/sepsiscope

bench: $(STAMP)
	$(PY) benchmarks/bench_read.py
	$(PY) benchmarks/bench_score.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
