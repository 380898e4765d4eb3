"""Outcome probes for Problem 5 and the extra credit: train a learner with the given loop, then act greedily.

``train`` runs ``run.train(name, seed, impl=pg)`` (the course's copy of ``run.py``: the student's
networks, optimizers and update functions inside the given loop, with its greedy checks and early
stop) and keeps the returned policy in a module-global registry under a handle. The test process
then drives CartPole-v1 itself on its seeds and asks, once per step, for the greedy actions of a
whole batch of environments (``act_batch``: the argmax of the policy's logits, computed here by
staff code): returns are counted by the test, never reported by student code.

Each learner is trained once per worker and training seed: the public and the hidden outcome test
of a learner share the run (and its reported time) and differ in their evaluation seeds.
"""

from __future__ import annotations

import importlib

import numpy as np

_REGISTRY: dict = {}  # handle -> trained policy
_REPORTS: dict = {}  # handle -> what its training reported (reported again when reused)


def warm_up() -> str:
    """Import PyTorch, the given loop and the student's file, and build a first optimizer (``run.warm_up``):
    the training time limit then measures training only."""
    import torch

    torch.set_num_threads(1)
    importlib.import_module("pg")
    run = importlib.import_module("run")
    run.warm_up()
    return torch.__version__


def train(name: str, seed: int) -> dict:
    """``run.train(name, seed)`` on the student's ``pg``; keeps the policy under a handle. Trained once per
    worker and seed: a second call returns the first one's report, ``reused`` True."""
    handle = f"{name}-{seed}"
    if handle in _REGISTRY:
        return {**_REPORTS[handle], "reused": True}
    import torch

    torch.set_num_threads(1)
    run = importlib.import_module("run")
    result = run.train(name, seed, impl=importlib.import_module("pg"))
    if not isinstance(result.policy, torch.nn.Module):
        raise TypeError(f"PolicyNetwork is a {type(result.policy).__name__}, not a torch.nn.Module")
    _REGISTRY[handle] = result.policy
    _REPORTS[handle] = {"handle": handle, "seconds": float(result.wall_seconds),
                        "cpu_seconds": float(result.cpu_seconds), "env_steps": int(result.env_steps),
                        "iterations": int(result.iterations), "passed_check": bool(result.passed),
                        "checks": len(result.checks)}
    return {**_REPORTS[handle], "reused": False}


def act_batch(handle: str, observations) -> np.ndarray:
    """Greedy actions of a trained policy: ``argmax(policy(obs))`` per row, int64 (B,)."""
    import torch

    if handle not in _REGISTRY:
        raise LookupError("the trained policy is gone (the worker restarted after an earlier failure)")
    policy = _REGISTRY[handle]
    obs = torch.as_tensor(np.asarray(observations, dtype=np.float32))
    with torch.no_grad():
        logits = policy(obs)
    if not isinstance(logits, torch.Tensor) or tuple(logits.shape) != (len(obs), 2):
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise TypeError(f"PolicyNetwork returned {shape} for observations of shape {tuple(obs.shape)}; expected "
                        f"logits of shape ({len(obs)}, 2)")
    if not bool(torch.isfinite(logits).all()):
        raise ValueError("PolicyNetwork returned logits that are not finite (NaN or inf) after training")
    return torch.argmax(logits, dim=-1).numpy().astype(np.int64)
