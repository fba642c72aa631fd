"""Walk a Word document's XML body into lines of text, in document order.

Paragraphs get the list label Word draws (`docx_numbering`), runs their
text, tabs and breaks, equations their `docx_math` text, text boxes their
own lines, tables one `| a | b |` line per row. Struck-through runs are
wrapped in `~~…~~` (the question splitter drops struck-out text); deleted
tracked changes are left out and inserted ones kept. Pictures and embedded
objects are counted, never read. This module must not interpret the text.
"""

from __future__ import annotations

from typing import Any

from grader.reading.docx_math import M, math_text
from grader.reading.docx_numbering import ListNumbering, W

MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_DRAWING_ML = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_VML = "{urn:schemas-microsoft-com:vml}"
_CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
_WRAPPERS = frozenset(
    f"{W}{name}"
    for name in (
        "hyperlink",
        "smartTag",
        "customXml",
        "sdt",
        "sdtContent",
        "fldSimple",
        "dir",
        "bdo",
    )
)
_BLOCK_CONTAINERS = frozenset({f"{W}sdt", f"{W}sdtContent", f"{W}customXml"})
_FALSE = frozenset({"0", "false", "off", "none"})


class DocxWalker:
    """Reads blocks and paragraphs of one document, counting what it cannot read."""

    def __init__(self, numbering: ListNumbering) -> None:
        self._numbering = numbering
        self._pictures = 0
        self._objects = 0
        self._tracked_changes = False
        self._unread: list[str] = []

    def block_lines(self, container: Any) -> list[str]:
        """The lines of a body, cell, text box or content control, in document order."""
        lines: list[str] = []
        for child in container:
            tag = _tag(child)
            if tag == f"{W}p":
                lines.extend(self.paragraph_lines(child))
            elif tag == f"{W}tbl":
                lines.extend(["", *self.table_lines(child), ""])
            elif tag in _BLOCK_CONTAINERS:
                lines.extend(self.block_lines(child))
            elif tag == f"{W}altChunk":
                self._unread.append("an imported part (altChunk)")
        return lines

    def table_lines(self, table: Any) -> list[str]:
        """One line per row, `| cell | cell |`; a cell's own lines joined by spaces."""
        lines = []
        for row in table.iter(f"{W}tr"):
            if not _in_table(row, table):
                continue  # a row of a table nested in a cell: read as part of that cell
            cells = [
                " ".join(" ".join(self.block_lines(cell)).split())
                for cell in row.iter(f"{W}tc")
                if _in_row(cell, row)
            ]
            if cells:
                lines.append("| " + " | ".join(cells) + " |")
        return lines

    def paragraph_lines(self, paragraph: Any) -> list[str]:
        """The paragraph's text, after its list label, then the lines of its text boxes."""
        pieces: list[tuple[str, bool]] = []
        boxes: list[str] = []
        self._inline(paragraph, pieces, boxes)
        text = _join(pieces)
        label = self._numbering.label(paragraph)
        if label:
            text = f"{label} {text}"
        return [text, *boxes]

    def unreadable_count(self) -> int:
        """Pictures and embedded objects seen (the text in them is not read)."""
        return self._pictures + self._objects

    def warnings(self) -> tuple[str, ...]:
        found = []
        if self._pictures:
            found.append(
                f"Word document holds {self._pictures} picture(s) the grader cannot read;"
                " an answer in a picture needs a person"
            )
        if self._objects:
            found.append(
                f"Word document holds {self._objects} embedded object(s) (an equation from"
                " MathType or another editor?) the grader cannot read"
            )
        if self._tracked_changes:
            found.append("Word document has tracked changes: read with all changes accepted")
        found.extend(f"Word document: {part} was not read" for part in self._unread)
        return tuple(found)

    def _inline(self, element: Any, pieces: list[tuple[str, bool]], boxes: list[str]) -> None:
        for child in element:
            tag = _tag(child)
            if tag == f"{W}r":
                self._run(child, pieces, boxes)
            elif tag in (f"{W}del", f"{W}moveFrom"):
                self._tracked_changes = True
            elif tag in (f"{W}ins", f"{W}moveTo"):
                self._tracked_changes = True
                self._inline(child, pieces, boxes)
            elif tag in (f"{M}oMath", f"{M}oMathPara"):
                pieces.append((math_text(child), False))
            elif tag in _WRAPPERS:
                self._inline(child, pieces, boxes)

    def _run(self, run: Any, pieces: list[tuple[str, bool]], boxes: list[str]) -> None:
        struck = _is_struck(run.find(f"{W}rPr"))
        for child in _run_content(run):
            tag = _tag(child)
            if tag == f"{W}t":
                pieces.append((child.text or "", struck))
            elif tag == f"{W}tab":
                pieces.append(("\t", struck))
            elif tag in (f"{W}br", f"{W}cr"):
                pieces.append(("\n", False))
            elif tag == f"{W}noBreakHyphen":
                pieces.append(("-", struck))
            elif tag == f"{W}sym":
                pieces.append((_symbol(child), struck))
            elif tag in (f"{W}drawing", f"{W}pict"):
                self._drawing(child, boxes)
            elif tag == f"{W}object":
                self._objects += 1

    def _drawing(self, drawing: Any, boxes: list[str]) -> None:
        for box in drawing.iter(f"{W}txbxContent"):
            boxes.extend(self.block_lines(box))
        pictures = (f"{_DRAWING_ML}blip", f"{_VML}imagedata", f"{_CHART}chart")
        if any(next(drawing.iter(tag), None) is not None for tag in pictures):
            self._pictures += 1


