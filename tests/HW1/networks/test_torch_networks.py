"""Public tests for Problem 4 (torch_networks.py), against PyTorch's own layers.

Oracles, all in this (the test) process: ``nn.Linear`` stacks, the DQN convolution stack,
``nn.GRUCell`` and ``nn.GRU``, ``F.scaled_dot_product_attention``, ``nn.MultiheadAttention``
(batch first), ``nn.TransformerEncoderLayer`` / ``nn.TransformerDecoderLayer`` (post-norm,
ReLU, dropout 0, batch first), the NumPy attention oracle in ``harness.oracles``, and a
reference training loop. Reference weights are copied into your modules with
``load_state_dict``, inside the worker that runs your code. PyTorch is imported lazily so
that collecting these tests costs nothing when another problem is graded, and every number it
gives goes through ``harness.oracle_cache``: when grading, this process reads them from a file
recorded at build time and never imports torch.

A hint of :data:`HINTS` is shown only when that mistake, run by the NumPy oracle, reproduces
the student's output; otherwise a message says what differs and the formula the reference
computes (:data:`CONVENTIONS`), not why.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import oracles
import pytest

from harness import oracle_cache
from harness.checks import check, check_array, check_close, check_type

TOL32 = {"atol": 2e-5, "rtol": 1e-4}
GRAD_TOL32 = {"atol": 1e-4, "rtol": 1e-3}
# float64 must stay float64 (checked through the dtype); a constant such as sqrt(d_k) computed in float32
# costs ~1e-8 relative, which is not what these tests are about.
TOL64 = {"atol": 1e-8, "rtol": 1e-6}

HINTS = {
    "no_scale": "divide the scores by sqrt(d_k) (d_k = query.shape[-1]): your output matches softmax(Q K^T) V "
                "without the scaling",
    "inverted_mask": "the mask is True where attention is ALLOWED (fill the other scores with -inf); your output "
                     "matches the opposite polarity (True = blocked)",
}
# What each reference computes, said with a failed comparison (what was checked, not why it differs).
CONVENTIONS = {
    "attention": "A(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V with d_k = query.shape[-1]; the mask is True where "
                 "attention is ALLOWED (the other scores are -inf before the softmax)",
    "MLP": "self.net = nn.Sequential(Linear, activation(), ..., Linear) with no activation after the last Linear",
    "ConvEncoder": "conv 32x8x8 stride 4, 64x4x4 stride 2, 64x3x3 stride 1, ReLU after each, flatten, fc, ReLU",
    "GRUCell": "gate order reset, update, new; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); "
               "h' = (1 - z) * n + z * h",
    "RecurrentPolicy": "h_{t+1} = cell(obs_seq[:, t], h_t), logits[:, t] = head(h_{t+1}); h0=None means zeros",
    "MultiHeadAttention": "split heads with .view(B, L, heads, head_dim).transpose(1, 2), scale by sqrt(head_dim), "
                          "merge with .transpose(1, 2).reshape(B, L_q, E), then out_proj; mask True = allowed; "
                          "a (B, L_q, L_k) mask applies to every head",
    "TransformerEncoderBlock": "post-norm: x = norm1(x + attn(x, x, x, mask)[0]); x = norm2(x + ff(x))",
    "TransformerDecoderBlock": "post-norm: norm1(x + self_attn(x, x, x, self_mask)), then "
                               "norm2(x + cross_attn(x, memory, memory, memory_mask)), then norm3(x + ff(x))",
}


def _torch():
    import torch

    return torch


# ----------------------------------------------------------------------------- reference cases

@dataclasses.dataclass
class Case:
    """A module of the student's to build, the PyTorch reference it must match, and inputs.

    The reference's numbers (weights, outputs, gradients) go through :func:`oracle_cache.cached`
    under ``key`` (the builder and its arguments): grading reads them from a file recorded when the
    autograder was built, so that this process never imports torch.
    """

    kind: str
    config: dict
    build: Callable[[], tuple]  # -> (nn.Module (float64) holding the reference weights, ref_call); imports torch
    mapper: Callable[[dict], dict]  # reference names -> the student's names (state and grads)
    args: list  # float64 arrays (float32-representable), bool masks or None
    output_names: tuple = ("output",)
    key: str = ""  # set by @_builder

    @property
    def label(self) -> str:
        config = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        shapes = ", ".join("None" if a is None else f"bool{tuple(a.shape)}" if a.dtype == bool else f"{tuple(a.shape)}"
                           for a in self.args)
        return f"{self.kind}({config}) on inputs of shapes ({shapes})"

    @functools.cached_property
    def _ref(self) -> tuple:
        return self.build()

    def _state(self) -> dict:
        return self.mapper({k: v.detach().numpy().copy() for k, v in self._ref[0].state_dict().items()})

    def state(self) -> dict:
        return oracle_cache.cached(f"{self.key}.state", self._state)

    def shapes(self) -> dict:
        return oracle_cache.cached(f"{self.key}.shapes", lambda: {k: tuple(v.shape) for k, v in self._state().items()})

    def reference(self, grad_weights: list | None = None) -> tuple[list, dict | None, list | None]:
        """Reference outputs (float64), and with ``grad_weights`` the mapped parameter and input grads."""
        name = f"{self.key}.reference" if grad_weights is None else oracle_cache.key(f"{self.key}.grads", grad_weights)
        return oracle_cache.cached(name, lambda: self._reference(grad_weights))

    def _reference(self, grad_weights: list | None) -> tuple[list, dict | None, list | None]:
        torch = _torch()
        ref, ref_call = self._ref
        ref.zero_grad(set_to_none=True)
        tensors = [None if a is None else torch.from_numpy(np.asarray(a).copy()) for a in self.args]
        for t in tensors:
            if t is not None and t.is_floating_point():
                t.requires_grad_(grad_weights is not None)
        outputs = ref_call(ref, *tensors)
        if grad_weights is None:
            return [o.detach().numpy() for o in outputs], None, None
        loss = sum((o * torch.from_numpy(w)).sum() for o, w in zip(outputs, grad_weights) if w is not None)
        loss.backward()
        grads = self.mapper({k: p.grad.numpy().copy() for k, p in ref.named_parameters()})
        input_grads = [None if t is None or t.grad is None else t.grad.numpy() for t in tensors]
        return [o.detach().numpy() for o in outputs], grads, input_grads


def _builder(make: Callable[..., Case]) -> Callable[..., Case]:
    """Key the case by its builder's name and arguments (deterministic, so recorded values can be found)."""

    @functools.wraps(make)
    def wrapper(*args, **kwargs) -> Case:
        case = make(*args, **kwargs)
        case.key = oracle_cache.key(make.__name__, *args, **kwargs)
        return case

    return wrapper


