"""Hidden tests for Problem 5 (tf_networks.py): float64, tf.function, other shapes, Adam and MSE.

The oracles are the NumPy ones of the public tests (imported from the public test file);
this process never imports TensorFlow, and every check runs with ``reveal=False``.
"""

from __future__ import annotations

import oracles
import pytest

from harness.modules import load_public

# The public test module (its helpers, not its tests).
P = load_public(__file__, "networks/test_tf_networks.py")


@pytest.mark.parametrize("case", ["float64-per-batch-mask", "tf-function-causal", "per-head-mask-5d",
                                  "no-batch-dims", "float64-tf-function-cross"])
def test_tf_attention_hidden(student, case):
    if case == "float64-per-batch-mask":
        rng, q, k, v = P.attention_inputs(600, (3, 4, 5), (3, 6, 5), 2)
        P.compare_attention(student, q, k, v, P.random_mask(rng, (3, 4, 6)), dtype="float64", reveal=False)
    elif case == "tf-function-causal":
        _, q, k, v = P.attention_inputs(601, (2, 5, 8), (2, 5, 8), 8)
        P.compare_attention(student, q, k, v, oracles.causal_mask(5), in_tf_function=True, reveal=False)
    elif case == "per-head-mask-5d":
        rng, q, k, v = P.attention_inputs(602, (2, 2, 3, 4, 6), (2, 2, 3, 5, 6), 3)
        P.compare_attention(student, q, k, v, P.random_mask(rng, (2, 1, 3, 4, 5)), reveal=False)
    elif case == "no-batch-dims":
        _, q, k, v = P.attention_inputs(603, (3, 16), (7, 16), 4)
        P.compare_attention(student, P.f32(q * 3), P.f32(k * 3), v, None, reveal=False)
    else:
        rng, q, k, v = P.attention_inputs(604, (2, 2, 6), (2, 9, 6), 5)
        P.compare_attention(student, q, k, v, P.random_mask(rng, (2, 1, 9)), dtype="float64",
                            in_tf_function=True, reveal=False)


@pytest.mark.parametrize(("hidden_dims", "activation"), [((9, 5, 6), "sigmoid"), ((), "relu"), ((12,), "relu")],
                         ids=["three-hidden-sigmoid", "no-hidden", "wide"])
def test_tfmlp_hidden(student, hidden_dims, activation):
    P.compare_mlp_forward(student, 610, 6, 4, hidden_dims, 2, activation, reveal=False)


@pytest.mark.parametrize("case", ["adam-mse-3-steps", "sgd-ce-2-steps", "adam-ce-tanh"])
def test_train_step_hidden(student, case):
    if case == "adam-mse-3-steps":
        P.compare_train_steps(student, 620, 12, [4, 6, 2], "relu", "mse", {"kind": "adam", "lr": 0.01}, 3,
                              reveal=False)
    elif case == "sgd-ce-2-steps":
        P.compare_train_steps(student, 621, 20, [6, 10, 5, 4], "relu", "sparse_ce", {"kind": "sgd", "lr": 0.2}, 2,
                              reveal=False)
    else:
        P.compare_train_steps(student, 622, 10, [3, 7, 3], "tanh", "sparse_ce", {"kind": "adam", "lr": 0.05}, 2,
                              reveal=False)