def _tag(element: Any) -> str:
    return element.tag if isinstance(element.tag, str) else ""  # comments have a function tag


def _run_content(run: Any) -> list[Any]:
    """A run's children, with `mc:AlternateContent` replaced by its first choice."""
    content: list[Any] = []
    for child in run:
        if _tag(child) == f"{MC}AlternateContent":
            choice = child.find(f"{MC}Choice")
            content.extend(choice if choice is not None else [])
        else:
            content.append(child)
    return content


def _is_struck(properties: Any | None) -> bool:
    if properties is None:
        return False
    for name in ("strike", "dstrike"):
        found = properties.find(f"{W}{name}")
        if found is not None and (found.get(f"{W}val") or "true").lower() not in _FALSE:
            return True
    return False


def _symbol(symbol: Any) -> str:
    code = symbol.get(f"{W}char") or ""
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    if value < 0xF000 and (symbol.get(f"{W}font") or "").lower() == "symbol":
        value += 0xF000  # the Symbol font's private-use codes, mapped by `normalise`
    return chr(value) if 0 < value <= 0x10FFFF else ""


def _join(pieces: list[tuple[str, bool]]) -> str:
    """Runs joined; consecutive struck-through runs as one `~~…~~` (spaces kept outside)."""
    merged: list[tuple[str, bool]] = []
    for text, struck in pieces:
        if merged and merged[-1][1] == struck:
            merged[-1] = (merged[-1][0] + text, struck)
        else:
            merged.append((text, struck))
    parts = []
    for text, struck in merged:
        core = text.strip()
        if struck and core:
            start = text.index(core)
            parts.append(f"{text[:start]}~~{core}~~{text[start + len(core) :]}")
        else:
            parts.append(text)
    return "".join(parts)


def _in_table(row: Any, table: Any) -> bool:
    """True when `row` belongs to `table` itself (perhaps inside a content control)."""
    parent = row.getparent()
    while parent is not None and parent is not table:
        if _tag(parent) == f"{W}tbl":
            return False
        parent = parent.getparent()
    return parent is table


def _in_row(cell: Any, row: Any) -> bool:
    parent = cell.getparent()
    while parent is not None and parent is not row:
        if _tag(parent) in (f"{W}tr", f"{W}tbl"):
            return False
        parent = parent.getparent()
    return parent is row