def _f32(array) -> np.ndarray:
    """float64 values that float32 represents exactly (so both precisions see the same numbers)."""
    return np.asarray(array, dtype=np.float32).astype(np.float64)


def _prepare(module, seed: int, scale: float = 0.1):
    """float64, every parameter perturbed (zero biases and unit norms become generic), float32-exact."""
    torch = _torch()
    module = module.double()
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(torch.from_numpy(rng.normal(0.0, scale, size=tuple(p.shape))))
            p.copy_(p.float().double())
    return module


def _prefix(src: str, dst: str) -> Callable[[dict], dict]:
    return lambda d: {(dst + k[len(src):] if k.startswith(src) else k): v for k, v in d.items()}


def _mha_map(d: dict, src: str = "", dst: str = "") -> dict:
    """nn.MultiheadAttention names (packed in_proj) -> q_proj/k_proj/v_proj/out_proj."""
    out = {}
    weight = d[f"{src}in_proj_weight"]
    embed = weight.shape[0] // 3
    for i, name in enumerate("qkv"):
        out[f"{dst}{name}_proj.weight"] = weight[i * embed:(i + 1) * embed]
        if f"{src}in_proj_bias" in d:
            out[f"{dst}{name}_proj.bias"] = d[f"{src}in_proj_bias"][i * embed:(i + 1) * embed]
    for suffix in ("weight", "bias"):
        if f"{src}out_proj.{suffix}" in d:
            out[f"{dst}out_proj.{suffix}"] = d[f"{src}out_proj.{suffix}"]
    return out


def _block_map(d: dict, attn_names: dict) -> dict:
    """nn.Transformer{Encoder,Decoder}Layer names -> the block's names."""
    out = {}
    for src, dst in attn_names.items():
        out.update(_mha_map(d, f"{src}.", f"{dst}."))
    for k, v in d.items():
        if k.startswith("linear1."):
            out["ff.0." + k[len("linear1."):]] = v
        elif k.startswith("linear2."):
            out["ff.2." + k[len("linear2."):]] = v
        elif k.startswith("norm"):
            out[k] = v
    return out


def _blocked(mask, heads: int):
    """Our mask (True = allowed) as nn.MultiheadAttention's attn_mask (True = blocked)."""
    if mask is None:
        return None
    blocked = ~mask
    if blocked.dim() == 3:
        return blocked.repeat_interleave(heads, dim=0)
    if blocked.dim() == 4:
        return blocked.reshape(-1, *blocked.shape[2:])
    return blocked


def random_mask(rng: np.random.Generator, shape: tuple, p_allowed: float = 0.6) -> np.ndarray:
    """A random bool mask with at least one allowed key in every row."""
    mask = rng.random(shape) < p_allowed
    keep = rng.integers(0, shape[-1], size=shape[:-1])
    np.put_along_axis(mask, keep[..., None], True, axis=-1)
    return mask


def padding_mask(lengths, len_q: int, len_k: int) -> np.ndarray:
    """(B, L_q, L_k) mask allowing only the first ``lengths[b]`` keys of batch element ``b``."""
    allowed = np.arange(len_k)[None, :] < np.asarray(lengths)[:, None]
    return np.repeat(allowed[:, None, :], len_q, axis=1)


@_builder
def mlp_case(seed: int, input_shape: tuple, output_dim: int, hidden_dims: tuple, activation: str = "ReLU") -> Case:
    def build():
        nn = _torch().nn
        _torch().manual_seed(seed)
        dims = [input_shape[-1], *hidden_dims, output_dim]
        layers: list = []
        for i in range(len(dims) - 1):
            layers.append(nn.Linear(dims[i], dims[i + 1]))
            if i < len(dims) - 2:
                layers.append(getattr(nn, activation)())
        return _prepare(nn.Sequential(*layers), seed), lambda m, x: (m(x),)

    rng = np.random.default_rng(seed + 1)
    config = {"input_dim": input_shape[-1], "output_dim": output_dim, "hidden_dims": list(hidden_dims),
              "activation": activation}
    return Case("MLP", config, build, _prefix("", "net."), [_f32(rng.normal(size=input_shape))])


