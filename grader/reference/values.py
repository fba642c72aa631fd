"""Values of an answer key: nested tuples of exact `Fraction`s or, where the math is not
rational (a softmax, a tanh, a square root), of floats.

Job: convert parameters and computed arrays into that one representation, tell an exact
value from an approximate one, round for display, and turn a value into JSON. Must not
compute anything about a question (the operations do) or read student text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

Number = Fraction | float
#: A number, or nested tuples of numbers: a vector, a matrix (H×W), channels (C×H×W), a shape.
Value = Any
ExactArray = npt.NDArray[np.object_]


def exact_number(raw: object) -> Fraction:
    """A parameter as an exact Fraction: 3 → 3, 0.1 → 1/10 (the decimal written), "1/3" → 1/3."""
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a number")
    if isinstance(raw, Fraction | int):
        return Fraction(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueError(f"{raw!r} is not a finite number")
        return Fraction(repr(raw))  # the decimal as written in the TOML, not its binary float
    if isinstance(raw, str):
        try:
            return Fraction(raw.strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(f'{raw!r} is not a number (write 3, 0.5 or "1/3")') from None
    raise ValueError(f"{raw!r} is not a number")


def exact_array(values: Iterable[object]) -> ExactArray:
    """Nested numbers → numpy object array of Fractions."""
    array = np.array(values, dtype=object)
    return np.vectorize(exact_number, otypes=[object])(array) if array.size else array


def float_array(values: Iterable[object] | ExactArray) -> npt.NDArray[np.float64]:
    """Nested numbers (or an exact array) → float64 array, for the math that is not rational."""
    array = np.array(values, dtype=object)
    return np.vectorize(float, otypes=[np.float64])(array) if array.size else array.astype(float)


def as_value(array: Any) -> Value:
    """A numpy array (object of Fraction, or float) or nested lists → nested tuples of numbers.

    Floats that are whole numbers stay floats: exactness is a property of the math, not
    of one result.
    """
    if isinstance(array, np.ndarray):
        if array.ndim == 0:
            return as_value(array.item())
        return tuple(as_value(sub) for sub in array)
    if isinstance(array, list | tuple):
        return tuple(as_value(sub) for sub in array)
    if isinstance(array, Fraction):
        return array
    if isinstance(array, bool):
        raise ValueError(f"{array!r} is not a number")
    if isinstance(array, int | np.integer):
        return Fraction(int(array))
    if isinstance(array, float | np.floating):
        return float(array)
    raise ValueError(f"{array!r} is not a number")


def is_exact(value: Value) -> bool:
    """True when every number of the value is a Fraction (compared exactly, shown exactly)."""
    if isinstance(value, tuple):
        return all(is_exact(sub) for sub in value)
    return isinstance(value, Fraction)


def shape_of(value: Value) -> tuple[int, ...]:
    """Shape of a nested tuple (assumed rectangular)."""
    shape: list[int] = []
    while isinstance(value, tuple):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


def flatten(value: Value) -> list[Number]:
    if isinstance(value, tuple):
        return [entry for sub in value for entry in flatten(sub)]
    return [value]


def decimals_for(tolerance: float) -> int:
    """Decimals that show a value to within `tolerance`: 0.01 → 2, 0.005 → 3, 0.5 → 1."""
    return max(0, math.ceil(-math.log10(tolerance))) if tolerance < 1 else 0


def numbers_equal(got: Number, expected: Number, tolerance: float | None) -> bool:
    """Exact equality, or |got − expected| ≤ tolerance when the rubric states one."""
    if tolerance is None:
        return bool(got == expected)
    return abs(float(got) - float(expected)) <= tolerance + 1e-12


def values_equal(got: Value, expected: Value, tolerance: float | None = None) -> bool:
    """Equal shapes and every entry equal (within `tolerance`, when given)."""
    if isinstance(got, tuple) or isinstance(expected, tuple):
        if not (isinstance(got, tuple) and isinstance(expected, tuple)) or len(got) != len(
            expected
        ):
            return False
        return all(values_equal(g, e, tolerance) for g, e in zip(got, expected, strict=True))
    return numbers_equal(got, expected, tolerance)


def to_jsonable(value: Value, decimals: int | None = None) -> Any:
    """Nested tuples → nested lists: whole numbers as int, other Fractions as "p/q" strings,
    floats as floats (rounded to `decimals` when given)."""
    if isinstance(value, tuple | list):
        return [to_jsonable(v, decimals) for v in value]
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    if isinstance(value, float):
        if decimals is not None and math.isfinite(value):
            rounded = round(value, decimals)
            return 0.0 if rounded == 0 else rounded  # never "-0.0"
        return value
    return value
