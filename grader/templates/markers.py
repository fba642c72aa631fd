"""Solution and hidden-check regions marked inside notebook cells, as nbgrader and otter authors write them.

    ### BEGIN SOLUTION        # BEGIN HIDDEN        (also `### BEGIN HIDDEN TESTS`,
    ...                       ...                    `<!-- BEGIN SOLUTION -->` in Markdown,
    ### END SOLUTION          # END HIDDEN           any number of #, any case)

A solution region is replaced by a stub at the indentation of its BEGIN marker
(`# YOUR CODE HERE` + `raise NotImplementedError()`; `YOUR ANSWER HERE` in
Markdown); a hidden region is removed with its markers. A whole cell tagged
`solution` or `hidden` counts as one region. Unbalanced or nested markers are a
`TemplateError` naming the notebook, the cell and the line.

`lenient_regions` also accepts misspelt markers (`### BEGIN SOLUTON`) and never
raises: the leak check uses it so that text a typo let through is still known
to be secret. This module reads and rewrites cell sources; it never writes files.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import nbformat

from grader.templates.errors import TemplateError

RegionKind = Literal["solution", "hidden", "stub"]
MarkerKind = Literal["solution", "hidden"]

CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
ANSWER_STUB = ("YOUR ANSWER HERE",)
SOLUTION_TAG, HIDDEN_TAG = "solution", "hidden"
MARKER_TAGS = frozenset({SOLUTION_TAG, HIDDEN_TAG})

_MARKER = re.compile(
    r"^(?P<indent>[ \t]*)(?:\#+|<!--)[ \t]*(?P<edge>BEGIN|END)[ \t]+(?P<kind>SOLUTION|HIDDEN)"
    r"(?:[ \t]+TESTS?)?[ \t]*(?:-->)?[ \t\r]*$",
    re.IGNORECASE,
)
# What an author meant as a marker but misspelt: a whole line of BEGIN/END and one word close to
# SOLUTION/HIDDEN (`### BEGIN SOLUTON`, `# END HIDEN TESTS`); `# begin hidden layer` is a comment.
_MARKER_LIKE = re.compile(
    r"^(?P<indent>[ \t]*)(?:\#+|<!--)[ \t]*(?P<edge>BEGIN|END)[ \t_-]*(?P<kind>[A-Za-z]+)"
    r"(?:[ \t]+TESTS?)?[ \t.:!]*(?:-->)?[ \t\r]*$",
    re.IGNORECASE,
)
_STUB_LINE = re.compile(
    r"^\s*(?:\#\s*your (?:code|answer) here|your answer here|raise notimplementederror\b.*)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Region:
    """One marked region of a cell: its body text (markers excluded) and where it is.

    `start_line` and `end_line` are 1-based lines of the BEGIN and END markers
    (for a `stub`, the stub line itself); `indent` is the BEGIN marker's.
    """

    kind: RegionKind
    text: str
    start_line: int
    end_line: int = 0
    indent: str = ""
    misspelt_marker: str | None = None  # the marker as written, when only `lenient_regions` saw it


@dataclass(frozen=True)
class _Marker:
    edge: Literal["begin", "end"]
    kind: MarkerKind
    indent: str
    line: str
    misspelt: bool


def is_stub_line(line: str) -> bool:
    """True for `# YOUR CODE HERE`, `YOUR ANSWER HERE` and `raise NotImplementedError…` lines."""
    return bool(_STUB_LINE.match(line))


def _marker(line: str, *, lenient: bool) -> _Marker | None:
    match = _MARKER.match(line)
    kind = match["kind"].upper() if match else None
    misspelt = False
    if match is None and lenient:
        match = _MARKER_LIKE.match(line)
        close = (
            difflib.get_close_matches(
                match["kind"].upper(), ["SOLUTION", "HIDDEN"], n=1, cutoff=0.75
            )
            if match
            else []
        )
        kind, misspelt = (close[0] if close else None), True
    if match is None or kind is None:
        return None
    edge: Literal["begin", "end"] = "begin" if match["edge"].upper() == "BEGIN" else "end"
    marker_kind: MarkerKind = "solution" if kind == "SOLUTION" else "hidden"
    return _Marker(edge, marker_kind, match["indent"], line.strip(), misspelt)


def _where(cell: int | None, line: int) -> str:
    return f"cell {cell}, line {line}" if cell is not None else f"line {line}"


def _scan(
    lines: list[str], *, lenient: bool, notebook: Path | str | None, cell: int | None
) -> list[Region]:
    """Regions in order. Strict: any unbalanced or nested marker raises. Lenient: best effort."""

    def refuse(line_number: int, problem: str, hint: str) -> TemplateError:
        return TemplateError(f"{_where(cell, line_number)}: {problem}", path=notebook, hint=hint)

    found: list[Region] = []
    opened: tuple[_Marker, int] | None = None  # marker, 0-based line
    for index, line in enumerate(lines):
        marker = _marker(line, lenient=lenient)
        if marker is None:
            if opened is None and is_stub_line(line):
                indent = line[: len(line) - len(line.lstrip())]
                found.append(Region("stub", line.strip(), index + 1, index + 1, indent))
            continue
        name = marker.kind.upper()
        if marker.edge == "begin":
            if opened is not None:
                if lenient:
                    continue
                open_marker, open_index = opened
                raise refuse(
                    index + 1,
                    f"'{marker.line}' inside the {open_marker.kind} region opened at line {open_index + 1}",
                    f"close it with END {open_marker.kind.upper()} first; regions cannot nest",
                )
            opened = (marker, index)
            continue
        if opened is None or opened[0].kind != marker.kind:
            if lenient:
                continue
            if opened is None:
                raise refuse(
                    index + 1,
                    f"'{marker.line}' has no BEGIN {name} before it",
                    f"add the BEGIN {name} marker above the region, or delete this line",
                )
            raise refuse(
                index + 1,
                f"'{marker.line}' closes the {opened[0].kind} region opened at line {opened[1] + 1}",
                f"end it with END {opened[0].kind.upper()}",
            )
        open_marker, open_index = opened
        found.append(_region(open_marker, marker, lines, open_index, index))
        opened = None
    if opened is not None:
        open_marker, open_index = opened
        if not lenient:
            name = open_marker.kind.upper()
            raise refuse(
                open_index + 1,
                f"'{open_marker.line}' has no END {name}",
                f"add END {name} after the last line of the region",
            )
        found.append(_region(open_marker, None, lines, open_index, len(lines)))
    return found


def _region(begin: _Marker, end: _Marker | None, lines: list[str], start: int, stop: int) -> Region:
    misspelt = next((m.line for m in (begin, end) if m is not None and m.misspelt), None)
    return Region(
        begin.kind, "\n".join(lines[start + 1 : stop]), start + 1, stop + 1, begin.indent, misspelt
    )


def regions(
    source: str, *, notebook: Path | str | None = None, cell: int | None = None
) -> list[Region]:
    """Solution and hidden regions of one cell source (plus existing stub lines, kind `stub`), in order."""
    return _scan(source.split("\n"), lenient=False, notebook=notebook, cell=cell)


def lenient_regions(source: str) -> list[Region]:
    """Like `regions`, but misspelt markers count and nothing raises (an unclosed region runs to the end)."""
    return _scan(source.split("\n"), lenient=True, notebook=None, cell=None)


def _rewrite(
    source: str,
    *,
    replace: MarkerKind,
    stub: tuple[str, ...] | None,
    notebook: Path | str | None,
    cell: int | None,
) -> str:
    lines = source.split("\n")
    found = [
        r for r in _scan(lines, lenient=False, notebook=notebook, cell=cell) if r.kind == replace
    ]
    for region in reversed(found):
        replacement = [f"{region.indent}{line}" for line in stub] if stub is not None else []
        lines[region.start_line - 1 : region.end_line] = replacement
    return "\n".join(lines)


def strip_solutions(
    source: str,
    *,
    cell_type: str = "code",
    notebook: Path | str | None = None,
    cell: int | None = None,
) -> str:
    """Replace every solution region (markers included) by a stub at the BEGIN marker's indentation."""
    stub = CODE_STUB if cell_type == "code" else ANSWER_STUB
    return _rewrite(source, replace="solution", stub=stub, notebook=notebook, cell=cell)