@_builder
def conv_case(seed: int, batch: int, in_channels: int, feature_dim: int) -> Case:
    def build():
        torch = _torch()
        nn = torch.nn
        torch.manual_seed(seed)
        ref = nn.ModuleDict({
            "conv": nn.Sequential(nn.Conv2d(in_channels, 32, 8, stride=4), nn.ReLU(), nn.Conv2d(32, 64, 4, stride=2),
                                  nn.ReLU(), nn.Conv2d(64, 64, 3, stride=1), nn.ReLU()),
            "fc": nn.Linear(64 * 7 * 7, feature_dim),
        })
        call = lambda m, x: (torch.relu(m["fc"](torch.flatten(m["conv"](x), 1))),)
        return _prepare(ref, seed, scale=0.01), call

    rng = np.random.default_rng(seed + 1)
    x = _f32(rng.random((batch, in_channels, 84, 84)))
    return Case("ConvEncoder", {"in_channels": in_channels, "feature_dim": feature_dim}, build, lambda d: dict(d),
                [x], ("features",))


@_builder
def gru_cell_case(seed: int, batch: int, input_size: int, hidden_size: int, with_h: bool = True) -> Case:
    def build():
        _torch().manual_seed(seed)
        return _prepare(_torch().nn.GRUCell(input_size, hidden_size), seed), lambda m, x, h: (m(x, h),)

    rng = np.random.default_rng(seed + 1)
    x = _f32(rng.normal(size=(batch, input_size)))
    h = _f32(rng.normal(size=(batch, hidden_size))) if with_h else None
    return Case("GRUCell", {"input_size": input_size, "hidden_size": hidden_size}, build, lambda d: dict(d),
                [x, h], ("h_next",))


@_builder
def recurrent_case(seed: int, batch: int, steps: int, obs_dim: int, n_actions: int, hidden_size: int,
                   with_h0: bool) -> Case:
    def build():
        nn = _torch().nn
        _torch().manual_seed(seed)
        ref = _prepare(nn.ModuleDict({"gru": nn.GRU(obs_dim, hidden_size, batch_first=True),
                                      "head": nn.Linear(hidden_size, n_actions)}), seed)
        return ref, call

    rng = np.random.default_rng(seed + 1)
    obs = _f32(rng.normal(size=(batch, steps, obs_dim)))
    h0 = _f32(rng.normal(size=(batch, hidden_size))) if with_h0 else None

    def mapper(d):
        out = {f"cell.{k[len('gru.'):-len('_l0')]}": v for k, v in d.items() if k.startswith("gru.")}
        out.update({k: v for k, v in d.items() if k.startswith("head.")})
        return out

    def call(m, obs, h0):
        seq, h_last = m["gru"](obs, None if h0 is None else h0.unsqueeze(0))
        return m["head"](seq), h_last[0]

    config = {"obs_dim": obs_dim, "n_actions": n_actions, "hidden_size": hidden_size}
    return Case("RecurrentPolicy", config, build, mapper, [obs, h0], ("logits", "h_T"))


@_builder
def mha_case(seed: int, batch: int, len_q: int, len_k: int, embed: int, heads: int, mask: str | None = None,
             bias: bool = True, cross: bool | None = None) -> Case:
    """``mask``: None, "causal" (L, L), "padding" (B, L_q, L_k, checked with key_padding_mask),
    "batch" (random (B, L_q, L_k)) or "heads" (random (B, heads, L_q, L_k))."""
    def build():
        _torch().manual_seed(seed)
        return _prepare(_torch().nn.MultiheadAttention(embed, heads, bias=bias, batch_first=True), seed), call

    rng = np.random.default_rng(seed + 1)
    cross = (len_q != len_k) if cross is None else cross
    query = _f32(rng.normal(size=(batch, len_q, embed)))
    key = _f32(rng.normal(size=(batch, len_k, embed))) if cross else query
    value = _f32(rng.normal(size=(batch, len_k, embed))) if cross else query
    lengths = None
    if mask is None:
        m = None
    elif mask == "causal":
        m = oracles.causal_mask(len_q)
    elif mask == "padding":
        lengths = rng.integers(1, len_k + 1, size=batch)
        lengths[0] = len_k - 1 if len_k > 1 else 1
        m = padding_mask(lengths, len_q, len_k)
    elif mask == "batch":
        m = random_mask(rng, (batch, len_q, len_k))
    elif mask == "heads":
        m = random_mask(rng, (batch, heads, len_q, len_k))
    else:
        raise ValueError(mask)

    def call(mod, q, k, v, msk):
        if lengths is not None:
            pad = _torch().from_numpy(np.arange(len_k)[None, :] >= lengths[:, None])
            return mod(q, k, v, key_padding_mask=pad, need_weights=True, average_attn_weights=False)
        return mod(q, k, v, attn_mask=_blocked(msk, heads), need_weights=True, average_attn_weights=False)

    config = {"embed_dim": embed, "num_heads": heads, "bias": bias}
    return Case("MultiHeadAttention", config, build, _mha_map, [query, key, value, m], ("output", "weights"))


