from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.reading import evaluate_arithmetic


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("45", Fraction(45)),
        ("45.0", Fraction(45)),
        ("45.", Fraction(45)),
        ("63.5", Fraction(127, 2)),
        (".5", Fraction(1, 2)),
        ("9 + 18 + 18", Fraction(45)),
        ("(9+18+18)", Fraction(45)),
        ("1*1+2*2", Fraction(5)),
        ("3·6", Fraction(18)),
        ("2×9", Fraction(18)),
        ("3 \\cdot 6", Fraction(18)),
        ("2 \\times 9", Fraction(18)),
        ("2\\times9", Fraction(18)),
        ("(128-3)/2+1", Fraction(127, 2)),
        ("(128 - 3) / 1 + 1", Fraction(126)),
        ("-3 + 5", Fraction(2)),
        ("−3", Fraction(-3)),
        ("2 - -3", Fraction(5)),
        ("2^3", Fraction(8)),
        ("2**3", Fraction(8)),
        ("2^{3}", Fraction(8)),
        ("\\frac{1}{2} + \\frac{3}{2}", Fraction(2)),
        ("{9 + 18} \\cdot 2", Fraction(54)),
        ("\\left( 9 + 18 \\right) \\times 2", Fraction(54)),
        ("12 ÷ 4", Fraction(3)),
        ("1\u00a0+\u00a01", Fraction(2)),
    ],
)
def test_reads_exact_values(expression, expected):
    assert evaluate_arithmetic(expression) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "   ",
        "9 +",
        "x + 1",
        "1 2",
        "(1 + 2",
        "1 + 2)",
        "1 / 0",
        "1 / (2 - 2)",
        "2 ^ 0.5",
        "2 ^ 1000",
        "1.2.3",
        "__import__('os')",
        "٣ + 1",  # digits of other scripts are not read as numbers
        "(" * 100 + "1" + ")" * 100,
        "9" * 500,
    ],
)
def test_rejects_what_it_cannot_read(expression):
    with pytest.raises(ValueError):
        evaluate_arithmetic(expression)


def test_huge_products_are_refused_not_computed():
    with pytest.raises(ValueError):
        evaluate_arithmetic("*".join(["999999999999"] * 30))


# Random expression trees, rendered as text, against the value computed directly.
_TIMES = st.sampled_from(["*", "×", "·", " \\cdot ", " \\times "])
_DIVIDE = st.sampled_from(["/", "÷"])


def _leaf() -> st.SearchStrategy[tuple[str, Fraction]]:
    return st.integers(min_value=0, max_value=999).map(lambda value: (str(value), Fraction(value)))


@st.composite
def _combine(draw, children):
    left_text, left_value = draw(children)
    right_text, right_value = draw(children)
    operator = draw(st.sampled_from(["+", "-", "*", "/"]))
    space = draw(st.sampled_from(["", " "]))
    if operator == "/" and right_value == 0:
        operator = "+"
    if operator == "+":
        value = left_value + right_value
        symbol = "+"
    elif operator == "-":
        value = left_value - right_value
        symbol = "-"
    elif operator == "*":
        value = left_value * right_value
        symbol = draw(_TIMES)
    else:
        value = left_value / right_value
        symbol = draw(_DIVIDE)
    return f"({left_text}{space}{symbol}{space}{right_text})", value


_EXPRESSIONS = st.recursive(_leaf(), _combine, max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(_EXPRESSIONS, st.booleans())
def test_random_expressions_match_direct_computation(expression, negate):
    text, value = expression
    if negate:
        text, value = f"-{text}", -value
    assert evaluate_arithmetic(text) == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_gives_a_value_or_value_error(text):
    try:
        result = evaluate_arithmetic(text)
    except ValueError:
        return
    assert isinstance(result, Fraction)
