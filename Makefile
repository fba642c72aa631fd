# The commands people type. `make grade` and `make test` do all set-up on a fresh clone.
SHELL := /bin/bash
# The sandbox (issue #3) needs a venv built on the system Python, which an
# unprivileged uid can read; fall back to python3 elsewhere.
PYTHON ?= $(shell test -x /usr/bin/python3.11 && echo /usr/bin/python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: grade test lint bench install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Grade the sample submissions into grades.sqlite and write reports/.
# Exit code 1 only means some samples need a person's attention (on purpose).
grade: $(STAMP)
	$(BIN)/grader grade submissions --rubric rubrics/hw4.toml --db grades.sqlite --reports reports; \
	  rc=$$?; if [ $$rc -gt 1 ]; then exit $$rc; fi

test: $(STAMP)
	$(BIN)/ruff check grader tests benchmarks
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check grader tests benchmarks
	$(BIN)/ruff format --check grader tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_written.py

clean:
	rm -rf $(VENV) reports grades.sqlite grades.sqlite-wal grades.sqlite-shm .pytest_cache