@_builder
def encoder_case(seed: int, batch: int, length: int, embed: int, heads: int, ff_dim: int,
                 mask: str | None = None) -> Case:
    def build():
        _torch().manual_seed(seed)
        layer = _torch().nn.TransformerEncoderLayer(embed, heads, ff_dim, dropout=0.0, activation="relu",
                                                    batch_first=True, norm_first=False)
        return _prepare(layer, seed), call

    rng = np.random.default_rng(seed + 1)
    x = _f32(rng.normal(size=(batch, length, embed)))
    lengths = None
    if mask == "causal":
        m = oracles.causal_mask(length)
    elif mask == "padding":
        lengths = rng.integers(1, length + 1, size=batch)
        lengths[0] = max(1, length - 2)
        m = padding_mask(lengths, length, length)
    elif mask == "batch":
        m = random_mask(rng, (batch, length, length))
    else:
        m = None

    def call(mod, x, msk):
        if lengths is not None:
            pad = _torch().from_numpy(np.arange(length)[None, :] >= lengths[:, None])
            return (mod(x, src_key_padding_mask=pad),)
        return (mod(x, src_mask=_blocked(msk, heads)),)

    config = {"embed_dim": embed, "num_heads": heads, "ff_dim": ff_dim}
    return Case("TransformerEncoderBlock", config, build, lambda d: _block_map(d, {"self_attn": "attn"}), [x, m])


@_builder
def decoder_case(seed: int, batch: int, len_q: int, len_k: int, embed: int, heads: int, ff_dim: int,
                 self_mask: str | None = "causal", memory_mask: str | None = None) -> Case:
    def build():
        _torch().manual_seed(seed)
        layer = _torch().nn.TransformerDecoderLayer(embed, heads, ff_dim, dropout=0.0, activation="relu",
                                                    batch_first=True, norm_first=False)
        return _prepare(layer, seed), call

    rng = np.random.default_rng(seed + 1)
    x = _f32(rng.normal(size=(batch, len_q, embed)))
    memory = _f32(rng.normal(size=(batch, len_k, embed)))
    sm = oracles.causal_mask(len_q) if self_mask == "causal" else (
        random_mask(rng, (batch, len_q, len_q)) if self_mask == "batch" else None)
    lengths = None
    if memory_mask == "padding":
        lengths = rng.integers(1, len_k + 1, size=batch)
        lengths[0] = max(1, len_k - 2)
        mm = padding_mask(lengths, len_q, len_k)
    elif memory_mask == "heads":
        mm = random_mask(rng, (batch, heads, len_q, len_k))
    else:
        mm = None

    def call(mod, x, memory, smask, mmask):
        kwargs = {"tgt_mask": _blocked(smask, heads)}
        if lengths is not None:
            kwargs["memory_key_padding_mask"] = _torch().from_numpy(np.arange(len_k)[None, :] >= lengths[:, None])
        else:
            kwargs["memory_mask"] = _blocked(mmask, heads)
        return (mod(x, memory, **kwargs),)

    config = {"embed_dim": embed, "num_heads": heads, "ff_dim": ff_dim}
    mapper = lambda d: _block_map(d, {"self_attn": "self_attn", "multihead_attn": "cross_attn"})
    return Case("TransformerDecoderBlock", config, build, mapper, [x, memory, sm, mm])


# ----------------------------------------------------------------------------- comparison helpers

def outputs_of(result: Any, case: Case) -> list:
    """The student's outputs as a list, after checking the tuple structure."""
    got = result["outputs"]
    n = len(case.output_names)
    if n == 1:
        return [got]
    check(isinstance(got, (tuple, list)) and len(got) == n, f"{case.label}: return value",
          f"expected a tuple ({', '.join(case.output_names)}), got "
          f"{type(got).__name__}{'' if not isinstance(got, (tuple, list)) else f' of length {len(got)}'}")
    return list(got)


def compare_case(student, case: Case, dtype: str = "float32", reveal: bool = True, disable_fused: bool = False):
    """Run the student's module on the case and compare every output with the reference."""
    expected, _, _ = case.reference()
    result = student.probe("torch_nets.run", case.kind, case.config, case.state(), case.args, dtype=dtype,
                           disable_fused=disable_fused, timeout=60)
    got = outputs_of(result, case)
    tol = TOL32 if dtype == "float32" else TOL64
    for name, g, e in zip(case.output_names, got, expected):
        convention = CONVENTIONS.get(case.kind)
        what = f"{case.label} in {dtype}: {name}" + (f" (the reference: {convention})" if convention else "")
        check_array(g, what, shape=e.shape)
        check_close(g, e, what, reveal=reveal, **tol)
    return result


def compare_grads(student, case: Case, seed: int, reveal: bool = True) -> None:
    """Backpropagate ``sum(outputs * random weights)``; every parameter's and input's gradient must match."""
    expected_out, _, _ = case.reference()
    rng = np.random.default_rng(seed)
    weights = [_f32(rng.normal(size=o.shape)) for o in expected_out]
    _, ref_grads, ref_input_grads = case.reference(weights)
    result = student.probe("torch_nets.run", case.kind, case.config, case.state(), case.args,
                           grad_weights=weights, timeout=60)
    grads = result["param_grads"]
    for name, expected in ref_grads.items():
        check(name in grads, f"{case.label}: parameters", f"no parameter named {name!r}")
        what = f"{case.label}: gradient of the loss with respect to parameter {name}"
        check(grads[name] is not None, what,
              "no gradient reached this parameter (is it used in forward? is something detached or "
              "computed under torch.no_grad()/.data/.item()?)")
        check_close(grads[name], expected, what, reveal=reveal, **GRAD_TOL32)
    for i, expected in enumerate(ref_input_grads):
        if expected is not None:
            got = result["input_grads"][i]
            what = f"{case.label}: gradient with respect to input {i}"
            check(got is not None, what, "no gradient reached this input")
            check_close(got, expected, what, reveal=reveal, **GRAD_TOL32)


