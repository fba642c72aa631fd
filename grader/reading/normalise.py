"""Normalise the text of every written-answer format the same way before it is read.

One function, `normalise_text`, used by every format reader (plain text,
PDF, Word, notebooks): `\\n` line ends, no NUL or byte-order mark, Unicode
compatibility forms folded (NFKC: ligatures `ﬁ`, full-width digits `１２`,
non-breaking and thin spaces), hyphen and minus look-alikes (`−`, `‐`) as
`-`, Unicode line separators as `\\n`, invisible characters (zero-width
space, soft hyphen) removed, and the junk of PDF text layers (control codes,
private-use bracket pieces) and Word's Symbol-font operators made readable.
Superscripts, subscripts and vulgar fractions are kept as written: NFKC
would turn `10²` into `102`, a different number. `×` is untouched (NFKC
keeps it; shapes use it). This module must not interpret or split answers.
"""

from __future__ import annotations

import re
import unicodedata

# NFKC folds these into plain digits, which changes the number a student wrote.
_KEPT_DECOMPOSITIONS = ("<super>", "<sub>", "<fraction>")
# Minus and hyphen look-alikes that NFKC leaves alone; Unicode line and paragraph separators.
_AS_HYPHEN_MINUS = str.maketrans(
    {**dict.fromkeys("\u2212\u2010\u2011\u2012", "-"), "\u2028": "\n", "\u2029": "\n"}
)
# Invisible characters that split numbers and words: zero-width space, word joiner, soft hyphen,
# and a byte-order mark inside the text. Zero-width (non-)joiners stay: some scripts need them.
_INVISIBLE = re.compile("[\u200b\u2060\u00ad\ufeff]")
# Junk a PDF text layer leaves where glyphs have no Unicode meaning: C0 control codes (TeX's big
# brackets come out as \x14 and \x15, glued to the first number of a row) and the private-use
# codes of bracket and brace pieces (U+F8E5-U+F8FE). Each becomes a space, so rows stay numbers.
_JUNK = re.compile("[\x01-\x08\x0e-\x1f\x7f\uf8e5-\uf8fe]")
_PAGE_AND_LINE_FEEDS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
# Word's Symbol font keeps operators in private-use codes (U+F000 + the Symbol code).
_SYMBOL_FONT = str.maketrans(
    {
        "\uf0b4": "×",
        "\uf0d7": "⋅",
        "\uf0b8": "÷",
        "\uf02d": "-",
        "\uf02b": "+",
        "\uf03d": "=",
        "\uf0b1": "±",
        "\uf0a3": "≤",
        "\uf0b3": "≥",
        "\uf028": "(",
        "\uf029": ")",
        "\uf05b": "[",
        "\uf05d": "]",
    }
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def normalise_text(text: str) -> str:
    """The text as every reader expects it: line ends, NUL, BOM, then Unicode (`normalise_unicode`)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return normalise_unicode(text.lstrip("\ufeff"))


def normalise_unicode(text: str) -> str:
    """NFKC except superscripts, subscripts and fractions; minus look-alikes as `-`; no invisibles."""
    # Junk and invisibles go first, so NFKC sees the characters that end up side by side.
    text = _JUNK.sub(" ", text.translate(_PAGE_AND_LINE_FEEDS))
    if text.isascii():
        return text
    text = _INVISIBLE.sub("", text).translate(_AS_HYPHEN_MINUS).translate(_SYMBOL_FONT)
    pieces: list[str] = []
    start = 0
    for match in _NON_ASCII.finditer(text):
        if unicodedata.decomposition(match.group()).startswith(_KEPT_DECOMPOSITIONS):
            pieces.append(unicodedata.normalize("NFKC", text[start : match.start()]))
            pieces.append(match.group())
            start = match.end()
    pieces.append(unicodedata.normalize("NFKC", text[start:]))
    return "".join(pieces)
