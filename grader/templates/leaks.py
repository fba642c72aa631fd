"""Find text of the template's solutions and hidden checks in BUILT release files.

The check reads what students would receive, not the markers: every
non-trivial line of a solution or hidden region of a master notebook (and of
the written solution) is looked for in the text of every released file. The
regions are found leniently, so a misspelt marker (`### BEGIN SOLUTON`) that
let its region through the build is still known to be secret. Lines that are
short, comments, stubs, or also given outside the regions are not evidence.
This module only reads; it never builds or fixes a release.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from grader.templates.errors import TemplateError
from grader.templates.manifest import Template
from grader.templates.markers import (
    HIDDEN_TAG,
    SOLUTION_TAG,
    cell_tags,
    is_stub_line,
    lenient_regions,
    read_master,
)

MIN_LEAK_CHARS = 12  # shorter lines (`x = 1`, `return x`) are too common to be evidence
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Leak:
    """A line of secret text found in a released file."""

    file: str  # the released file, relative to the release folder
    region_kind: str  # "solution", "hidden" or "written_solution"
    excerpt: str  # the leaked line
    origin: str  # where it is secret: "p1_cats_dogs.ipynb cell 6", plus a misspelt marker if any

    def one_line(self) -> str:
        return (
            f"{self.file}: contains {self.region_kind.replace('_', ' ')} text from {self.origin}: "
            f"{self.excerpt[:80]!r} (fix: mark the region with the right markers, or remove the text)"
        )


@dataclass(frozen=True)
class _Secret:
    text: str  # whitespace-normalised line
    kind: str
    origin: str


def _normalised(line: str) -> str:
    return " ".join(line.split())


def _evidence(line: str) -> str | None:
    """The normalised line if it could only come from the secret, else None."""
    text = _normalised(line)
    if len(text) < MIN_LEAK_CHARS or text.startswith(("#", "<!--")) or is_stub_line(text):
        return None
    return text


def _secret_lines(template: Template) -> list[_Secret]:
    """Secret lines of every master notebook and the written solution, less lines given in the open."""
    secrets: list[_Secret] = []
    given: set[str] = set()
    for path in template.notebook_paths:
        master = read_master(path)
        for index, cell in enumerate(master.cells):
            source = cell.get("source", "")
            lines = source.split("\n")
            origin = f"{path.name} cell {index}"
            tags = cell_tags(cell) & {SOLUTION_TAG, HIDDEN_TAG}
            if tags:
                kind = SOLUTION_TAG if SOLUTION_TAG in tags else HIDDEN_TAG
                secrets.extend(_Secret(t, kind, f"{origin} (tagged {kind})") for t in _texts(lines))
                continue
            inside: set[int] = set()
            for region in lenient_regions(source):
                if region.kind == "stub":
                    continue
                inside.update(range(region.start_line - 1, region.end_line))
                where = origin
                if region.misspelt_marker:
                    where += f" (misspelt marker {region.misspelt_marker!r})"
                secrets.extend(
                    _Secret(t, region.kind, where) for t in _texts(region.text.split("\n"))
                )
            if cell.get("cell_type") == "code":  # given code; Markdown may not repeat a solution
                outside = [line for i, line in enumerate(lines) if i not in inside]
                given.update(_normalised(line) for line in outside)
    written = _read_lines(template.written_solution_path)
    given_in_sheet = {_normalised(line) for line in _read_lines(template.question_sheet_path)}
    secrets.extend(
        _Secret(t, "written_solution", template.written_solution_path.name)
        for t in _texts(written)
        if t not in given_in_sheet
    )
    # A secret line that is part of a given line (`x = nn.Sequential(` of `x = nn.Sequential(*layers)`)
    # proves nothing when found.
    given_text = "\n".join(sorted(given))
    return [s for s in secrets if s.text not in given_text]


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(
            f"cannot read it ({exc})", path=path, hint="save it as UTF-8 text"
        ) from None


def _texts(lines: list[str]) -> list[str]:
    return [text for line in lines if (text := _evidence(line)) is not None]


def _strings(value: object) -> list[str]:
    """Every string in a notebook's JSON; a list of strings (a split source) is joined first."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        if value and all(isinstance(item, str) for item in value):
            return ["".join(value)]
        return [text for item in value for text in _strings(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    return []


def released_text(path: Path) -> str:
    """What a reader of this file sees, whitespace-normalised line by line (notebooks: their strings)."""
    raw = path.read_bytes().decode("utf-8", errors="replace")
    views = [raw]
    if path.suffix == ".ipynb":
        with contextlib.suppress(json.JSONDecodeError):  # not JSON: search the raw text
            views.append("\n".join(_strings(json.loads(raw))))
    elif path.suffix in (".html", ".htm"):
        views = [html.unescape(raw), html.unescape(_TAG.sub("", raw))]
    return "\n".join(_normalised(line) for view in views for line in view.split("\n"))


def find_leaks(release_dir: Path, template: Template) -> list[Leak]:
    """Every released file (under `release_dir`, the student folder) holding a line of secret text.

    One `Leak` per file and origin of the secret, with the first line found.
    """
    if (release_dir / "grader" / "bundle.toml").is_file():
        raise TemplateError(
            "is a whole build (it holds the grader bundle, which has the solutions)",
            path=release_dir,
            hint=f"pass the student release folder, {release_dir / 'student'}",
        )
    if not release_dir.is_dir():
        raise TemplateError(
            "no release folder here", path=release_dir, hint="build it with `grader assign`"
        )
    secrets = _secret_lines(template)
    leaks: dict[tuple[str, str, str], Leak] = {}
    files = sorted(p for p in release_dir.rglob("*") if p.is_file() and not p.is_symlink())
    for path in files:
        text = released_text(path)
        relative = path.relative_to(release_dir).as_posix()
        for secret in secrets:
            key = (relative, secret.kind, secret.origin)
            if key not in leaks and secret.text in text:
                leaks[key] = Leak(relative, secret.kind, secret.text, secret.origin)
    return list(leaks.values())