def compare_attention(student, q, k, v, mask, dtype: str = "float32", reveal: bool = True,
                      disable_fused: bool = False, check_torch: bool = True) -> None:
    """The student's scaled_dot_product_attention against the NumPy oracle and F.scaled_dot_product_attention."""
    expected_out, expected_w = oracles.scaled_dot_product_attention(q, k, v, mask)
    label = (f"scaled_dot_product_attention(query{q.shape}, key{k.shape}, value{v.shape}, "
             f"mask={'None' if mask is None else f'bool{mask.shape}'}) in {dtype}")
    if check_torch:  # PyTorch's fused kernel (bool mask: True = takes part, our polarity) agrees with the oracle
        fused = oracle_cache.cached(oracle_cache.key("scaled_dot_product_attention", q, k, v, mask),
                                    lambda: _torch_attention(q, k, v, mask))
        np.testing.assert_allclose(fused, expected_out, atol=1e-10)
    result = student.probe("torch_nets.attention", q, k, v, mask, dtype=dtype, disable_fused=disable_fused,
                           timeout=60)
    got = result["outputs"]
    check(isinstance(got, (tuple, list)) and len(got) == 2, label,
          f"expected a tuple (output, weights), got {type(got).__name__}")
    tol = TOL32 if dtype == "float32" else TOL64
    for index, (name, g, e) in enumerate((("output", got[0], expected_out), ("weights", got[1], expected_w))):
        what = f"{label}: {name} (the reference: {CONVENTIONS['attention']})"
        check_array(g, what, shape=e.shape)
        check_close(g, e, what, reveal=reveal, **tol,
                    hint=lambda g=g, index=index: diagnose_attention(g, index, q, k, v, mask, tol))
    check(result["dtypes"] == [dtype, dtype], label, f"outputs have dtypes {result['dtypes']}, expected {dtype}")


def diagnose_attention(got, index, q, k, v, mask, tol) -> str | None:
    """The hint of the one attention mistake whose NumPy result (output ``index`` 0, weights 1) is the student's:
    the scores not scaled, or the mask's polarity inverted (blocked scores at -inf or, as in the TensorFlow
    tutorial's helper, -1e9 added)."""
    attention = oracles.scaled_dot_product_attention
    variants = {"no_scale": [lambda: attention(q, k, v, mask, scaled=False)]}
    if mask is not None:
        variants["inverted_mask"] = [lambda: attention(q, k, v, ~mask), lambda: attention(q, k, v, ~mask, blocked=-1e9)]
    got = np.asarray(got, dtype=np.float64)
    right = attention(q, k, v, mask)[index]
    same = lambda a, b: a.shape == b.shape and bool(np.allclose(a, b, equal_nan=True, **tol))  # noqa: E731
    found = [bug for bug, runs in variants.items()
             if any(not same(run()[index], right) and same(got, run()[index]) for run in runs)]
    return HINTS[found[0]] if len(found) == 1 else None


def _torch_attention(q, k, v, mask) -> np.ndarray:
    torch = _torch()
    return torch.nn.functional.scaled_dot_product_attention(
        torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v),
        attn_mask=None if mask is None else torch.from_numpy(mask)).numpy()


def param_table(case: Case) -> dict:
    return case.shapes()


def compare_structure(student, case: Case, reveal: bool = True) -> dict:
    info = student.probe("torch_nets.describe", case.kind, case.config, timeout=60)
    expected = param_table(case)
    got = dict((name, tuple(shape)) for name, shape in info["parameters"])
    label = f"{case.kind}({', '.join(f'{k}={v!r}' for k, v in case.config.items())})"
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    check(not missing, f"{label}: parameter names (the attribute names of the docstring, so that reference weights "
          "load with load_state_dict)", f"missing {missing}")
    check(not extra, f"{label}: parameter names", f"unexpected extra parameters {extra}")
    wrong = [(n, got[n], expected[n]) for n in expected if got[n] != expected[n]]
    check(not wrong, f"{label}: parameter shapes",
          "; ".join(f"{n} has shape {g}" + (f", expected {e}" if reveal else "") for n, g, e in wrong))
    n_expected = int(sum(int(np.prod(s)) for s in expected.values()))
    check(info["n_parameters"] == n_expected, f"{label}: number of parameters",
          f"got {info['n_parameters']}" + (f", expected {n_expected}" if reveal else ""))
    return info


# ----------------------------------------------------------------------------- tests

STRUCTURE_CASES = {
    "MLP": lambda: mlp_case(0, (2, 5), 3, (8, 6)),
    "MLP-defaults": lambda: mlp_case(0, (2, 4), 2, (64, 64)),
    "ConvEncoder": lambda: conv_case(0, 1, 4, 512),
    "GRUCell": lambda: gru_cell_case(0, 2, 3, 5),
    "RecurrentPolicy": lambda: recurrent_case(0, 2, 3, 4, 2, 8, False),
    "MultiHeadAttention": lambda: mha_case(0, 2, 3, 3, 16, 4),
    "MultiHeadAttention-no-bias": lambda: mha_case(0, 2, 3, 3, 8, 2, bias=False),
    "TransformerEncoderBlock": lambda: encoder_case(0, 2, 3, 16, 4, 32),
    "TransformerDecoderBlock": lambda: decoder_case(0, 2, 3, 4, 16, 4, 32),
}


