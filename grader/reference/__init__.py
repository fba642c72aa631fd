"""Reference math: exact convolution, pooling and shape formulas, and the answer key built from them.

Everything here computes from the question parameters in `reference/<hw>/`;
no expected result is ever typed in. This package never reads student text.
"""

from grader.reference.answer_key import AcceptedAnswer, KnownMistake, QuestionKey, compute_key
from grader.reference.parameters import AssignmentParameters, load_parameters

__all__ = [
    "AcceptedAnswer",
    "AssignmentParameters",
    "KnownMistake",
    "QuestionKey",
    "compute_key",
    "load_parameters",
]
