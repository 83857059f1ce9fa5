# SiteNinja: make run (serve a demo on http://127.0.0.1:5000) and make test (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test lint format bench worker docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask seed --demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: $(VENV)/.installed
	$(BIN)/python worker.py

# The generated API documents; their staleness tests (tests/test_api_documents.py) name this target.
docs: $(VENV)/.installed
	$(BIN)/flask postman export docs/postman-collection.json
	$(BIN)/flask openapi reference docs/api-reference.md

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance/siteninja.db