@pytest.mark.parametrize("name", list(STRUCTURE_CASES))
def test_parameter_names_and_counts(student, name):
    case = STRUCTURE_CASES[name]()
    if name == "MLP-defaults":  # hidden_dims and activation left at their defaults
        case.config = {"input_dim": 4, "output_dim": 2}
    if name == "ConvEncoder":
        case.config = {}
    info = compare_structure(student, case)
    check(info["is_module"], name, "is not an nn.Module subclass")
    sequences = info["sequences"]
    if case.kind == "MLP":
        check(sequences.get("net") == ["Linear", "ReLU", "Linear", "ReLU", "Linear"], f"{name}: self.net",
              f"expected an nn.Sequential of Linear, ReLU, Linear, ReLU, Linear, got {sequences.get('net')}")
    if case.kind == "ConvEncoder":
        check(sequences.get("conv") == ["Conv2d", "ReLU"] * 3, f"{name}: self.conv",
              f"expected an nn.Sequential of (Conv2d, ReLU) x 3, got {sequences.get('conv')}")
    if case.kind in ("TransformerEncoderBlock", "TransformerDecoderBlock"):
        check(sequences.get("ff") == ["Linear", "ReLU", "Linear"], f"{name}: self.ff",
              f"expected an nn.Sequential of Linear, ReLU, Linear, got {sequences.get('ff')}")


@pytest.mark.parametrize(("input_shape", "hidden_dims", "activation"), [
    ((4, 5), (8, 6), "ReLU"),
    ((3, 5), (7,), "Tanh"),
    ((2, 3, 5), (6, 6, 4), "ReLU"),
    ((4, 5), (), "ReLU"),
], ids=["relu-2-hidden", "tanh-1-hidden", "leading-dims", "no-hidden"])
def test_mlp_matches_linear_stack(student, input_shape, hidden_dims, activation):
    compare_case(student, mlp_case(1, input_shape, 3, hidden_dims, activation))


def test_conv_encoder_matches_conv_stack(student):
    compare_case(student, conv_case(2, 2, 2, 8))


@pytest.mark.parametrize("with_h", [True, False], ids=["given-h", "h-None"])
def test_gru_cell_matches_torch(student, with_h):
    for seed, (batch, input_size, hidden_size) in enumerate([(4, 3, 5), (1, 6, 2)]):
        compare_case(student, gru_cell_case(10 + seed, batch, input_size, hidden_size, with_h))


@pytest.mark.parametrize("with_h0", [False, True], ids=["h0-None", "given-h0"])
def test_recurrent_policy_matches_nn_gru(student, with_h0):
    compare_case(student, recurrent_case(20, 3, 5, 4, 2, 6, with_h0))


def _attention_inputs(seed, q_shape, k_shape, d_v):
    rng = np.random.default_rng(seed)
    q = _f32(rng.normal(size=q_shape))
    k = _f32(rng.normal(size=k_shape))
    v = _f32(rng.normal(size=(*k_shape[:-1], d_v)))
    return rng, q, k, v


@pytest.mark.parametrize("case", ["batch-no-mask", "leading-dims-causal", "cross-per-batch-mask", "no-batch-dims"])
def test_attention_matches_oracles(student, case):
    if case == "batch-no-mask":
        _, q, k, v = _attention_inputs(30, (2, 5, 4), (2, 5, 4), 4)
        mask = None
    elif case == "leading-dims-causal":
        _, q, k, v = _attention_inputs(31, (2, 3, 6, 4), (2, 3, 6, 4), 5)
        mask = oracles.causal_mask(6)
    elif case == "cross-per-batch-mask":
        rng, q, k, v = _attention_inputs(32, (2, 3, 8), (2, 7, 8), 3)
        mask = random_mask(rng, (2, 3, 7))
    else:
        _, q, k, v = _attention_inputs(33, (4, 8), (6, 8), 2)
        mask = None
    compare_attention(student, q, k, v, mask)


@pytest.mark.parametrize("length", [1, 4, 7])
def test_causal_mask(student, length):
    result = student.probe("torch_nets.causal_mask", length, timeout=60)
    what = f"causal_mask({length})"
    check(result["type"] == "Tensor", what, f"expected a torch.Tensor, got {result['type']}")
    check(result["dtype"] == "bool", what, f"expected dtype torch.bool, got {result['dtype']}")
    got = check_array(result["array"], what, shape=(length, length))
    expected = oracles.causal_mask(length)
    wrong = [tuple(int(t) for t in p) for p in np.argwhere(got != expected)[:5]]
    check(bool((got == expected).all()), f"{what} (entry [i, j] is True, allowed, iff j <= i: the lower triangle "
          "and the diagonal)", f"entries differ from the causal mask at (i, j) = {wrong}")


MHA_CASES = {
    "self-no-mask": dict(batch=2, len_q=5, len_k=5, embed=16, heads=4),
    "self-causal": dict(batch=2, len_q=5, len_k=5, embed=16, heads=4, mask="causal"),
    "self-padding": dict(batch=3, len_q=4, len_k=4, embed=12, heads=3, mask="padding"),
    "cross-per-head-mask": dict(batch=2, len_q=3, len_k=6, embed=16, heads=4, mask="heads"),
    "cross-no-bias": dict(batch=2, len_q=4, len_k=2, embed=8, heads=2, bias=False),
}


