"""Public tests for Problem 5 (tf_networks.py), against NumPy oracles.

This process never imports TensorFlow: your code runs in the worker, and every expected
value comes from ``harness.oracles`` (the same attention oracle as Problem 4's, and a NumPy
MLP with a hand-written backward pass and SGD / Adam steps in Keras' formulation).

A hint of :data:`HINTS` is shown only when that mistake, run by the NumPy oracle, reproduces
the student's output; otherwise a message says what differs and what the reference computes.
"""

from __future__ import annotations

import numpy as np
import oracles
import pytest

from harness.checks import check, check_array, check_close, check_type

TOL32 = {"atol": 2e-5, "rtol": 1e-4}
# float64 must stay float64 (checked through the dtype); a constant such as sqrt(d_k) computed in float32
# costs ~1e-8 relative, which is not what these tests are about.
TOL64 = {"atol": 1e-8, "rtol": 1e-6}
HINTS = {
    "inverted_mask": "the mask is True where attention is ALLOWED: your output matches the TensorFlow tutorial's "
                     "helper, which adds mask * -1e9 (True = blocked); block where the mask is False",
}
# What each reference computes, said with a failed comparison (what was checked, not why it differs).
ATTENTION = ("A(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V with d_k = query.shape[-1]; the mask is True where attention "
             "is ALLOWED")
MLP = "hidden_layers: a list of Dense(h, activation=activation); output_layer: Dense(output_dim), no activation"
STEP = ("inside a tf.function: with tf.GradientTape() as tape: loss = loss_fn(y, model(x, training=True)); "
        "then optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), "
        "model.trainable_variables)); return loss")
ACTIVATION_NAMES = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid"}


def f32(array) -> np.ndarray:
    """float64 values that float32 represents exactly."""
    return np.asarray(array, dtype=np.float32).astype(np.float64)


def random_mask(rng: np.random.Generator, shape: tuple, p_allowed: float = 0.6) -> np.ndarray:
    """A random bool mask with at least one allowed key in every row."""
    mask = rng.random(shape) < p_allowed
    keep = rng.integers(0, shape[-1], size=shape[:-1])
    np.put_along_axis(mask, keep[..., None], True, axis=-1)
    return mask


def attention_inputs(seed: int, q_shape: tuple, k_shape: tuple, d_v: int):
    rng = np.random.default_rng(seed)
    return rng, f32(rng.normal(size=q_shape)), f32(rng.normal(size=k_shape)), f32(rng.normal(size=(*k_shape[:-1], d_v)))


def compare_attention(student, q, k, v, mask, dtype: str = "float32", in_tf_function: bool = False,
                      reveal: bool = True) -> None:
    expected_out, expected_w = oracles.scaled_dot_product_attention(q, k, v, mask)
    label = (f"tf_scaled_dot_product_attention(query{q.shape}, key{k.shape}, value{v.shape}, "
             f"mask={'None' if mask is None else f'bool{mask.shape}'}) in {dtype}"
             + (" inside a tf.function" if in_tf_function else ""))
    result = student.probe("tf_nets.attention", q, k, v, mask, dtype=dtype, in_tf_function=in_tf_function,
                           timeout=60)
    got = result["outputs"]
    check(isinstance(got, (tuple, list)) and len(got) == 2, label,
          f"expected a tuple (output, weights), got {type(got).__name__}")
    tol = TOL32 if dtype == "float32" else TOL64
    for index, (name, g, e) in enumerate((("output", got[0], expected_out), ("weights", got[1], expected_w))):
        what = f"{label}: {name} (the reference: {ATTENTION})"
        check_array(g, what, shape=e.shape)
        check_close(g, e, what, reveal=reveal, **tol,
                    hint=lambda g=g, index=index: diagnose_attention(g, index, q, k, v, mask, tol, dtype))
    check(result["dtypes"] == [dtype, dtype], f"{label} (computed in the inputs' dtype)",
          f"outputs have dtypes {result['dtypes']}, expected {dtype}")


