"""NumPy oracles shared by the network tests (Problems 4 and 5).

Plain NumPy (float64) versions of what the students build, written independently of any
framework, so that the PyTorch and the TensorFlow checks compare against the same numbers:
softmax, scaled dot-product attention, an MLP forward and backward pass, one SGD or Adam
(Keras' formulation) step, and a seeded synthetic classification set. No expected values
live here: everything is computed from the arguments.
"""

from __future__ import annotations

import numpy as np

ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "sigmoid": (lambda z: 1.0 / (1.0 + np.exp(-z)), lambda z, a: a * (1.0 - a)),
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
}


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax along ``axis``; entries equal to ``-inf`` get probability 0."""
    x = np.asarray(x, dtype=np.float64)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def scaled_dot_product_attention(query, key, value, mask=None, *, scaled: bool = True,
                                 blocked: float = -np.inf) -> tuple[np.ndarray, np.ndarray]:
    """``softmax(Q K^T / sqrt(d_k)) V`` over the last two axes, any leading batch axes.

    ``mask`` (bool, broadcastable to ``(..., L_q, L_k)``) is True where attention is allowed;
    blocked scores become ``blocked`` (``-inf``; a finite value is added instead, as the
    TensorFlow tutorial's helper does). ``scaled=False`` leaves out the ``1/sqrt(d_k)``.
    (Tests run known mistakes through these options to diagnose a result.) Returns
    ``(output (..., L_q, d_v), weights (..., L_q, L_k))`` in float64.
    """
    q = np.asarray(query, dtype=np.float64)
    k = np.asarray(key, dtype=np.float64)
    v = np.asarray(value, dtype=np.float64)
    scores = q @ np.swapaxes(k, -1, -2) / (np.sqrt(q.shape[-1]) if scaled else 1.0)
    if mask is not None:
        allowed = np.asarray(mask, dtype=bool)
        scores = np.where(allowed, scores, -np.inf) if np.isinf(blocked) else scores + np.where(allowed, 0.0, blocked)
    with np.errstate(invalid="ignore"):
        weights = softmax(scores, axis=-1)
    return weights @ v, weights


def causal_mask(length: int) -> np.ndarray:
    """Bool ``(length, length)``, True (allowed) where ``j <= i``."""
    return np.tril(np.ones((length, length), dtype=bool))


def mlp_forward(x, layers, activation: str = "relu") -> np.ndarray:
    """MLP output: ``layers`` is a list of ``(kernel (in, out), bias (out,))``, Keras layout.

    Every layer but the last is followed by ``activation`` (a name in :data:`ACTIVATIONS`).
    For PyTorch ``nn.Linear`` weights pass ``weight.T`` as the kernel.
    """
    return _mlp_forward_cache(x, layers, activation)[0]


def _mlp_forward_cache(x, layers, activation):
    act, _ = ACTIVATIONS[activation]
    a = np.asarray(x, dtype=np.float64)
    cache = []
    for i, (kernel, bias) in enumerate(layers):
        z = a @ np.asarray(kernel, dtype=np.float64) + np.asarray(bias, dtype=np.float64)
        last = i == len(layers) - 1
        out = z if last else act(z)
        cache.append((a, z, out))
        a = out
    return a, cache


def loss_and_output_grad(outputs, targets, loss: str) -> tuple[float, np.ndarray]:
    """Mean loss over the batch and its gradient with respect to ``outputs``.

    ``loss``: ``"sparse_ce"`` (softmax cross-entropy from logits, integer class targets, as
    Keras' ``SparseCategoricalCrossentropy(from_logits=True)`` and PyTorch's
    ``CrossEntropyLoss``) or ``"mse"`` (mean over every entry, as Keras' ``MeanSquaredError``).
    """
    outputs = np.asarray(outputs, dtype=np.float64)
    if loss == "sparse_ce":
        targets = np.asarray(targets).astype(np.int64).reshape(-1)
        n = outputs.shape[0]
        probs = softmax(outputs, axis=-1)
        value = float(-np.mean(np.log(probs[np.arange(n), targets])))
        grad = probs.copy()
        grad[np.arange(n), targets] -= 1.0
        return value, grad / n
    if loss == "mse":
        diff = outputs - np.asarray(targets, dtype=np.float64).reshape(outputs.shape)
        return float(np.mean(diff ** 2)), 2.0 * diff / diff.size
    raise ValueError(f"unknown loss {loss!r}")


def mlp_loss_and_grads(x, targets, layers, activation: str = "relu", loss: str = "sparse_ce"):
    """``(loss, grads)`` of the MLP; ``grads`` is a list of ``(d_kernel, d_bias)`` like ``layers``."""
    _, derivative = ACTIVATIONS[activation]
    out, cache = _mlp_forward_cache(x, layers, activation)
    value, delta = loss_and_output_grad(out, targets, loss)
    grads = [None] * len(layers)
    for i in reversed(range(len(layers))):
        a_in, z, a_out = cache[i]
        if i != len(layers) - 1:
            delta = delta * derivative(z, a_out)
        grads[i] = (a_in.T @ delta, delta.sum(axis=0))
        delta = delta @ np.asarray(layers[i][0], dtype=np.float64).T
    return value, grads


def sgd_step(layers, grads, lr: float):
    """Plain SGD: ``param - lr * grad`` for every kernel and bias (new list, float64)."""
    return [(np.asarray(k, np.float64) - lr * gk, np.asarray(b, np.float64) - lr * gb)
            for (k, b), (gk, gb) in zip(layers, grads)]


def adam_init(layers) -> dict:
    """Zero Adam state for :func:`adam_step`."""
    zeros = [(np.zeros_like(np.asarray(k, np.float64)), np.zeros_like(np.asarray(b, np.float64))) for k, b in layers]
    return {"t": 0, "m": zeros, "v": [(a.copy(), b.copy()) for a, b in zeros]}


def adam_step(layers, grads, state: dict, lr: float, beta_1: float = 0.9, beta_2: float = 0.999,
              epsilon: float = 1e-7):
    """One Adam step in Keras' formulation; returns the new layers and updates ``state`` in place.

    ``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``, ``m += (g - m)(1 - beta_1)``,
    ``v += (g^2 - v)(1 - beta_2)``, ``param -= alpha * m / (sqrt(v) + epsilon)``.
    """
    state["t"] += 1
    t = state["t"]
    alpha = lr * np.sqrt(1.0 - beta_2 ** t) / (1.0 - beta_1 ** t)
    new_layers, new_m, new_v = [], [], []
    for (params, grad_pair, m_pair, v_pair) in zip(layers, grads, state["m"], state["v"]):
        updated, ms, vs = [], [], []
        for p, g, m, v in zip(params, grad_pair, m_pair, v_pair):
            m = m + (g - m) * (1.0 - beta_1)
            v = v + (g * g - v) * (1.0 - beta_2)
            updated.append(np.asarray(p, np.float64) - alpha * m / (np.sqrt(v) + epsilon))
            ms.append(m)
            vs.append(v)
        new_layers.append(tuple(updated))
        new_m.append(tuple(ms))
        new_v.append(tuple(vs))
    state["m"], state["v"] = new_m, new_v
    return new_layers


def synthetic_classification(n_samples: int, n_features: int, n_classes: int, seed: int,
                             spread: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A seeded Gaussian-blob classification set: ``(X float32 (n, d), y int64 (n,))``.

    Class centres are drawn from ``N(0, 3^2)``; each sample is its class centre plus
    ``N(0, spread^2)`` noise. Classes are assigned round-robin, then the order is shuffled.
    """
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 3.0, size=(n_classes, n_features))
    y = np.arange(n_samples) % n_classes
    rng.shuffle(y)
    X = centres[y] + rng.normal(0.0, spread, size=(n_samples, n_features))
    return X.astype(np.float32), y.astype(np.int64)