def remove_hidden(
    source: str, *, notebook: Path | str | None = None, cell: int | None = None
) -> str:
    """Remove every hidden region with its markers; blank lines left at the ends are trimmed."""
    if not any(r.kind == "hidden" for r in regions(source, notebook=notebook, cell=cell)):
        return source
    kept = _rewrite(source, replace="hidden", stub=None, notebook=notebook, cell=cell)
    return re.sub(r"\n{4,}", "\n\n\n", kept).strip("\n")


def cell_tags(cell: nbformat.NotebookNode) -> set[str]:
    """The cell's tags, lower-cased (where `solution`/`hidden` are looked for)."""
    tags = cell.get("metadata", {}).get("tags", [])
    return {str(tag).lower() for tag in tags} if isinstance(tags, list) else set()


def read_master(path: Path) -> nbformat.NotebookNode:
    """Read a master notebook as nbformat 4, or raise a `TemplateError` naming it."""
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise TemplateError(
            "notebook not found", path=path, hint="fix template.notebooks"
        ) from None
    except Exception as exc:  # nbformat raises many kinds (JSON, schema, encoding) for one cause
        raise TemplateError(
            f"not a readable notebook ({type(exc).__name__}: {exc})".splitlines()[0],
            path=path,
            hint="open and save it in Jupyter, or fix the JSON",
        ) from None


def _region_texts(master: Path | nbformat.NotebookNode, kind: MarkerKind) -> list[str]:
    notebook = read_master(master) if isinstance(master, Path) else master
    name = master if isinstance(master, Path) else None
    texts: list[str] = []
    for index, cell in enumerate(notebook.cells):
        if kind in cell_tags(cell):
            texts.append(cell.source)
            continue
        texts.extend(
            r.text for r in regions(cell.source, notebook=name, cell=index) if r.kind == kind
        )
    return texts


def solution_texts(master: Path | nbformat.NotebookNode) -> list[str]:
    """The body of every solution region (and `solution`-tagged cell) of a master notebook."""
    return _region_texts(master, "solution")


def hidden_texts(master: Path | nbformat.NotebookNode) -> list[str]:
    """The body of every hidden region (and `hidden`-tagged cell) of a master notebook."""
    return _region_texts(master, "hidden")
