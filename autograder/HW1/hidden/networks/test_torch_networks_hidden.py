"""Hidden tests for Problem 4 (torch_networks.py): other shapes and seeds, fused attention disabled.

The oracles are the public tests' (PyTorch's own layers with copied weights, the NumPy
attention oracle, a reference training loop), imported from the public test file; every
check here runs with ``reveal=False``.
"""

from __future__ import annotations

import numpy as np
import oracles
import pytest

from harness.checks import check, check_close
from harness.modules import load_public

# The public test module (its helpers, not its tests).
P = load_public(__file__, "networks/test_torch_networks.py")


def test_attention_without_fused_kernel(student):
    """PyTorch's fused attention raises inside the worker; the student's attention must not need it."""
    rng, q, k, v = P._attention_inputs(500, (2, 2, 5, 4), (2, 2, 6, 4), 3)
    P.compare_attention(student, q, k, v, P.random_mask(rng, (2, 1, 5, 6)), reveal=False, disable_fused=True)
    P.compare_case(student, P.mha_case(501, 2, 4, 6, 12, 3, mask="batch"), reveal=False, disable_fused=True)
    P.compare_case(student, P.encoder_case(502, 2, 5, 8, 2, 16, "causal"), reveal=False, disable_fused=True)
    P.compare_case(student, P.decoder_case(503, 2, 3, 4, 8, 2, 16, "causal", "padding"), reveal=False,
                   disable_fused=True)


@pytest.mark.parametrize("case", ["5d-broadcast-mask", "single-query", "large-scores", "mask-over-batch-only"])
def test_attention_hidden_shapes(student, case):
    if case == "5d-broadcast-mask":
        rng, q, k, v = P._attention_inputs(510, (2, 2, 3, 4, 5), (2, 2, 3, 6, 5), 7)
        mask = P.random_mask(rng, (2, 1, 1, 4, 6))
    elif case == "single-query":
        rng, q, k, v = P._attention_inputs(511, (3, 1, 1), (3, 9, 1), 2)
        mask = P.random_mask(rng, (3, 1, 9))
    elif case == "large-scores":
        rng, q, k, v = P._attention_inputs(512, (2, 4, 16), (2, 5, 16), 4)
        q, k = P._f32(q * 4.0), P._f32(k * 4.0)
        mask = oracles.causal_mask(5)[:4]
    else:
        rng, q, k, v = P._attention_inputs(513, (4, 3, 6), (4, 5, 6), 6)
        mask = P.random_mask(rng, (4, 1, 5))
    P.compare_attention(student, q, k, v, mask, reveal=False)


MHA_HIDDEN = {
    "cross-8-heads-batch-mask": dict(batch=2, len_q=7, len_k=3, embed=32, heads=8, mask="batch"),
    "cross-padding": dict(batch=4, len_q=2, len_k=6, embed=12, heads=2, mask="padding"),
    "self-one-head-causal": dict(batch=1, len_q=6, len_k=6, embed=10, heads=1, mask="causal"),
    "self-per-head-no-bias": dict(batch=3, len_q=4, len_k=4, embed=12, heads=3, mask="heads", bias=False),
    "cross-same-length": dict(batch=2, len_q=5, len_k=5, embed=8, heads=4, mask="batch", cross=True),
}


@pytest.mark.parametrize("name", list(MHA_HIDDEN))
def test_mha_cross_attention_hidden(student, name):
    P.compare_case(student, P.mha_case(520 + list(MHA_HIDDEN).index(name), **MHA_HIDDEN[name]), reveal=False)


BLOCKS_HIDDEN = {
    "encoder-batch-mask": lambda: P.encoder_case(530, 3, 6, 24, 6, 40, "batch"),
    "encoder-padding-float64": lambda: P.encoder_case(531, 2, 7, 12, 3, 20, "padding"),
    "decoder-per-head-memory-mask": lambda: P.decoder_case(532, 2, 5, 3, 24, 4, 48, "causal", "heads"),
    "decoder-batch-self-mask": lambda: P.decoder_case(533, 3, 4, 7, 12, 2, 24, "batch", "padding"),
    "decoder-single-query": lambda: P.decoder_case(534, 2, 1, 5, 8, 2, 16, "causal", None),
}


