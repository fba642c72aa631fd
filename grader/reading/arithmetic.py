"""Evaluate the small arithmetic students leave unevaluated (`9 + 18 + 18`, `3·6`, `\\frac{1}{2}`).

A hand-written tokenizer and recursive-descent parser over exact Fractions.
It must never hand student text to eval()/exec(), and never compute without
bounds: input length, nesting depth and exponents are capped.
"""

from __future__ import annotations

import re
from fractions import Fraction

MAX_EXPRESSION_CHARS = 400
MAX_NESTING = 40
MAX_EXPONENT = 64
MAX_DIGITS = 200  # a result with more digits than this is not something a student wrote

_TOKEN = re.compile(
    r"""
    (?P<space>[\s\u00a0\u2002\u2003\u2009\u202f]+|\\[,;:!\ ]|\\q?quad(?![A-Za-z]))
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]{1,2}(?![0-9]))?|\.[0-9]+)
  | (?P<frac>\\[dt]?frac(?![A-Za-z]))
  | (?P<times>\\(?:cdot|times|ast)(?![A-Za-z])|[*×·⋅∙])
  | (?P<divide>\\div(?![A-Za-z])|[/÷])
  | (?P<power>\^)
  | (?P<plus>\+)
  | (?P<minus>[-−–])
  | (?P<open>\\left\s*[({]|\\left\s*\\\{|\\bigl?\s*\(|[({])
  | (?P<close>\\right\s*[)}]|\\right\s*\\\}|\\bigr?\s*\)|[)}])
    """,
    re.VERBOSE | re.ASCII,
)

_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?", re.ASCII)

_Token = tuple[str, str]


def evaluate_arithmetic(expression: str) -> Fraction:
    """Return the exact value of a small arithmetic expression; ValueError if it cannot be read.

    Accepts + - * / ^ (and `**`), × · ÷, LaTeX \\cdot \\times \\div \\frac{a}{b},
    parentheses or braces, decimals (read exactly: "45.0" is 45) and unary signs.
    """
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise ValueError("expression too long")
    if _PLAIN_NUMBER.fullmatch(expression):
        return Fraction(expression)  # the common case: a number alone
    tokens = _tokenize(expression.replace("**", "^"))
    if not tokens:
        raise ValueError("empty expression")
    parser = _Parser(tokens)
    value = parser.parse()
    return value


def _tokenize(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    end = len(expression)
    while position < end:
        match = _TOKEN.match(expression, position)
        if match is None:
            raise ValueError(f"cannot read {expression[position : position + 10]!r}")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append((kind, match.group()))
        position = match.end()
    return tokens


class _Parser:
    """expr := term (('+'|'-') term)* ; term := unary (('*'|'/') unary)* ;
    unary := ('+'|'-') unary | power ; power := atom ('^' unary)? ;
    atom := number | '(' expr ')' | frac '{' expr '}' '{' expr '}'."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    def parse(self) -> Fraction:
        value = self._expression()
        if self.position != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.position][1]!r}")
        return value

    def _peek(self) -> str | None:
        if self.position < len(self.tokens):
            return self.tokens[self.position][0]
        return None

    def _take(self, kind: str) -> str:
        if self._peek() != kind:
            raise ValueError(f"expected {kind}")
        text = self.tokens[self.position][1]
        self.position += 1
        return text

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ValueError("expression nested too deeply")

    def _expression(self) -> Fraction:
        value = self._term()
        while self._peek() in ("plus", "minus"):
            operator = self._take(self._peek() or "")
            right = self._term()
            value = value + right if operator == "+" else value - right
        return value

    def _term(self) -> Fraction:
        value = self._unary()
        while self._peek() in ("times", "divide"):
            kind = self._peek() or ""
            self._take(kind)
            right = self._unary()
            if kind == "times":
                value = value * right
            elif right == 0:
                raise ValueError("division by zero")
            else:
                value = value / right
            _check_size(value)
        return value

    def _unary(self) -> Fraction:
        kind = self._peek()
        if kind in ("plus", "minus"):
            self._enter()
            self._take(kind or "")
            value = self._unary()
            self.depth -= 1
            return -value if kind == "minus" else value
        return self._power()

    def _power(self) -> Fraction:
        base = self._atom()
        if self._peek() != "power":
            return base
        self._take("power")
        self._enter()
        exponent = self._unary()
        self.depth -= 1
        if exponent.denominator != 1 or abs(exponent) > MAX_EXPONENT:
            raise ValueError("exponent must be a small whole number")
        if base == 0 and exponent < 0:
            raise ValueError("division by zero")
        value = base ** int(exponent)
        _check_size(value)
        return Fraction(value)

    def _atom(self) -> Fraction:
        kind = self._peek()
        if kind == "number":
            return Fraction(self._take("number"))
        if kind == "open":
            return self._group()
        if kind == "frac":
            self._take("frac")
            numerator = self._group()
            denominator = self._group()
            if denominator == 0:
                raise ValueError("division by zero")
            return numerator / denominator
        raise ValueError("expected a number")

    def _group(self) -> Fraction:
        self._take("open")
        self._enter()
        value = self._expression()
        self._take("close")
        self.depth -= 1
        return value


def _check_size(value: Fraction) -> None:
    # Bit length is a cheap stand-in for digit count (about 3.32 bits a digit).
    limit = MAX_DIGITS * 4
    if value.numerator.bit_length() > limit or value.denominator.bit_length() > limit:
        raise ValueError("number too large")
