# The commands people type. `make grade` and `make test` do all set-up on a fresh clone.
SHELL := /bin/bash
# The sandbox (issue #3) needs a venv built on the system Python, which an
# unprivileged uid can read; fall back to python3 elsewhere.
PYTHON ?= $(shell test -x /usr/bin/python3.11 && echo /usr/bin/python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The sandbox's own environment (grader/sandbox): built on the system Python in a
# world-readable place, because the sandbox runs as an unprivileged uid that cannot
# read the project venv (CI clones into a 0700 `mktemp -d`).
SYSTEM_PYTHON ?= /usr/bin/python3.11
KERNEL_ENV ?= /opt/hw-grader/kernel-env
# grader.settings.resolve_kernel_env() reads it, so `grader grade`, `grader check-template`
# and the tests all use this path (`--kernel-env` overrides it): `make grade KERNEL_ENV=/x`.
export HW_GRADER_KERNEL_ENV := $(KERNEL_ENV)

.PHONY: grade test test-fast lint bench install clean sandbox-tools postgres-tools browser-tools kernel-env kernel-env-torchvision data

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# $(call debian_package,TEST,PACKAGE,MISSING): when the shell TEST fails, install Debian's
# PACKAGE if we are root and have apt-get; otherwise print "MISSING; run: sudo apt-get ...".
debian_package = if $(1); then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing $(2) (apt-get install -y $(2))"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq $(2) >/dev/null 2>&1 \
	    || { apt-get update -qq && apt-get install -y -qq $(2) >/dev/null; }; \
	else \
	  echo "$(3); run: sudo apt-get install -y $(2)" >&2; \
	fi

# bubblewrap runs student code. Installed from Debian when missing and we are root;
# otherwise say what to run (the sandbox then refuses to run notebooks, with that hint).
sandbox-tools:
	@$(call debian_package,command -v bwrap >/dev/null 2>&1,bubblewrap,sandbox: bubblewrap is missing)

# PostgreSQL server binaries (initdb, pg_ctl): the tests start a throwaway server with them
# (tests/conftest.py) to run the gradebook on PostgreSQL too. Installed from Debian when
# missing and we are root; otherwise say what to run (those tests then fail, naming this target).
postgres-tools:
	@$(call debian_package,ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1,postgresql,tests: the PostgreSQL server is missing)

# Debian's chromium for the review service's browser tests (tests/web/test_review_browser.py,
# Playwright with executable_path=/usr/bin/chromium; never `playwright install`). Installed
# when missing and we are root; otherwise say what to run (those tests then fail, naming it).
browser-tools:
	@$(call debian_package,[ -x /usr/bin/chromium ],chromium,tests: chromium is missing)

# The kernel environments: what a student notebook may import, never the grader package (a
# notebook must not import the written-part solver or host code; the few files that run
# inside the sandbox are copied in per run). The default one at KERNEL_ENV holds the `kernel`
# extra of pyproject.toml; each distinct `[notebooks] kernel` list of KERNEL_RUBRICS gets
# its own beside it, named by the list's hash (grader/sandbox/kernel_requirements.py).
# Each is (re)installed only when its list changes. Not root? It prints what to run.
KERNEL_RUBRICS ?= $(wildcard rubrics/*.toml)
KERNEL_BUILD = $(SYSTEM_PYTHON) grader/sandbox/kernel_requirements.py build \
	--pyproject pyproject.toml --default '$(KERNEL_ENV)' --python $(SYSTEM_PYTHON)

kernel-env: sandbox-tools
	@$(KERNEL_BUILD) $(KERNEL_RUBRICS)

# The kernel with torchvision (kernels/torchvision.txt: the regular torch build, ~5.7 GB on
# x86_64, about 90 s to install from the local wheels); the tests grade a notebook written
# the way the PyTorch CIFAR-10 tutorial teaches in it.
kernel-env-torchvision: sandbox-tools
	@$(KERNEL_BUILD) kernels/torchvision.txt

# Synthetic data for the notebook parts, one data root per homework (each rubric declares its
# datasets), generated once. They live outside the clone because the sandbox uid must be able
# to read them (a CI clone is 0700).
DATA_HW4 ?= /var/tmp/hw-grader/hw4-synthetic-seed0
DATA_HW5 ?= /var/tmp/hw-grader/hw5-synthetic-seed0
WORKERS ?= 2

$(DATA_HW4)/dataset.toml: | $(STAMP)
	$(BIN)/grader data synth $(DATA_HW4) --rubric rubrics/hw4.toml --seed 0

$(DATA_HW5)/dataset.toml: | $(STAMP)
	$(BIN)/grader data synth $(DATA_HW5) --rubric rubrics/hw5.toml --seed 0

data: $(DATA_HW4)/dataset.toml $(DATA_HW5)/dataset.toml

# Grade the sample submissions of both homeworks into one gradebook, grades.sqlite:
# HW4 into reports/hw4, HW5 into reports/hw5, written parts and notebooks. Exit code 1
# only means some samples need a person's attention (on purpose: a scanned PDF, an
# unreadable answer).
grade: $(STAMP) kernel-env data
	$(BIN)/grader grade submissions --rubric rubrics/hw4.toml --db grades.sqlite --reports reports/hw4 \
	  --data $(DATA_HW4) --workers $(WORKERS); \
	  rc=$$?; if [ $$rc -gt 1 ]; then exit $$rc; fi
	$(BIN)/grader grade submissions-hw5 --rubric rubrics/hw5.toml --db grades.sqlite --reports reports/hw5 \
	  --data $(DATA_HW5) --workers $(WORKERS); \
	  rc=$$?; if [ $$rc -gt 1 ]; then exit $$rc; fi

test: $(STAMP) kernel-env kernel-env-torchvision postgres-tools browser-tools
	$(BIN)/ruff check grader tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest

# The inner loop (under a minute): lint, then every test that neither starts a sandbox
# nor takes seconds. tests/conftest.py says which tests are `sandbox` and `slow`.
test-fast: $(STAMP) postgres-tools browser-tools
	$(BIN)/ruff check grader tests benchmarks
	$(BIN)/pytest -m "not sandbox and not slow"

lint: $(STAMP)
	$(BIN)/ruff check grader tests benchmarks
	$(BIN)/ruff format --check grader tests benchmarks
	$(BIN)/mypy

bench: $(STAMP) kernel-env
	$(BIN)/python benchmarks/bench_written.py
	$(BIN)/python benchmarks/bench_rescore.py
	$(BIN)/python benchmarks/bench_concepts.py
	$(BIN)/python benchmarks/bench_notebooks.py

clean:
	rm -rf $(VENV) reports grades.sqlite grades.sqlite-wal grades.sqlite-shm .pytest_cache .mypy_cache
