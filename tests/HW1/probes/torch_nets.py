"""Probes for Problem 4 (``networks/torch_networks.py``), run inside the student worker.

Each probe builds the student's module from plain configuration, loads weights sent as
NumPy arrays (a state dict), runs it on the given inputs and returns plain data: outputs,
parameter names and shapes, gradients after a backward pass, losses of a training epoch.
No expected values live here; the tests compare what comes back with PyTorch's own layers
and the NumPy oracles in the test process.
"""

from __future__ import annotations

import contextlib
import importlib

import numpy as np
import oracles
import torch
import torch.nn as nn

KINDS = ("MLP", "ConvEncoder", "GRUCell", "RecurrentPolicy", "MultiHeadAttention",
         "TransformerEncoderBlock", "TransformerDecoderBlock")
ACTIVATIONS = {"ReLU": nn.ReLU, "Tanh": nn.Tanh, "Sigmoid": nn.Sigmoid, "ELU": nn.ELU}
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def _student():
    return importlib.import_module("torch_networks")


def _build(kind: str, config: dict, seed: int = 0) -> nn.Module:
    if kind not in KINDS:
        raise ValueError(f"unknown module kind {kind!r}")
    kwargs = dict(config)
    if "activation" in kwargs:
        kwargs["activation"] = ACTIVATIONS[kwargs["activation"]]
    if "hidden_dims" in kwargs:
        kwargs["hidden_dims"] = tuple(kwargs["hidden_dims"])
    torch.manual_seed(seed)
    return getattr(_student(), kind)(**kwargs)


def _tensor(value, dtype: torch.dtype, requires_grad: bool = False):
    if value is None:
        return None
    array = np.asarray(value)
    if array.dtype == np.bool_:
        return torch.from_numpy(array.copy())
    if array.dtype.kind in "iu":
        return torch.from_numpy(array.astype(np.int64))
    tensor = torch.from_numpy(array.astype(np.float64)).to(dtype)
    return tensor.requires_grad_(True) if requires_grad else tensor


def _numpy(value):
    """Tensors become arrays, tuples and lists are walked; anything else goes back as is."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, (tuple, list)):
        return type(value)(_numpy(v) for v in value)
    return value


def _dtype_name(value):
    if isinstance(value, torch.Tensor):
        return str(value.dtype).replace("torch.", "")
    if isinstance(value, (tuple, list)):
        return [_dtype_name(v) for v in value]
    return type(value).__name__


def _load(module: nn.Module, state: dict, dtype: torch.dtype) -> None:
    module.to(dtype)
    if state is not None:
        module.load_state_dict({k: torch.from_numpy(np.asarray(v, dtype=np.float64)).to(dtype)
                                for k, v in state.items()}, strict=True)


@contextlib.contextmanager
def _fused_attention_disabled():
    """Make PyTorch's fused attention raise while the block runs (and every alias of it in the student module)."""
    import torch.nn.functional as F

    def unavailable(*args, **kwargs):
        raise RuntimeError("PyTorch's fused scaled_dot_product_attention is disabled by the grader: "
                           "write attention from matmul and softmax")

    student = _student()
    original = F.scaled_dot_product_attention
    original_c = torch._C._nn.scaled_dot_product_attention
    patched = [(F, "scaled_dot_product_attention", original),
               (torch._C._nn, "scaled_dot_product_attention", original_c)]
    for name, value in list(vars(student).items()):
        if value is original or value is original_c:
            patched.append((student, name, value))
    for owner, name, _ in patched:
        setattr(owner, name, unavailable)
    try:
        yield
    finally:
        for owner, name, value in patched:
            setattr(owner, name, value)


def describe(kind: str, config: dict) -> dict:
    """Parameter names, shapes and count, state-dict keys and the types of the direct children."""
    module = _build(kind, config)
    params = [(name, tuple(p.shape)) for name, p in module.named_parameters()]
    return {
        "is_module": isinstance(module, nn.Module),
        "parameters": params,
        "n_parameters": int(sum(p.numel() for p in module.parameters())),
        "state_dict": [(k, tuple(v.shape)) for k, v in module.state_dict().items()],
        "children": [(name, type(child).__name__) for name, child in module.named_children()],
        "sequences": {name: [type(m).__name__ for m in child] for name, child in module.named_children()
                      if isinstance(child, nn.Sequential)},
    }


def init_parameters(kind: str, config: dict, seed: int = 0) -> dict:
    """The freshly initialised parameters (to check initialisation ranges)."""
    module = _build(kind, config, seed)
    return {name: p.detach().cpu().numpy() for name, p in module.named_parameters()}


def run(kind: str, config: dict, state: dict | None, args: list, kwargs: dict | None = None,
        dtype: str = "float32", grad_weights: list | None = None, disable_fused: bool = False) -> dict:
    """Build ``kind(**config)``, load ``state``, call it on ``args``; optionally backpropagate.

    Floating inputs are converted to ``dtype``; bool arrays become bool tensors. With
    ``grad_weights`` (one array or None per tensor output), the loss
    ``sum_i (outputs[i] * grad_weights[i]).sum()`` is backpropagated and the gradients of
    every parameter (None where none arrived) and every floating input come back.
    """
    torch_dtype = DTYPES[dtype]
    module = _build(kind, config)
    _load(module, state, torch_dtype)
    want_grads = grad_weights is not None
    inputs = [_tensor(a, torch_dtype, want_grads) for a in args]
    named = {k: _tensor(v, torch_dtype, want_grads) for k, v in (kwargs or {}).items()}
    context = _fused_attention_disabled() if disable_fused else contextlib.nullcontext()
    with context:
        outputs = module(*inputs, **named)
        result = {"outputs": _numpy(outputs), "dtypes": _dtype_name(outputs)}
        if want_grads:
            outs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
            loss = 0.0
            for out, weight in zip(outs, grad_weights):
                if weight is not None:
                    loss = loss + (out * _tensor(weight, out.dtype)).sum()
            loss.backward()
            result["param_grads"] = {name: None if p.grad is None else p.grad.detach().cpu().numpy()
                                     for name, p in module.named_parameters()}
            result["input_grads"] = [None if t is None or t.dtype == torch.bool or t.grad is None
                                     else t.grad.detach().cpu().numpy() for t in inputs]
    return result


