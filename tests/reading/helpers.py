"""Small helpers shared by the reading tests."""

from fractions import Fraction


def as_ints(values):
    """Nested tuples of Fractions as nested lists of ints (fails loudly on non-integers)."""
    if isinstance(values, Fraction):
        assert values.denominator == 1, values
        return int(values)
    return [as_ints(value) for value in values]
