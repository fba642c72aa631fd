"""Executing student notebooks in the sandbox and bringing back what happened.

Job: run one notebook inside the sandbox (``inside_execute``, with its output
recorder ``inside_capture``) and, on the host, turn the files it leaves
behind into a trustworthy ``NotebookRun`` (``execute``): the run's status,
the failing cell and its traceback, the size-capped executed notebook and
the saved model artifacts.

What it must not do: execute notebook code outside the sandbox, trust any
file that comes out of it (read as size-capped JSON, types validated, no
symlinks followed, nothing unpickled), or judge the results (evaluation and
scoring do that).

The host-side names are loaded lazily, so that importing ``inside_execute`` in
tests costs no sandbox runner; inside the sandbox the two ``inside_*`` files run
as plain scripts copied into /work, with no grader package installed there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.notebooks.execute import NotebookRun, execute_notebook

__all__ = ["NotebookRun", "execute_notebook"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from grader.notebooks import execute

        return getattr(execute, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
