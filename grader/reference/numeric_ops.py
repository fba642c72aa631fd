"""The deep-learning math whose results are not rational: activations, softmax, batch and
layer normalisation, scaled dot-product attention, and Elman RNN / GRU / LSTM steps.

Computed in float64 with numpy, following `torch.nn.functional` and `torch.nn`'s
conventions (weight layouts, gate order, biased variance in normalisation). Rational
activations (ReLU, leaky ReLU with a rational slope) are computed exactly on Fractions.
Only the math lives here; the tests check every function against torch itself.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from grader.reference.values import ExactArray, exact_array

Floats = npt.NDArray[np.float64]


def relu(values: ExactArray) -> ExactArray:
    """max(0, x), exactly."""
    return exact_array(np.vectorize(lambda x: max(x, Fraction(0)), otypes=[object])(values))


def leaky_relu(values: ExactArray, negative_slope: Fraction) -> ExactArray:
    """x for x ≥ 0, slope·x below, exactly."""
    return exact_array(
        np.vectorize(lambda x: x if x >= 0 else negative_slope * x, otypes=[object])(values)
    )


def sigmoid(values: Floats) -> Floats:
    return 1.0 / (1.0 + np.exp(-values))


def tanh(values: Floats) -> Floats:
    return np.tanh(values)


def gelu(values: Floats) -> Floats:
    """The exact (erf) GELU, torch's default."""
    from math import erf, sqrt

    return np.vectorize(lambda x: 0.5 * x * (1.0 + erf(x / sqrt(2.0))), otypes=[np.float64])(values)


def elu(values: Floats, alpha: float = 1.0) -> Floats:
    return np.where(values > 0, values, alpha * (np.exp(values) - 1.0))


def softplus(values: Floats) -> Floats:
    return np.log1p(np.exp(values))


def silu(values: Floats) -> Floats:
    return values * sigmoid(values)


def softmax(values: Floats, dim: int = -1) -> Floats:
    shifted = values - values.max(axis=dim, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=dim, keepdims=True)


def log_softmax(values: Floats, dim: int = -1) -> Floats:
    return np.log(softmax(values, dim))


#: Activations by the name a parameters file uses; each maps floats to floats.
FLOAT_ACTIVATIONS: dict[str, Callable[[Floats], Floats]] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "gelu": gelu,
    "softplus": softplus,
    "silu": silu,
}


def batch_norm(
    values: Floats,
    *,
    eps: float = 1e-5,
    weight: Floats | None = None,
    bias: Floats | None = None,
) -> Floats:
    """Training-mode batch normalisation: statistics per feature (axis 1) over the batch (axis 0)
    and any spatial axes, with the biased variance, as torch normalises a batch."""
    axes = tuple(i for i in range(values.ndim) if i != 1)
    mean = values.mean(axis=axes, keepdims=True)
    variance = values.var(axis=axes, keepdims=True)  # ddof=0: the biased variance
    result = (values - mean) / np.sqrt(variance + eps)
    shape = [1] * values.ndim
    shape[1] = values.shape[1]
    if weight is not None:
        result = result * weight.reshape(shape)
    if bias is not None:
        result = result + bias.reshape(shape)
    return result


def layer_norm(
    values: Floats,
    *,
    normalized_dims: int = 1,
    eps: float = 1e-5,
    weight: Floats | None = None,
    bias: Floats | None = None,
) -> Floats:
    """Layer normalisation over the last `normalized_dims` axes (biased variance), as torch."""
    axes = tuple(range(values.ndim - normalized_dims, values.ndim))
    mean = values.mean(axis=axes, keepdims=True)
    variance = values.var(axis=axes, keepdims=True)
    result = (values - mean) / np.sqrt(variance + eps)
    if weight is not None:
        result = result * weight
    if bias is not None:
        result = result + bias
    return result


def attention(
    query: Floats,
    key: Floats,
    value: Floats,
    *,
    scale: float | None = None,
    causal: bool = False,
    mask: npt.NDArray[np.bool_] | None = None,
    softmax_dim: int = -1,
) -> tuple[Floats, Floats]:
    """Scaled dot-product attention: (softmax(Q·Kᵀ·scale + mask)·V, the attention weights).

    `scale` defaults to 1/√d (d = the query's last dimension); `mask` is True where a
    query may attend; `causal` lets query i attend to keys 0…i only.
    """
    d = query.shape[-1]
    factor = 1.0 / np.sqrt(d) if scale is None else scale
    scores = query @ np.swapaxes(key, -1, -2) * factor
    allowed = np.ones(scores.shape, dtype=bool)
    if causal:
        allowed &= np.tril(np.ones(scores.shape[-2:], dtype=bool))
    if mask is not None:
        allowed &= mask
    scores = np.where(allowed, scores, -np.inf)
    weights = softmax(scores, softmax_dim)
    return weights @ value, weights


def _act(name: str) -> Callable[[Floats], Floats]:
    if name == "relu":
        return lambda x: np.maximum(x, 0.0)
    return FLOAT_ACTIVATIONS[name]


def rnn_steps(
    inputs: Floats,
    h0: Floats,
    w_ih: Floats,
    w_hh: Floats,
    b_ih: Floats,
    b_hh: Floats,
    *,
    nonlinearity: str = "tanh",
) -> list[Floats]:
    """Elman RNN, torch.nn.RNN's cell: h_t = act(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh).
    Returns h_1 … h_T."""
    act = _act(nonlinearity)
    states, h = [], h0
    for x in inputs:
        h = act(w_ih @ x + b_ih + w_hh @ h + b_hh)
        states.append(h)
    return states


def gru_steps(
    inputs: Floats, h0: Floats, w_ih: Floats, w_hh: Floats, b_ih: Floats, b_hh: Floats
) -> list[Floats]:
    """torch.nn.GRU's cell (gates r, z, n stacked in that order in W_ih, W_hh):
    r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(…), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
    h' = (1 − z) ⊙ n + z ⊙ h. Returns h_1 … h_T."""
    size = h0.shape[0]
    states, h = [], h0
    for x in inputs:
        gi = w_ih @ x + b_ih
        gh = w_hh @ h + b_hh
        r = sigmoid(gi[:size] + gh[:size])
        z = sigmoid(gi[size : 2 * size] + gh[size : 2 * size])
        n = np.tanh(gi[2 * size :] + r * gh[2 * size :])
        h = (1.0 - z) * n + z * h
        states.append(h)
    return states


def lstm_steps(
    inputs: Floats,
    h0: Floats,
    c0: Floats,
    w_ih: Floats,
    w_hh: Floats,
    b_ih: Floats,
    b_hh: Floats,
) -> list[tuple[Floats, Floats]]:
    """torch.nn.LSTM's cell (gates i, f, g, o stacked in that order):
    c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'). Returns (h_t, c_t) for t = 1 … T."""
    size = h0.shape[0]
    states, h, c = [], h0, c0
    for x in inputs:
        gates = w_ih @ x + b_ih + w_hh @ h + b_hh
        i = sigmoid(gates[:size])
        f = sigmoid(gates[size : 2 * size])
        g = np.tanh(gates[2 * size : 3 * size])
        o = sigmoid(gates[3 * size :])
        c = f * c + i * g
        h = o * np.tanh(c)
        states.append((h, c))
    return states
