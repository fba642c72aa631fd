"""Word equations (Office Math, `m:oMath`) as plain text the answer readers understand.

python-docx's paragraph text leaves equations out, and students type
matrices and shapes in Word's equation editor. A matrix becomes one line
per row with entries separated by spaces (a grid), a fraction `(a)/(b)`,
a power `a^(b)`; everything else keeps its characters in order. This module
must not interpret the numbers it writes out.
"""

from __future__ import annotations

from typing import Any

M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIPPED = frozenset({f"{W}rPr", f"{W}pPr", f"{M}ctrlPr", f"{W}delText"})
_SIMPLE = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.")


def math_text(element: Any) -> str:
    """The text of an `m:oMath` or `m:oMathPara` element (or any part of one)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SKIPPED or (tag.startswith(M) and tag.endswith("Pr")):
        return ""
    name = tag[len(M) :] if tag.startswith(M) else None
    if name == "oMathPara":
        return "\n".join(math_text(child) for child in _children(element, "oMath"))
    if name == "t" or tag == f"{W}t":
        return element.text or ""
    if name == "m":
        return _matrix(element)
    if name == "eqArr":
        return "\n" + "\n".join(_line(math_text(row)) for row in _children(element, "e")) + "\n"
    if name == "d":
        return _delimited(element)
    if name == "f":
        return f"{_grouped(_part(element, 'num'))}/{_grouped(_part(element, 'den'))}"
    if name in ("sSup", "sSub", "sSubSup"):
        return _script(element)
    if name == "rad":
        degree, body = _part(element, "deg"), _part(element, "e")
        return f"root({degree}, {body})" if degree else f"sqrt({body})"
    if name == "nary":
        return _nary(element)
    if name == "func":
        return f"{_part(element, 'fName')} {_part(element, 'e')}"
    return "".join(math_text(child) for child in element)


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if child.tag == f"{M}{name}"]


def _part(element: Any, name: str) -> str:
    return "".join(math_text(child) for child in _children(element, name))


def _line(text: str) -> str:
    return " ".join(text.split())


def _matrix(element: Any) -> str:
    rows = [
        " ".join(_line(math_text(cell)) for cell in _children(row, "e"))
        for row in _children(element, "mr")
    ]
    return "\n" + "\n".join(rows) + "\n"


def _property(element: Any, properties: str, name: str, default: str) -> str:
    found = element.find(f"{M}{properties}/{M}{name}")
    if found is None:
        return default
    value = found.get(f"{M}val")
    return "" if value is None else value


def _delimited(element: Any) -> str:
    begin = _property(element, "dPr", "begChr", "(")
    end = _property(element, "dPr", "endChr", ")")
    separator = _property(element, "dPr", "sepChr", "|")
    inner = f" {separator} ".join(math_text(part) for part in _children(element, "e"))
    if "\n" in inner:
        return inner  # a bracketed matrix: the brackets are drawing, the rows are the answer
    return f"{begin}{inner}{end}"


def _grouped(text: str) -> str:
    text = text.strip()
    return text if text and set(text) <= _SIMPLE else f"({text})"


def _script(element: Any) -> str:
    base = _part(element, "e")
    sub = _part(element, "sub")
    sup = _part(element, "sup")
    return base + (f"_{_grouped(sub)}" if sub else "") + (f"^{_grouped(sup)}" if sup else "")


def _nary(element: Any) -> str:
    symbol = _property(element, "naryPr", "chr", "∫") or "∫"
    sub = _part(element, "sub")
    sup = _part(element, "sup")
    limits = (f"_{_grouped(sub)}" if sub else "") + (f"^{_grouped(sup)}" if sup else "")
    return f"{symbol}{limits} {_part(element, 'e')}"