def attention(query, key, value, mask=None, dtype: str = "float32", grad_weights: list | None = None,
              disable_fused: bool = False) -> dict:
    """Call the student's ``scaled_dot_product_attention``; optionally the gradients of q, k, v."""
    torch_dtype = DTYPES[dtype]
    want_grads = grad_weights is not None
    q, k, v = (_tensor(a, torch_dtype, want_grads) for a in (query, key, value))
    m = _tensor(mask, torch_dtype)
    context = _fused_attention_disabled() if disable_fused else contextlib.nullcontext()
    with context:
        outputs = _student().scaled_dot_product_attention(q, k, v, m)
        result = {"outputs": _numpy(outputs), "dtypes": _dtype_name(outputs)}
        if want_grads:
            loss = 0.0
            for out, weight in zip(outputs, grad_weights):
                if weight is not None:
                    loss = loss + (out * _tensor(weight, out.dtype)).sum()
            loss.backward()
            result["input_grads"] = [None if t.grad is None else t.grad.numpy() for t in (q, k, v)]
    return result


def causal_mask(length: int) -> dict:
    """The student's causal mask as an array, with its type and dtype."""
    mask = _student().causal_mask(length)
    return {"type": type(mask).__name__, "dtype": _dtype_name(mask), "array": _numpy(mask)}


def run_cuda(kind: str, config: dict, state: dict, args: list, kwargs: dict | None = None):
    """``run`` on the GPU, or None when this worker sees no CUDA device (the module is built first)."""
    module = _build(kind, config)
    if not torch.cuda.is_available():
        return None
    _load(module, state, torch.float32)
    module.cuda()
    inputs = [None if a is None else _tensor(a, torch.float32).cuda() for a in args]
    named = {k: None if v is None else _tensor(v, torch.float32).cuda() for k, v in (kwargs or {}).items()}
    outputs = module(*inputs, **named)
    return {"outputs": _numpy(outputs), "devices": [str(o.device) for o in
                                                     (outputs if isinstance(outputs, tuple) else (outputs,))]}


# ----------------------------------------------------------------------------- train loops

def _classifier(n_features: int, hidden: int, n_classes: int, dropout: float) -> nn.Sequential:
    layers = [nn.Linear(n_features, hidden), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(hidden, n_classes))
    return nn.Sequential(*layers)


def _loader(data: dict, batch_size: int, loader_seed: int):
    X, y = oracles.synthetic_classification(data["n_samples"], data["n_features"], data["n_classes"], data["seed"],
                                            data.get("spread", 1.0))
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    generator = torch.Generator().manual_seed(loader_seed)
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)


def _optimizer(params, spec: dict):
    kind = spec["kind"]
    if kind == "sgd":
        return torch.optim.SGD(params, lr=spec["lr"], momentum=spec.get("momentum", 0.0))
    if kind == "adam":
        return torch.optim.Adam(params, lr=spec["lr"])
    raise ValueError(f"unknown optimizer {kind!r}")


def train_epochs(data: dict, hidden: int, state: dict, n_epochs: int, batch_size: int, loader_seed: int,
                 optimizer: dict, dropout: float = 0.0, evaluate_after: bool = True) -> dict:
    """Run the student's ``train_one_epoch`` ``n_epochs`` times on a seeded synthetic set.

    The model is ``Linear, ReLU, [Dropout], Linear`` with the given ``state``; the loader
    shuffles with a generator seeded by ``loader_seed``. Returns the per-epoch results,
    the final parameters and (optionally) the student's ``evaluate`` on the same loader.
    """
    student = _student()
    model = _classifier(data["n_features"], hidden, data["n_classes"], dropout)
    _load(model, state, torch.float32)
    loader = _loader(data, batch_size, loader_seed)
    opt = _optimizer(model.parameters(), optimizer)
    loss_fn = nn.CrossEntropyLoss()
    torch.manual_seed(loader_seed)
    losses = [student.train_one_epoch(model, loader, loss_fn, opt) for _ in range(n_epochs)]
    result = {"losses": [_numpy(v) for v in losses], "state": {k: _numpy(v) for k, v in model.state_dict().items()}}
    if evaluate_after:
        result["evaluate"] = _numpy(student.evaluate(model, loader, loss_fn))
    return result


def evaluate(data: dict, hidden: int, state: dict, batch_size: int, loader_seed: int, dropout: float = 0.0,
             start_in_train_mode: bool = True) -> dict:
    """Call the student's ``evaluate`` once; also report whether parameters or the mode changed."""
    student = _student()
    model = _classifier(data["n_features"], hidden, data["n_classes"], dropout)
    _load(model, state, torch.float32)
    model.train(start_in_train_mode)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    loader = _loader(data, batch_size, loader_seed)
    torch.manual_seed(loader_seed)
    result = student.evaluate(model, loader, nn.CrossEntropyLoss())
    unchanged = all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    grads = [p.grad is not None for p in model.parameters()]
    return {"result": _numpy(result), "parameters_unchanged": unchanged, "any_grad": any(grads)}
