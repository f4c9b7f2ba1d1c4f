VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run setup setup-dev test lint format bench worker web

## Set everything up (system packages, .venv, requirements) and run web + worker on :8000
run: setup
	$(PY) manage.py serve

setup:
	@bash scripts/bootstrap.sh requirements.txt

setup-dev:
	@bash scripts/bootstrap.sh requirements-dev.txt

## Set everything up and run the whole test suite
test: setup-dev
	$(PY) -m pytest $(PYTEST_ARGS)

web: setup
	$(PY) manage.py web --port 8000

worker: setup
	$(PY) manage.py qcluster

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Run every benchmark in bench/ and print its figures (takes a few minutes)
bench: setup-dev
	@for b in bench/[!_]*.py; do echo "== $$b"; $(PY) $$b || exit 1; done
