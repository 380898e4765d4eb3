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
    pg = importlib.import_module("pg")
    untrained, initial = _untrained(run, pg, seed)
    result = run.train(name, seed, impl=pg)
    if not isinstance(result.policy, torch.nn.Module):
        raise TypeError(f"PolicyNetwork is a {type(result.policy).__name__}, not a torch.nn.Module")
    _REGISTRY[handle] = result.policy
    _REPORTS[handle] = {"handle": handle, "seconds": float(result.wall_seconds),
                        "cpu_seconds": float(result.cpu_seconds), "env_steps": int(result.env_steps),
                        "iterations": int(result.iterations), "passed_check": bool(result.passed),
                        "checks": len(result.checks), "untrained_mean": untrained,
                        "parameters_changed": _changed(initial, result.policy),
                        "ignores_parameters": _ignores_parameters(result.policy, seed)}
    return {**_REPORTS[handle], "reused": False}


UNTRAINED_EPISODES = 10


def _untrained(run, pg, seed: int):
    """``PolicyNetwork`` as the loop builds it (seeded alike), before any update: its mean greedy return and
    a copy of its parameters. (An initialised network mostly acts near chance, but some balance by luck.)"""
    import torch

    state = torch.get_rng_state()
    try:
        torch.manual_seed(seed)
        policy = pg.PolicyNetwork(4, 2)
        initial = [p.detach().clone() for p in policy.parameters()]
        return float(run.greedy_returns(policy, UNTRAINED_EPISODES, 7_000_000 + int(seed)).mean()), initial
    finally:
        torch.set_rng_state(state)


def _changed(initial, policy) -> bool:
    """Whether training changed any parameter of the policy (a learner's updates do)."""
    import torch

    after = [p.detach() for p in policy.parameters()]
    return len(after) != len(initial) or any(a.shape != b.shape or not torch.equal(a, b)
                                             for a, b in zip(initial, after))


def _ignores_parameters(policy, seed: int) -> bool:
    """Whether the trained policy's greedy actions vary with the observation even with every parameter set
    to 0 (a network's output is then the same for every input: actions that still vary come from a rule
    written into ``forward``, not from what was learned)."""
    import copy

    import torch

    try:
        zeroed = copy.deepcopy(policy)
        with torch.no_grad():
            for parameter in zeroed.parameters():
                parameter.zero_()
            obs = torch.as_tensor(np.random.default_rng(seed).normal(0.0, 0.5, (256, 4)), dtype=torch.float32)
            actions = torch.argmax(zeroed(obs), dim=-1)
    except Exception:  # noqa: BLE001 - a module that cannot be copied or zeroed is judged by its returns alone
        return False
    return bool((actions != actions[0]).any())


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