@pytest.mark.parametrize("name", list(MHA_CASES))
def test_mha_matches_torch(student, name):
    compare_case(student, mha_case(40 + list(MHA_CASES).index(name), **MHA_CASES[name]))


@pytest.mark.parametrize("mask", [None, "causal", "padding"], ids=["no-mask", "causal", "padding"])
def test_encoder_block_matches_torch(student, mask):
    compare_case(student, encoder_case(50, 2, 5, 16, 4, 32, mask))


@pytest.mark.parametrize(("self_mask", "memory_mask"), [("causal", None), ("causal", "padding"), (None, None)],
                         ids=["causal", "causal-memory-padding", "no-masks"])
def test_decoder_block_matches_torch(student, self_mask, memory_mask):
    compare_case(student, decoder_case(60, 2, 4, 6, 16, 4, 32, self_mask, memory_mask))


GRAD_CASES = {
    "MLP": lambda: mlp_case(70, (4, 5), 3, (8, 6)),
    "ConvEncoder": lambda: conv_case(71, 2, 1, 6),
    "GRUCell": lambda: gru_cell_case(72, 3, 4, 5),
    "RecurrentPolicy": lambda: recurrent_case(73, 2, 4, 3, 2, 5, True),
    "MultiHeadAttention": lambda: mha_case(74, 2, 3, 5, 8, 2, mask="batch"),
    "TransformerEncoderBlock": lambda: encoder_case(75, 2, 4, 8, 2, 16, "causal"),
    "TransformerDecoderBlock": lambda: decoder_case(76, 2, 3, 5, 8, 2, 16, "causal", "padding"),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradients_reach_every_parameter(student, name):
    compare_grads(student, GRAD_CASES[name](), seed=77)


FLOAT64_CASES = {
    "GRUCell": lambda: gru_cell_case(80, 3, 4, 5),
    "RecurrentPolicy": lambda: recurrent_case(81, 2, 4, 3, 2, 5, False),
    "MultiHeadAttention": lambda: mha_case(82, 2, 4, 4, 8, 2, mask="causal"),
    "TransformerEncoderBlock": lambda: encoder_case(83, 2, 4, 8, 2, 16, "padding"),
    "TransformerDecoderBlock": lambda: decoder_case(84, 2, 3, 5, 8, 2, 16, "causal", None),
}


@pytest.mark.parametrize("name", ["attention", *FLOAT64_CASES])
def test_float64_inputs(student, name):
    if name == "attention":
        rng, q, k, v = _attention_inputs(85, (2, 3, 4), (2, 5, 4), 3)
        compare_attention(student, q, k, v, random_mask(rng, (2, 3, 5)), dtype="float64")
        return
    case = FLOAT64_CASES[name]()
    result = compare_case(student, case, dtype="float64")
    dtypes = result["dtypes"] if isinstance(result["dtypes"], list) else [result["dtypes"]]
    check(all(d == "float64" for d in dtypes), f"{case.label} in float64 (new tensors take dtype=x.dtype)",
          f"outputs have dtypes {dtypes}; a float64 module on float64 inputs must stay float64")


def test_cuda_when_available(student):
    case = mha_case(90, 2, 4, 4, 8, 2, mask="causal")
    policy = recurrent_case(91, 2, 3, 4, 2, 5, False)
    expected, _, _ = case.reference()
    policy_expected, _, _ = policy.reference()  # before the skip, so that the recorded oracles hold both
    result = student.probe("torch_nets.run_cuda", case.kind, case.config, case.state(), case.args, timeout=60)
    if result is None:
        pytest.skip("no CUDA device in the worker")
    for name, g, e in zip(case.output_names, outputs_of(result, case), expected):
        check_close(g, e, f"{case.label} on CUDA: {name}", **GRAD_TOL32)
    result = student.probe("torch_nets.run_cuda", policy.kind, policy.config, policy.state(), policy.args, timeout=60)
    for name, g, e in zip(policy.output_names, outputs_of(result, policy), policy_expected):
        check_close(g, e, f"{policy.label} on CUDA: {name} (h0=None: zeros on obs_seq.device)", **GRAD_TOL32)


# ----------------------------------------------------------------------------- train loops

def classifier_state(n_features: int, hidden: int, n_classes: int, seed: int, dropout: float = 0.0) -> dict:
    """Initial weights of the probe's classifier ``Linear, ReLU, [Dropout], Linear`` (float32 arrays)."""
    return oracle_cache.cached(oracle_cache.key("classifier_state", n_features, hidden, n_classes, seed, dropout),
                               lambda: _classifier_state(n_features, hidden, n_classes, seed, dropout))


def _classifier_state(n_features: int, hidden: int, n_classes: int, seed: int, dropout: float) -> dict:
    torch = _torch()
    nn = torch.nn
    torch.manual_seed(seed)
    layers = [nn.Linear(n_features, hidden), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else [])
    model = nn.Sequential(*layers, nn.Linear(hidden, n_classes))
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def reference_training(data: dict, hidden: int, state: dict, n_epochs: int, batch_size: int, loader_seed: int,
                       optimizer: dict, dropout: float = 0.0) -> dict:
    """The recitation's train/test loops, written here with PyTorch on the same data and loader."""
    args = (data, hidden, state, n_epochs, batch_size, loader_seed, optimizer, dropout)
    return oracle_cache.cached(oracle_cache.key("reference_training", *args), lambda: _reference_training(*args))


def _reference_training(data: dict, hidden: int, state: dict, n_epochs: int, batch_size: int, loader_seed: int,
                        optimizer: dict, dropout: float) -> dict:
    torch = _torch()
    nn = torch.nn
    X, y = oracles.synthetic_classification(data["n_samples"], data["n_features"], data["n_classes"], data["seed"],
                                            data.get("spread", 1.0))
    layers = [nn.Linear(data["n_features"], hidden), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else [])
    model = nn.Sequential(*layers, nn.Linear(hidden, data["n_classes"]))
    model.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()})
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
                                         batch_size=batch_size, shuffle=True,
                                         generator=torch.Generator().manual_seed(loader_seed))
    if optimizer["kind"] == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=optimizer["lr"], momentum=optimizer.get("momentum", 0.0))
    else:
        opt = torch.optim.Adam(model.parameters(), lr=optimizer["lr"])
    loss_fn = nn.CrossEntropyLoss()
    torch.manual_seed(loader_seed)
    losses = []
    for _ in range(n_epochs):
        model.train()
        batch_losses = []
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            batch_losses.append(loss.item())
        losses.append(float(np.mean(batch_losses)))
    model.eval()
    eval_losses, correct, seen = [], 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            pred = model(xb)
            eval_losses.append(loss_fn(pred, yb).item())
            correct += int((pred.argmax(1) == yb).sum())
            seen += len(yb)
    return {"losses": losses, "state": {k: v.numpy().copy() for k, v in model.state_dict().items()},
            "evaluate": (float(np.mean(eval_losses)), correct / seen)}


