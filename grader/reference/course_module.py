"""The course's own reference code: a Python module in the assignment's template folder whose
functions compute answers the built-in operations lack.

Staff code, trusted like the rubric, and loaded only from the template folder the rubric
names (never from a submission, never from the working directory). It is executed into a
fresh module object that is not added to `sys.modules` and changes no search path, so
two assignments' modules never meet. The source is kept (`source`) so a gradebook can
store the exact code a run used.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import ParametersError


@dataclass(frozen=True)
class CourseReference:
    """The loaded module: its functions by name, its file and its source text."""

    path: Path
    source: str
    functions: dict[str, Callable[..., Any]]

    def function(self, name: str, *, question: str) -> Callable[..., Any]:
        found = self.functions.get(name)
        if found is None:
            known = ", ".join(sorted(self.functions)) or "none"
            raise ParametersError(
                f"questions.{question}: function '{name}' is not in {self.path.name} (functions: {known})",
                path=self.path,
                hint=f"define `def {name}(...)` in {self.path.name}, or fix the name",
            )
        return found


def load_course_reference(source: str, *, path: Path) -> CourseReference:
    """Execute the module text and collect its public functions; an error is one line."""
    module = types.ModuleType(f"course_reference_{path.stem}")
    module.__file__ = str(path)
    try:
        code = compile(source, str(path), "exec")
        exec(code, module.__dict__)  # staff code from the template folder, trusted like the rubric
    except SyntaxError as exc:
        raise ParametersError(
            f"not valid Python: {exc.msg}", path=path, hint=f"fix line {exc.lineno}"
        ) from None
    except Exception as exc:
        raise ParametersError(
            f"the module failed while loading: {type(exc).__name__}: {exc}",
            path=path,
            hint="run it with python to see the error",
        ) from None
    functions = {
        name: value
        for name, value in vars(module).items()
        if callable(value)
        and not name.startswith("_")
        and getattr(value, "__module__", None) == module.__name__
    }
    return CourseReference(path, source, functions)
