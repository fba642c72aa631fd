"""The sandbox package's modules depend on each other one way: runner → check, never back."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grader.sandbox

SANDBOX = Path(grader.sandbox.__file__).parent
REPOSITORY = SANDBOX.parents[1]
HOST_MODULES = sorted(SANDBOX.glob("*.py"))  # inside/ is the driver: a program of its own


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPOSITORY).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, at function level?) for every `grader.` import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    nested = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from grader.sandbox import inside` imports the submodule grader.sandbox.inside.
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        found += [(name, id(node) in nested) for name in names if name.startswith("grader.")]
    return found


def test_importing_check_does_not_import_the_runner():
    # grader/sandbox/__init__.py imports the runner for the public API, so the package is
    # stood in for by a bare one: what is left is exactly what check.py itself imports.
    # Its host check runs too, so that an import made late, at call time, shows as well.
    code = (
        "import sys, types\n"
        "from pathlib import Path\n"
        "package = types.ModuleType('grader.sandbox')\n"
        f"package.__path__ = [{str(SANDBOX)!r}]\n"
        "sys.modules['grader.sandbox'] = package\n"
        "import grader.sandbox.check as check\n"
        "problem = check.host_problem(Path('/nonexistent/kernel-env'), switch_uid=True)\n"
        "print(problem.ok if problem else None)\n"
        "print('grader.sandbox.runner' in sys.modules)\n"
        "print(hasattr(check, 'check_sandbox'))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPOSITORY, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["False", "False", "False"]


def test_no_function_level_import_of_the_runner_or_within_the_package():
    late = []
    for path in sorted((REPOSITORY / "grader").rglob("*.py")):
        for name, in_function in _imports(path):
            within_package = path in HOST_MODULES and name.startswith("grader.sandbox")
            if in_function and (name == "grader.sandbox.runner" or within_package):
                late.append(f"{path.relative_to(REPOSITORY)} imports {name} inside a function")
    assert late == []


def test_the_sandbox_modules_import_each_other_without_a_cycle():
    modules = {_module_name(path): path for path in HOST_MODULES}
    graph = {
        name: {imported for imported, _ in _imports(path) if imported in modules} - {name}
        for name, path in modules.items()
    }
    assert "grader.sandbox.check" in graph["grader.sandbox.runner"]
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert name not in trail, "import cycle: " + " → ".join((*trail, name))
        if name not in done:
            for imported in sorted(graph[name]):
                if imported != "grader.sandbox":  # the package itself: the public API
                    visit(imported, (*trail, name))
            done.add(name)

    for name in sorted(graph):
        if name != "grader.sandbox":
            visit(name, ())
