"""Shared by HW2's tests of ``pg.py``: staff weights, checks of returned tensors, one update's run.

The checks here carry no hints: a test module attaches its own hints (its ``HINTS``) through
:func:`pick`, given the mistakes whose oracle reproduces the student's result (:func:`matched`).
"""

from __future__ import annotations

import numpy as np

from harness.checks import check, check_array, check_close, check_type

ATOL, RTOL = 1e-5, 1e-4  # float32 results (HW2/README.md)
OBS_DIM, HIDDEN = 4, 8


def net_weights(seed, n_out, n_in=OBS_DIM, hidden=HIDDEN, scale=0.5):
    """Weights of a staff ``Linear(n_in, hidden) - Tanh - Linear(hidden, n_out)``, float32."""
    rng = np.random.default_rng(seed)
    return [rng.normal(0, scale, (hidden, n_in)).astype(np.float32), rng.normal(0, 0.1, hidden).astype(np.float32),
            rng.normal(0, scale, (n_out, hidden)).astype(np.float32), rng.normal(0, 0.1, n_out).astype(np.float32)]


def like(weights, seed):
    """Random arrays shaped like ``weights`` (stale gradients left in ``.grad`` before an update)."""
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 1.0, np.shape(w)).astype(np.float32) for w in weights]


LAYERS = ("first layer weight", "first layer bias", "output layer weight", "output layer bias")


def check_tensor(desc, what, shape, dtype="float32", requires_grad=None):
    """A returned value described by the probe (``components._describe_tensor``) is a tensor of that shape and
    dtype; returns its values."""
    check(isinstance(desc, dict) and desc.get("type") == "Tensor", what,
          f"expected a torch.Tensor, got {desc.get('type') if isinstance(desc, dict) else type(desc).__name__}")
    check(tuple(desc["shape"]) == tuple(shape), what, f"expected shape {tuple(shape)}, got {tuple(desc['shape'])}")
    check(desc["dtype"] == dtype, what, f"expected dtype torch.{dtype}, got torch.{desc['dtype']}")
    if requires_grad is not None:
        check(desc["requires_grad"] == requires_grad, what,
              "the result carries no gradient (requires_grad is False): keep the computation differentiable "
              "(no .detach(), .item(), NumPy or torch.no_grad() on the way)" if requires_grad else
              "the result carries gradients (requires_grad is True); it must not")
    return np.asarray(desc["values"])


def close(got, want, atol=ATOL, rtol=RTOL):
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(want) and bool(np.allclose(got, want, atol=atol, rtol=rtol))


def pick(hints, keys):
    """The hint of the one mistake in ``keys`` (None when none or several reproduce the result)."""
    keys = set(keys)
    return hints.get(keys.pop()) if len(keys) == 1 else None


def matched(got_arrays, variants, field):
    """The mistakes (``{mistake: oracle result}``) whose ``field`` (a list of arrays, or a number) equals ``got``."""
    found = []
    for mistake, want in variants.items():
        wanted = want.get(field)
        if wanted is None:
            continue
        if isinstance(wanted, list):
            ok = isinstance(got_arrays, list) and len(got_arrays) == len(wanted) and all(
                close(g, w) for g, w in zip(got_arrays, wanted))
        else:
            ok = close(got_arrays, wanted)
        if ok:
            found.append(mistake)
    return found


def check_update_call(out, want, what, has_value):
    """The update returned ``{"policy_loss": float(, "value_loss": float)}``, stepped each optimizer exactly once
    and left the batch as it was; returns the returned dict."""
    result = out["result"]
    keys = ("policy_loss", "value_loss") if has_value else ("policy_loss",)
    check(isinstance(result, dict), what,
          f"expected a dict {{{', '.join(repr(k) + ': float' for k in keys)}}}, got {type(result).__name__}")
    for key in keys:
        check(key in result, what, f"the returned dict has no {key!r} (it has {sorted(result)})")
        check_type(result[key], float, f"{what}: the returned {key!r} (a Python float: loss.item())")
    calls = out["optimizer_calls"]
    for name in ("policy_optimizer", "value_optimizer") if has_value else ("policy_optimizer",):
        steps = calls.count(f"{name}.step")
        check(steps == 1, what, f"called {name}.step() {steps} times; an update takes exactly one step per network")
    check(out["batch_unchanged"], what, "modified the batch it was given; batches are never modified")
    return result


def check_parameters(got, want, what, hint=None, reveal=True):
    """Each parameter after the update against the oracle's."""
    check(isinstance(got, list) and len(got) == len(want), what, "the network lost or gained parameters")
    for name, g, w in zip(LAYERS, got, want):
        check_array(g, f"{what}: {name}", shape=np.shape(w))
        check_close(g, w, f"{what}: {name}", atol=ATOL, rtol=RTOL, reveal=reveal, hint=hint)
