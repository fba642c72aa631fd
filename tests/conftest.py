"""Markers for the fast inner loop, applied by where a test lives and what it uses.

- `sandbox`: the test starts a bubblewrap sandbox (and usually a kernel or student code
  in it) or a Dask cluster. Every test in SANDBOX_FOLDERS, and every test using one of
  SANDBOX_FIXTURES, directly or through another fixture, gets it; a test elsewhere that
  starts a sandbox by other means carries `pytest.mark.sandbox` itself.
- `slow`: any other test that takes more than a second or two: every test using one of
  SLOW_FIXTURES, and those marked `pytest.mark.slow` in their module.

`make test-fast` runs `pytest -m "not sandbox and not slow"`; `make test` runs everything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

#: Folders whose every test runs something in the sandbox (and checks host state after it).
SANDBOX_FOLDERS = frozenset({"hostile"})

#: Fixtures that check or start the sandbox (tests/sandbox, tests/hostile, tests/notebooks).
SANDBOX_FIXTURES = frozenset({"kernel_env", "sandbox", "run_notebook", "session_watch", "host"})

#: Fixtures that take seconds to build: inside_predict.py run on a zoo of TorchScript models
#: (tests/evaluation), a `small` synthetic DATA_ROOT (tests/data, ~15 s once per session).
SLOW_FIXTURES = frozenset({"predict_runs", "synthetic_root"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not item.path.is_relative_to(TESTS):
            continue
        folder = item.path.relative_to(TESTS).parts[0]
        fixtures = set(getattr(item, "fixturenames", ()))
        if folder in SANDBOX_FOLDERS or fixtures & SANDBOX_FIXTURES:
            item.add_marker(pytest.mark.sandbox)
        if fixtures & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
