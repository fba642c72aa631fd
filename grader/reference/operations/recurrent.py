"""Steps of a recurrent layer with the weights given (torch's layouts and gate orders): an Elman
RNN (tanh or relu), a GRU or an LSTM, run over a short sequence from h0 (and c0). The
answer is the last hidden state, the last cell state (LSTM) or every hidden state.

Mistakes computed: one step too few, the hidden state not carried from step to step,
the biases left out, and per cell its classic slip (GRU: z and 1−z swapped; LSTM: the
output gate left out). Approximate (tanh, σ): the rubric states a tolerance. Must not
read student text.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from grader.reference import numeric_ops
from grader.reference.answer_key import AcceptedAnswer, KeyContext, MistakeList, QuestionKey
from grader.reference.operations.base import (
    NamedConvention,
    Operation,
    default_conventions,
    need_rank,
)
from grader.reference.parameters import ArrayRef, OperationParameters
from grader.reference.values import Value, as_value, float_array

Floats = numeric_ops.Floats


class RecurrentParameters(OperationParameters):
    operation: Literal["rnn"]
    cell: Literal["elman", "gru", "lstm"] = "elman"
    nonlinearity: Literal["tanh", "relu"] = Field(default="tanh", description="elman only")
    inputs: ArrayRef = Field(description="one row per time step (T×input size)")
    w_ih: ArrayRef
    w_hh: ArrayRef
    b_ih: ArrayRef | None = None
    b_hh: ArrayRef | None = None
    h0: ArrayRef | None = Field(default=None, description="default: zeros")
    c0: ArrayRef | None = Field(default=None, description="lstm only; default: zeros")
    output: Literal["h", "c", "all_h"] = Field(
        default="h",
        description="the last hidden state, the last cell state (lstm), or every hidden state",
    )
    conventions: tuple[NamedConvention, ...] = default_conventions("as computed")


def compute_recurrent(qid: str, q: RecurrentParameters, context: KeyContext) -> QuestionKey:
    def floats(ref: ArrayRef | None, what: str, ranks: tuple[int, ...]) -> Floats | None:
        if ref is None:
            return None
        exact, _ = context.array(ref, question=qid, what=what)
        need_rank(exact, ranks, what=what)
        return float_array(exact)

    inputs = floats(q.inputs, "inputs", (2,))
    w_ih = floats(q.w_ih, "w_ih", (2,))
    w_hh = floats(q.w_hh, "w_hh", (2,))
    assert inputs is not None and w_ih is not None and w_hh is not None
    size = w_hh.shape[1]
    gates = {"elman": 1, "gru": 3, "lstm": 4}[q.cell]
    if w_ih.shape != (gates * size, inputs.shape[1]) or w_hh.shape != (gates * size, size):
        raise ValueError(
            f"a {q.cell} layer of hidden size {size} on inputs of size {inputs.shape[1]} needs "
            f"w_ih {gates * size}×{inputs.shape[1]} and w_hh {gates * size}×{size} "
            f"(got {w_ih.shape[0]}×{w_ih.shape[1]} and {w_hh.shape[0]}×{w_hh.shape[1]})"
        )
    zeros = np.zeros(gates * size)
    b_ih = floats(q.b_ih, "b_ih", (1,))
    b_hh = floats(q.b_hh, "b_hh", (1,))
    h0 = floats(q.h0, "h0", (1,))
    c0 = floats(q.c0, "c0", (1,))
    if q.output == "c" and q.cell != "lstm":
        raise ValueError("output = 'c' is the cell state of an LSTM")

    def run(
        steps: int | None = None, *, carry: bool = True, biases: bool = True, slip: bool = False
    ) -> Value:
        sequence = inputs[: steps if steps is not None else len(inputs)]
        start_h = h0 if h0 is not None else np.zeros(size)
        start_c = c0 if c0 is not None else np.zeros(size)
        bi = (b_ih if b_ih is not None else zeros) if biases else zeros
        bh = (b_hh if b_hh is not None else zeros) if biases else zeros
        hidden: list[Floats] = []
        cells: list[Floats] = []
        for t in range(len(sequence)):
            previous_h = (hidden[-1] if hidden else start_h) if carry else start_h
            previous_c = (cells[-1] if cells else start_c) if carry else start_c
            x = sequence[t : t + 1]
            if q.cell == "elman":
                (h,) = numeric_ops.rnn_steps(
                    x, previous_h, w_ih, w_hh, bi, bh, nonlinearity=q.nonlinearity
                )
            elif q.cell == "gru":
                (h,) = numeric_ops.gru_steps(x, previous_h, w_ih, w_hh, bi, bh)
                if slip:  # z and 1 − z swapped: h' = z ⊙ n + (1 − z) ⊙ h
                    gi, gh = w_ih @ x[0] + bi, w_hh @ previous_h + bh
                    z = numeric_ops.sigmoid(gi[size : 2 * size] + gh[size : 2 * size])
                    r = numeric_ops.sigmoid(gi[:size] + gh[:size])
                    n = np.tanh(gi[2 * size :] + r * gh[2 * size :])
                    h = z * n + (1.0 - z) * previous_h
            else:
                ((h, c),) = numeric_ops.lstm_steps(x, previous_h, previous_c, w_ih, w_hh, bi, bh)
                if slip:  # the output gate left out: h = tanh(c)
                    h = np.tanh(c)
                cells.append(c)
            hidden.append(h)
        if q.output == "all_h":
            return as_value(np.stack(hidden))
        return as_value(cells[-1] if q.output == "c" else hidden[-1])

    result = run()
    accepted = tuple(AcceptedAnswer(c.name, result) for c in q.conventions)
    mistakes = MistakeList()
    if len(inputs) > 1 and q.output != "all_h":
        mistakes.add("one step too few (the last input left out)", lambda: run(len(inputs) - 1))
        mistakes.add("hidden state not carried from step to step", lambda: run(carry=False))
    if q.b_ih is not None or q.b_hh is not None:
        mistakes.add("biases left out", lambda: run(biases=False))
    if q.cell == "gru":
        mistakes.add("update gate the wrong way round (z and 1−z swapped)", lambda: run(slip=True))
    if q.cell == "lstm" and q.output != "c":
        mistakes.add("output gate left out (h = tanh(c))", lambda: run(slip=True))
    return QuestionKey(qid, "matrix", accepted, mistakes.freeze())


RNN = Operation(
    "rnn",
    "the hidden (or cell) state of an Elman RNN, GRU or LSTM after some steps, from given weights",
    RecurrentParameters,
    compute_recurrent,
)
