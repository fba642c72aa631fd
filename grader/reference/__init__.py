"""Reference math: the answer key of every exact question, computed from its parameters.

`operations.OPERATIONS` is the table of what can be computed (convolutions, pooling,
matrix products, activations, normalisation, attention, recurrent steps, shapes and
parameter counts of any torch.nn module, the course's own functions). Everything here
computes from the question parameters in the template folder; no expected result is
ever typed in. This package never reads student text.
"""

from grader.reference.answer_key import (
    AcceptedAnswer,
    KeyContext,
    KnownMistake,
    QuestionKey,
    compute_key,
)
from grader.reference.parameters import AssignmentParameters, load_parameters

__all__ = [
    "AcceptedAnswer",
    "AssignmentParameters",
    "KeyContext",
    "KnownMistake",
    "QuestionKey",
    "compute_key",
    "load_parameters",
]
