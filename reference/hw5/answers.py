"""HW5's own reference code: answers the grader's built-in operations do not compute.

Named by the rubric ([assignment] reference = "answers.py") and loaded only from this
template folder; each function gets the question's `arguments` as keyword arguments and
returns the answer. `grader check-template reference/hw5` checks that every function
is deterministic and returns the kind its question declares.
"""

import math


def positional_encoding(position: int, d_model: int) -> list[float]:
    """The sinusoidal encoding of one position (Vaswani et al., 2017): PE[2i] = sin(pos /
    10000^(2i/d)), PE[2i+1] = cos(pos / 10000^(2i/d))."""
    encoding = []
    for index in range(d_model):
        angle = position / 10000 ** ((index - index % 2) / d_model)
        encoding.append(math.sin(angle) if index % 2 == 0 else math.cos(angle))
    return encoding
