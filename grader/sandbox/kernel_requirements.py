"""Print the sandbox kernel environment's requirements, one a line, from pyproject.toml.

    /usr/bin/python3.11 grader/sandbox/kernel_requirements.py pyproject.toml

Job: the kernel environment holds what a student notebook may import (the `kernel`
extra: torch, numpy, IPython, matplotlib, ...) and NOT the grader package, whose
written-part solver and host code a notebook must never see. A bare name in the extra
("torch") takes its pin from the main dependencies, so a pin is written once.
Standalone (stdlib only): `make kernel-env` runs it with the system Python.
"""

from __future__ import annotations

import re
import sys
import tomllib
from typing import Any

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


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


def main(argv: list[str]) -> int:
    with open(argv[1] if len(argv) > 1 else "pyproject.toml", "rb") as file:
        print("\n".join(kernel_requirements(tomllib.load(file))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