@pytest.mark.parametrize("name", list(BLOCKS_HIDDEN))
def test_transformer_blocks_hidden(student, name):
    dtype = "float64" if name.endswith("float64") else "float32"
    P.compare_case(student, BLOCKS_HIDDEN[name](), dtype=dtype, reveal=False)


def test_recurrent_hidden(student):
    P.compare_case(student, P.recurrent_case(540, 1, 12, 3, 4, 7, True), reveal=False)
    P.compare_case(student, P.recurrent_case(541, 4, 2, 6, 3, 3, False), reveal=False)
    P.compare_case(student, P.gru_cell_case(542, 5, 2, 9), reveal=False)
    params = student.probe("torch_nets.init_parameters", "GRUCell", {"input_size": 3, "hidden_size": 16}, timeout=60)
    bound = 1.0 / np.sqrt(16)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        value = np.asarray(params[name], dtype=float)
        check(bool(np.all(np.abs(value) <= bound + 1e-7)), f"GRUCell(3, 16): initial {name}",
              "has entries outside [-1/sqrt(hidden_size), 1/sqrt(hidden_size)]")
        check(float(value.std()) > bound / 4, f"GRUCell(3, 16): initial {name}",
              "is (almost) constant; initialise uniformly in [-1/sqrt(hidden_size), 1/sqrt(hidden_size)]")


def test_train_loops_hidden(student):
    # Adam, a partial last batch (100 = 6 * 16 + 4): the mean is over batches, not samples.
    data = {"n_samples": 100, "n_features": 6, "n_classes": 4, "seed": 17}
    P.check_training(student, data, hidden=10, n_epochs=2, batch_size=16, loader_seed=5,
                     optimizer={"kind": "adam", "lr": 0.01}, reveal=False)
    data = {"n_samples": 64, "n_features": 3, "n_classes": 2, "seed": 18, "spread": 2.0}
    P.check_training(student, data, hidden=8, n_epochs=4, batch_size=8, loader_seed=6,
                     optimizer={"kind": "sgd", "lr": 0.02}, reveal=False)
    # evaluate must switch to eval mode: the model has dropout and arrives in training mode.
    data = {"n_samples": 50, "n_features": 4, "n_classes": 3, "seed": 19}
    state = P.classifier_state(4, 16, 3, seed=20, dropout=0.5)
    got = student.probe("torch_nets.evaluate", data, 16, state, batch_size=15, loader_seed=7, dropout=0.5,
                        timeout=60)
    want = P.reference_training(data, 16, state, 0, 15, 7, {"kind": "sgd", "lr": 0.0}, dropout=0.5)["evaluate"]
    result = got["result"]
    what = "evaluate on a model with dropout that arrives in training mode"
    check(isinstance(result, (tuple, list)) and len(result) == 2, what, "expected a tuple (mean_loss, accuracy)")
    check_close(result, want, f"{what}: (mean_loss, accuracy) (evaluated in eval mode, under torch.no_grad())",
                reveal=False, atol=1e-5, rtol=1e-5)
    check(got["parameters_unchanged"], what, "changed the model's parameters")


def test_mlp_conv_hidden(student):
    P.compare_case(student, P.mlp_case(550, (2, 2, 3, 7), 4, (9, 5, 6), "Sigmoid"), reveal=False)
    P.compare_case(student, P.mlp_case(551, (5, 2), 1, (3,), "ELU"), reveal=False)
    P.compare_case(student, P.conv_case(552, 3, 1, 5), reveal=False)
    P.compare_grads(student, P.conv_case(553, 1, 3, 4), seed=554, reveal=False)
