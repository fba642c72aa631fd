"""Students' LaTeX drawn as MathML, on the server, for reports and review pages (issue #21).

Formulas in a text (`$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]`, `\\begin{env}…\\end{env}`) are converted
with latex2mathml; browsers render MathML natively, no script needed. The converter copies
some input through (`\\text{<script>}`, `\\href{…}`), so its output is parsed and written out
again with MathML elements and presentation attributes only, every text escaped; a formula that
cannot be converted, or holds anything else, stays as text. Everything outside formulas is
escaped. Pure functions; must not read files.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from markupsafe import Markup, escape

FORMULA = re.compile(
    r"\$\$(?P<display>.+?)\$\$"
    r"|\$(?P<inline>[^$\n]+?)\$"
    r"|\\\[(?P<bracket>.+?)\\\]"
    r"|\\\((?P<paren>.+?)\\\)"
    r"|(?P<env>\\begin\{(?P<name>[a-zA-Z*]+)\}.+?\\end\{(?P=name)\})",
    re.DOTALL,
)
MATHML = "{http://www.w3.org/1998/Math/MathML}"
ELEMENTS = frozenset(
    [
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "mtext",
        "mspace",
        "ms",
        "mfrac",
        "msqrt",
        "mroot",
        "mstyle",
        "merror",
        "mpadded",
        "mphantom",
        "menclose",
        "msub",
        "msup",
        "msubsup",
        "munder",
        "mover",
        "munderover",
        "mmultiscripts",
        "mprescripts",
        "none",
        "mtable",
        "mtr",
        "mtd",
        "mlabeledtr",
    ]
)
ATTRIBUTES = frozenset(
    [
        "display",
        "mathvariant",
        "stretchy",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "columnalign",
        "rowalign",
        "columnspacing",
        "rowspacing",
        "columnlines",
        "rowlines",
        "frame",
        "width",
        "height",
        "depth",
        "linethickness",
        "accent",
        "accentunder",
        "movablelimits",
        "notation",
        "minsize",
        "maxsize",
        "symmetric",
        "displaystyle",
        "scriptlevel",
        "form",
        "largeop",
    ]
)
MAX_FORMULA_CHARS = 4000


def _safe(element: ElementTree.Element) -> str | None:
    """The element written out with allowed tags and attributes only, or None."""
    tag = element.tag.removeprefix(MATHML)
    if tag not in ELEMENTS:
        return None
    attributes = "".join(
        f' {name}="{escape(value)}"' for name, value in element.attrib.items() if name in ATTRIBUTES
    )
    if tag == "math":
        attributes = f' xmlns="http://www.w3.org/1998/Math/MathML"{attributes}'
    parts = [f"<{tag}{attributes}>", str(escape(element.text or ""))]
    for child in element:
        inner = _safe(child)
        if inner is None:
            return None
        parts += [inner, str(escape(child.tail or ""))]
    parts.append(f"</{tag}>")
    return "".join(parts)


def to_mathml(latex: str, *, display: bool = False) -> str | None:
    """One formula as safe MathML, or None when it cannot be converted."""
    from latex2mathml.converter import convert

    if not latex.strip() or len(latex) > MAX_FORMULA_CHARS:
        return None
    try:
        converted = convert(latex, display="block" if display else "inline")
        root = ElementTree.fromstring(converted)
    except Exception:  # the converter raises its own errors on any malformed input
        return None
    return _safe(root)


def render_maths(text: str) -> Markup | None:
    """`text` escaped with each formula as MathML, or None when it holds no formula that
    converts (the caller then shows the text as it is)."""
    parts: list[str] = []
    position = 0
    converted = 0
    for match in FORMULA.finditer(text):
        latex = next(
            g for g in (match["display"], match["inline"], match["bracket"], match["paren"],
                        match["env"]) if g is not None
        )  # fmt: skip
        display = match["display"] is not None or match["bracket"] is not None
        mathml = to_mathml(latex, display=display or match["env"] is not None)
        parts.append(str(escape(text[position : match.start()])))
        if mathml is None:
            parts.append(str(escape(match.group(0))))
        else:
            parts.append(mathml)
            converted += 1
        position = match.end()
    if not converted:
        return None
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))
