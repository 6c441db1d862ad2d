# Rookery: `make run` to try it, `make test` to check it. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
USERS ?= 300

.PHONY: run demo test test-browser test-all lint format bench migrate worker clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/rookery migrate --no-input

## Serve http://$(HOST):$(PORT) on SQLite with a worker inside the same process.
run: migrate
	$(BIN)/rookery serve --host $(HOST) --port $(PORT)

## The same, after (re)generating a demo network of $(USERS) people (log in as demo / demo-password).
demo: migrate
	$(BIN)/rookery demo --users $(USERS) --reset
	$(BIN)/rookery serve --host $(HOST) --port $(PORT)

## The whole suite on SQLite (browser tests are `make test-browser`).
test: $(STAMP)
	$(BIN)/pytest -q -m "not browser" -n 2 --dist loadfile

test-browser: $(STAMP)
	$(BIN)/pytest -q -m browser -p no:xdist

test-all: test test-browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Benchmarks print their figures and write JSON into bench/results/.
bench: $(STAMP)
	$(BIN)/python bench/timeline.py --quick

worker: migrate
	$(BIN)/rookery worker

clean:
	rm -rf $(VENV) var build dist src/*.egg-info
