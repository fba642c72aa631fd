"""The sandbox's kernel environments: what each holds, where it lives, and building them.

    python3.11 grader/sandbox/kernel_requirements.py list pyproject.toml [RUBRIC.toml]
    python3.11 grader/sandbox/kernel_requirements.py build --pyproject pyproject.toml \\
        --default /opt/hw-grader/kernel-env [RUBRIC.toml | LIST.txt ...]

Job: a kernel environment holds what a student notebook may import and NOT the grader
package, whose written-part solver and host code a notebook must never see.
- The default environment (`--default`, `$HW_GRADER_KERNEL_ENV`) holds the `kernel` extra of
  pyproject.toml; a bare name there ("torch") takes its pin from the main dependencies, so a
  pin is written once.
- A rubric that declares `[notebooks] kernel = ["torch==…", "torchvision==…", …]` (pinned)
  gets an environment of its own: that list plus the notebook runtime (`RUNTIME`: IPython,
  the kernel, nbclient, nbformat), beside the default one, named by a hash of the list
  (`kernel-<12 hex>`), so two rubrics with one list share one environment.
`build` installs each missing or outdated environment world-readable (the sandbox runs as
another uid), once per list. Standalone (stdlib only): `make kernel-env` runs it with the
system Python; grader.settings imports its naming rule. Must not import grader.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")
PINNED = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?\s*==\s*[A-Za-z0-9.+!_-]+"
    r"(\s*;\s*[^;]+)?$"  # an environment marker: platform_machine == "aarch64"
)
#: What runs a notebook in the sandbox, whatever the course lets students import.
RUNTIME = ("ipython>=8", "ipykernel>=6", "nbclient>=0.10", "nbformat>=5.9")
#: What the evaluation runner imports: every kernel list must hold these.
EVALUATION_NEEDS = ("torch", "numpy")
STAMP = ".deps-stamp"


def requirement_name(requirement: str) -> str:
    match = NAME.match(requirement)
    return match.group(0).lower().replace("_", "-") if match else ""


def kernel_requirements(pyproject: dict[str, Any]) -> list[str]:
    """The `kernel` extra, each bare name replaced by the main dependency that pins it."""
    project = pyproject["project"]
    pinned: dict[str, str] = {}
    for requirement in project["dependencies"]:
        match = NAME.match(requirement)
        if match:
            pinned[match.group(0).lower()] = requirement
    requirements: list[str] = []
    for requirement in project["optional-dependencies"]["kernel"]:
        bare = NAME.fullmatch(requirement)
        requirements.append(pinned.get(requirement.lower(), requirement) if bare else requirement)
    return requirements


def package_problem(packages: Sequence[str]) -> str | None:
    """What is wrong with a rubric's `[notebooks] kernel` list, in words, or None."""
    for package in packages:
        if not PINNED.fullmatch(package.strip()):
            return f"'{package}' is not pinned: write name==version (e.g. torchvision==0.29.1)"
    if not packages:
        return None
    names = {requirement_name(p) for p in packages}
    missing = [name for name in EVALUATION_NEEDS if name not in names]
    if missing:
        return f"the list lacks {', '.join(missing)}: saved models are evaluated with them"
    runtime = {requirement_name(r) for r in RUNTIME} & names
    if runtime:
        return f"leave out {', '.join(sorted(runtime))}: every kernel environment has the runtime"
    return None


def rubric_requirements(packages: Sequence[str]) -> list[str]:
    """The whole install list of a rubric's kernel environment: its packages, then RUNTIME."""
    return [*(p.strip() for p in packages), *RUNTIME]


def environment_name(requirements: Sequence[str]) -> str:
    """`kernel-<12 hex>`: the same list (in any order) names the same environment."""
    text = "\n".join(sorted(r.strip() for r in requirements))
    return "kernel-" + hashlib.sha256(text.encode()).hexdigest()[:12]


def environment_for(default: Path, packages: Sequence[str]) -> Path:
    """Where a rubric's kernel environment lives: the default one if it declares no packages,
    else beside it, named by its list."""
    if not packages:
        return default
    return default.parent / environment_name(rubric_requirements(packages))


def declared_packages(path: Path) -> list[str]:
    """`[notebooks] kernel` of a rubric (.toml), or a requirements list (.txt, one a line)."""
    if path.suffix == ".txt":
        lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
        return [line for line in lines if line]
    with path.open("rb") as file:
        notebooks = tomllib.load(file).get("notebooks", {})
    packages = notebooks.get("kernel", []) if isinstance(notebooks, dict) else []
    return [str(p) for p in packages] if isinstance(packages, list) else []


def _stamp(requirements: Sequence[str]) -> str:
    return hashlib.sha256(("\n".join(requirements) + "\n").encode()).hexdigest()


def up_to_date(env: Path, requirements: Sequence[str]) -> bool:
    """`env` was built from exactly `requirements`."""
    try:
        return (env / STAMP).read_text().strip() == _stamp(requirements)
    except OSError:
        return False


def build(env: Path, requirements: Sequence[str], python: str) -> str | None:
    """Install `requirements` into `env` unless it already holds them: None when it does, else
    one line on what was done (or, not root, what to run)."""
    if up_to_date(env, requirements):
        return None
    stamp = _stamp(requirements)
    if os.geteuid() != 0:
        return (
            f"sandbox: the kernel environment {env} is missing or out of date; "
            "run: sudo make kernel-env"
        )
    os.umask(0o022)
    env.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{env}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        print(f"building the sandbox kernel environment in {env}", flush=True)
        if not (env / "bin" / "python").exists():
            subprocess.run([python, "-m", "venv", str(env)], check=True)
        listed = env / "requirements.txt"
        listed.write_text("\n".join(requirements) + "\n")
        pip = [str(env / "bin" / "pip"), "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "install", "-r", str(listed)], check=True)
        subprocess.run([*pip, "uninstall", "--yes", "hw-grader"], check=False,
                       stderr=subprocess.DEVNULL)  # fmt: skip
        (env / STAMP).write_text(stamp + "\n")
        subprocess.run(["chmod", "a+rX", str(env.parent)], check=True)
        subprocess.run(["chmod", "-R", "a+rX", str(env)], check=True)
    return f"built kernel environment {env}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="kernel_requirements.py", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="print an environment's requirements, one a line")
    listing.add_argument("pyproject", type=Path)
    listing.add_argument("declared", type=Path, nargs="?", help="a rubric or a .txt list")
    building = commands.add_parser("build", help="build the default and the declared environments")
    building.add_argument("--pyproject", type=Path, required=True)
    building.add_argument("--default", type=Path, required=True, help="the default environment")
    building.add_argument("--python", default=sys.executable, help="the Python to build on")
    building.add_argument("declared", type=Path, nargs="*", help="rubrics or .txt lists")
    args = parser.parse_args(argv[1:])
    with args.pyproject.open("rb") as file:
        default_requirements = kernel_requirements(tomllib.load(file))
    if args.command == "list":
        packages = declared_packages(args.declared) if args.declared else []
        print("\n".join(rubric_requirements(packages) if packages else default_requirements))
        return 0
    plans = {args.default: default_requirements}
    for path in args.declared:
        packages = declared_packages(path)
        if not packages:
            continue
        problem = package_problem(packages)
        if problem is not None:
            print(f"error: {path}: [notebooks] kernel: {problem}", file=sys.stderr)
            return 2
        plans.setdefault(environment_for(args.default, packages), rubric_requirements(packages))
    for env, requirements in plans.items():
        said = build(env, requirements, args.python)
        if said is not None:
            print(said, file=sys.stderr if said.startswith("sandbox:") else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