def tutorial_helper(q, k, v, mask, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """The TensorFlow tutorial's helper run in ``dtype``: ``scores + mask * -1e9`` (True = blocked). In
    float32, -1e9 swallows the scores of a row whose every entry it is added to, which becomes uniform."""
    t = np.float32 if dtype == "float32" else np.float64
    scores = (q.astype(t) @ np.swapaxes(k.astype(t), -1, -2)) / t(np.sqrt(q.shape[-1]))
    weights = oracles.softmax((scores + np.asarray(mask, dtype=t) * t(-1e9)).astype(np.float64))
    return weights @ v, weights


def diagnose_attention(got, index, q, k, v, mask, tol, dtype) -> str | None:
    """The inverted-mask hint when the tutorial's helper gives the student's output ``index`` (0 output,
    1 weights) and the right one differs."""
    if mask is None:
        return None
    wrong = tutorial_helper(q, k, v, mask, dtype)[index]
    right = oracles.scaled_dot_product_attention(q, k, v, mask)[index]
    got = np.asarray(got, dtype=np.float64)
    same = lambda a, b: a.shape == b.shape and bool(np.allclose(a, b, equal_nan=True, **tol))  # noqa: E731
    return HINTS["inverted_mask"] if same(got, wrong) and not same(wrong, right) else None


def mlp_layers(seed: int, dims: list) -> list:
    """Kernels (in, out) and biases for ``dims = [input, hidden..., output]``, float32-exact."""
    rng = np.random.default_rng(seed)
    return [[f32(rng.normal(0.0, 1.0 / np.sqrt(i), size=(i, o))), f32(rng.normal(0.0, 0.1, size=o))]
            for i, o in zip(dims[:-1], dims[1:])]


def compare_mlp_forward(student, seed: int, batch: int, input_dim: int, hidden_dims: tuple, output_dim: int,
                        activation: str, reveal: bool = True) -> None:
    layers = mlp_layers(seed, [input_dim, *hidden_dims, output_dim])
    x = f32(np.random.default_rng(seed + 1).normal(size=(batch, input_dim)))
    label = f"TFMLP({output_dim}, hidden_dims={hidden_dims}, activation={activation!r}) on x{x.shape}"
    result = student.probe("tf_nets.mlp_forward", output_dim, list(hidden_dims), activation, layers, x, timeout=60)
    expected = oracles.mlp_forward(x, layers, ACTIVATION_NAMES[activation])
    what = f"{label} (the reference: {MLP})"
    check_array(result["outputs"], what, shape=expected.shape)
    check_close(result["outputs"], expected, what, reveal=reveal, **TOL32)


def compare_train_steps(student, seed: int, batch: int, dims: list, activation: str, loss: str, optimizer: dict,
                        n_steps: int, reveal: bool = True) -> None:
    layers = mlp_layers(seed, dims)
    rng = np.random.default_rng(seed + 1)
    x = f32(rng.normal(size=(batch, dims[0])))
    if loss == "sparse_ce":
        y = rng.integers(0, dims[-1], size=batch).astype(np.int64)
    else:
        y = f32(rng.normal(size=(batch, dims[-1])))
    label = (f"make_train_step(TFMLP{tuple(dims[1:-1])}, {loss}, {optimizer['kind']}(lr={optimizer['lr']})) "
             f"called {n_steps} time(s)")
    result = student.probe("tf_nets.train_steps", dims[-1], dims[1:-1], activation, layers, x, y, loss, optimizer,
                           n_steps=n_steps, timeout=60)
    check(result["is_tf_function"], label, "make_train_step must return a tf.function (decorate train_step "
                                           "with @tf.function)")
    check(result["optimizer_iterations"] == n_steps, f"{label} (one update per call: {STEP})",
          f"the optimizer made {result['optimizer_iterations']} updates for {n_steps} call(s)")
    state = oracles.adam_init(layers) if optimizer["kind"] == "adam" else None
    current = [(k, b) for k, b in layers]
    expected_losses = []
    for _ in range(n_steps):
        value, grads = oracles.mlp_loss_and_grads(x, y, current, ACTIVATION_NAMES[activation], loss)
        expected_losses.append(value)
        if optimizer["kind"] == "sgd":
            current = oracles.sgd_step(current, grads, optimizer["lr"])
        else:
            current = oracles.adam_step(current, grads, state, optimizer["lr"])
    for i, value in enumerate(result["losses"]):
        check_array(value, f"{label}: loss returned by call {i + 1} (the scalar loss tensor)", shape=())
    check_close(np.array(result["losses"], dtype=float), expected_losses, f"{label}: returned losses (each the "
                "loss computed before that call's update)", reveal=reveal, index_name="call", **TOL32)
    check(len(result["layers"]) == len(current), label, "the model has the wrong number of Dense layers")
    for i, ((kernel, bias), (want_k, want_b)) in enumerate(zip(result["layers"], current)):
        name = "output_layer" if i == len(current) - 1 else f"hidden_layers[{i}]"
        check_close(kernel, want_k, f"{label}: {name}.kernel after the update(s) (the reference: {STEP})",
                    reveal=reveal, **TOL32)
        check_close(bias, want_b, f"{label}: {name}.bias after the update(s) (the reference: {STEP})",
                    reveal=reveal, **TOL32)


# ----------------------------------------------------------------------------- tests

@pytest.mark.parametrize("case", ["batch-no-mask", "leading-dims-causal", "cross-per-batch-mask", "padding"])
def test_tf_attention_matches_oracle(student, case):
    if case == "batch-no-mask":
        _, q, k, v = attention_inputs(130, (2, 5, 4), (2, 5, 4), 4)
        mask = None
    elif case == "leading-dims-causal":
        _, q, k, v = attention_inputs(131, (2, 3, 6, 4), (2, 3, 6, 4), 5)
        mask = oracles.causal_mask(6)
    elif case == "cross-per-batch-mask":
        rng, q, k, v = attention_inputs(132, (2, 3, 8), (2, 7, 8), 3)
        mask = random_mask(rng, (2, 3, 7))
    else:
        _, q, k, v = attention_inputs(133, (3, 4, 6), (3, 5, 6), 2)
        mask = np.repeat((np.arange(5)[None, :] < np.array([5, 2, 4])[:, None])[:, None, :], 4, axis=1)
    compare_attention(student, q, k, v, mask)


def test_tfmlp_structure(student):
    info = student.probe("tf_nets.describe_mlp", 3, [8, 6], "relu", 5, timeout=60)
    what = "TFMLP(3, hidden_dims=(8, 6), activation='relu') built on inputs of size 5"
    check(info["is_keras_model"], what, "is not a tf.keras.Model subclass")
    check(info["layer_types"] == ["Dense"] * 3, f"{what} ({MLP})",
          f"hidden_layers + [output_layer] are {info['layer_types']}, expected three Dense layers")
    check(info["units"] == [8, 6, 3], what, f"the Dense layers have units {info['units']}, expected [8, 6, 3]")
    check(info["weight_shapes"] == [[(5, 8), (8,)], [(8, 6), (6,)], [(6, 3), (3,)]], what,
          f"weight shapes {info['weight_shapes']}")
    check_type(info["n_trainable"], int, what)
    check(info["n_trainable"] == 5 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3, what,
          f"{info['n_trainable']} trainable parameters, expected {5 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3}")


@pytest.mark.parametrize(("hidden_dims", "activation"), [((8, 6), "relu"), ((7,), "tanh")], ids=["relu", "tanh"])
def test_tfmlp_matches_numpy_forward(student, hidden_dims, activation):
    compare_mlp_forward(student, 140, 4, 5, hidden_dims, 3, activation)


def test_train_step_matches_numpy_sgd(student):
    compare_train_steps(student, 150, 16, [5, 8, 3], "relu", "sparse_ce", {"kind": "sgd", "lr": 0.1}, n_steps=1)
