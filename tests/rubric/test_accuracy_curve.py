"""The rubric's accuracy curve: the one place a measured accuracy becomes a share of the points."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from grader.kinds.accuracy import AccuracyCurve


@pytest.mark.parametrize(
    ("measured", "share"),
    [(1.0, 1.0), (0.75, 1.0), (0.70, 1.0), (0.60, 0.5), (0.55, 0.25), (0.50, 0.0), (0.3, 0.0)],
)
def test_curve_full_above_linear_between_zero_below(measured, share):
    curve = AccuracyCurve(full_at=0.70, zero_at=0.50)
    assert curve.share(measured) == pytest.approx(share)


def test_curve_points_are_rounded():
    assert AccuracyCurve(full_at=0.70, zero_at=0.50).points(0.61, max_points=3) == 1.65


def test_nan_and_infinite_accuracy_earn_nothing():
    curve = AccuracyCurve(full_at=0.7, zero_at=0.5)
    assert curve.share(math.nan) == 0.0
    assert curve.share(math.inf) == 0.0


@pytest.mark.parametrize(("full_at", "zero_at"), [(0.5, 0.7), (0.7, 0.7), (1.2, 0.5), (0.7, -0.1)])
def test_curve_must_be_ordered_within_zero_and_one(full_at, zero_at):
    with pytest.raises(ValidationError):
        AccuracyCurve(full_at=full_at, zero_at=zero_at)