def check_training(student, data, hidden, n_epochs, batch_size, loader_seed, optimizer, *, reveal=True,
                   require_decrease=True, dropout=0.0) -> None:
    state = classifier_state(data["n_features"], hidden, data["n_classes"], seed=data["seed"] + 100, dropout=dropout)
    label = (f"train_one_epoch x{n_epochs} ({optimizer['kind']}, batch_size={batch_size}, "
             f"{data['n_samples']} samples)")
    got = student.probe("torch_nets.train_epochs", data, hidden, state, n_epochs, batch_size, loader_seed,
                        optimizer, dropout=dropout, timeout=60)
    want = reference_training(data, hidden, state, n_epochs, batch_size, loader_seed, optimizer, dropout)
    for i, value in enumerate(got["losses"]):
        check_type(value, (float, int), f"{label}: return value of epoch {i + 1} (the mean loss, a Python float)")
    check_close(np.array(got["losses"], dtype=float), want["losses"], f"{label}: mean loss of each epoch (the mean "
                "of the per-batch losses, gradients zeroed every batch before backward())",
                reveal=reveal, atol=1e-5, rtol=1e-5, index_name="epoch")
    if require_decrease:
        check(got["losses"][-1] < got["losses"][0], label,
              f"the mean loss did not decrease over {n_epochs} epochs "
              f"({got['losses'][0]:.4g} -> {got['losses'][-1]:.4g})")
    for name, expected in want["state"].items():
        check_close(got["state"][name], expected, f"{label}: parameter {name} after training (one optimizer step "
                    "per batch, in loader order, optimizer.zero_grad() every batch)", reveal=reveal,
                    atol=1e-5, rtol=1e-4)
    result = got["evaluate"]
    check(isinstance(result, (tuple, list)) and len(result) == 2, "evaluate(model, loader, loss_fn)",
          f"expected a tuple (mean_loss, accuracy), got {type(result).__name__}")
    check_type(result[0], (float, int), "evaluate: mean_loss")
    check_type(result[1], (float, int), "evaluate: accuracy")
    check_close(result, want["evaluate"], "evaluate after training: (mean_loss, accuracy)", reveal=reveal,
                atol=1e-5, rtol=1e-5)


def test_train_one_epoch_matches_reference_loop(student):
    data = {"n_samples": 96, "n_features": 5, "n_classes": 3, "seed": 7}
    check_training(student, data, hidden=16, n_epochs=3, batch_size=16, loader_seed=3,
                   optimizer={"kind": "sgd", "lr": 0.05, "momentum": 0.5})


def test_evaluate_matches_reference(student):
    data = {"n_samples": 60, "n_features": 4, "n_classes": 3, "seed": 8}
    state = classifier_state(4, 12, 3, seed=9)
    got = student.probe("torch_nets.evaluate", data, 12, state, batch_size=20, loader_seed=4, timeout=60)
    want = reference_training(data, 12, state, 0, 20, 4, {"kind": "sgd", "lr": 0.0})["evaluate"]
    result = got["result"]
    what = "evaluate(model, loader, loss_fn) on an untrained classifier"
    check(isinstance(result, (tuple, list)) and len(result) == 2, what,
          f"expected a tuple (mean_loss, accuracy), got {type(result).__name__}")
    check_type(result[0], (float, int), f"{what}: mean_loss (a Python float)")
    check_type(result[1], (float, int), f"{what}: accuracy (a Python float: correct / samples seen)")
    check_close(result, want, f"{what}: (mean_loss, accuracy) (mean loss = the mean of the per-batch losses; "
                "accuracy = correct predictions / samples, in [0, 1])", atol=1e-5, rtol=1e-5)
    check(got["parameters_unchanged"], what, "changed the model's parameters")
