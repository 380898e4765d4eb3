"""Probes for Problem 2 (``dynamic_programming.py``).

Generators cannot cross the wire, so the probes that need one build it here from a seed.
:class:`RecordingRng` wraps a seeded ``np.random.Generator`` and records every
``permutation`` call (and the name of any other attribute used), so a test can replay the
sweep orders a submission drew. Probes report what happened; the tests judge it.
"""

import numpy as np


class RecordingRng:
    """A seeded generator that records its ``permutation`` calls and any other use."""

    def __init__(self, seed):
        self._rng = np.random.default_rng(seed)
        self.permutation_args = []
        self.permutations = []
        self.other_uses = []

    def permutation(self, x, *args, **kwargs):
        out = self._rng.permutation(x, *args, **kwargs)
        self.permutation_args.append(int(x) if np.ndim(x) == 0 else f"array of length {len(x)}")
        self.permutations.append(np.asarray(out).copy())
        return out

    def __getattr__(self, name):
        self.other_uses.append(name)
        return getattr(self._rng, name)


def call_with_rng(function, env, *args, seed=None, rng_mode="seeded", record=False, **kwargs):
    """Call ``dynamic_programming.<function>(env, *args, rng=..., **kwargs)``.

    ``rng_mode``: ``"seeded"`` passes ``np.random.default_rng(seed)`` (wrapped in a
    :class:`RecordingRng` when ``record``); ``"none"`` passes ``rng=None``; ``"omitted"``
    leaves the argument out. Returns ``{"result", "permutation_args", "permutations",
    "other_uses"}`` (the last three empty unless recording).
    """
    import dynamic_programming

    fn = getattr(dynamic_programming, function)
    recorder = None
    if rng_mode == "seeded":
        recorder = RecordingRng(seed)
        kwargs["rng"] = recorder if record else recorder._rng
    elif rng_mode == "none":
        kwargs["rng"] = None
    elif rng_mode != "omitted":
        raise ValueError(f"unknown rng_mode {rng_mode!r}")
    result = fn(env, *args, **kwargs)
    recorded = recorder if (recorder is not None and record) else None
    return {
        "result": result,
        "permutation_args": list(recorded.permutation_args) if recorded else [],
        "permutations": list(recorded.permutations) if recorded else [],
        "other_uses": sorted(set(recorded.other_uses)) if recorded else [],
    }


def call_twice_seeded(function, env, *args, seed, **kwargs):
    """Two calls with generators seeded alike, each on its own copy of the arguments.

    Returns ``{"first", "second", "args_after": {"first": [...], "second": [...]}}``: the
    results, and each call's positional arguments after it (the test compares them with
    what it sent, so mutation is reported as mutation, not as irreproducibility).
    """
    import copy

    import dynamic_programming

    fn = getattr(dynamic_programming, function)
    out = {"args_after": {}}
    for call in ("first", "second"):
        mine = copy.deepcopy(args)
        out[call] = fn(env, *mine, rng=np.random.default_rng(seed), **kwargs)
        out["args_after"][call] = list(mine)
    return out


def _transitions(env):
    P = env.unwrapped.P
    return [[list(map(tuple, P[s][a])) for a in sorted(P[s])] for s in sorted(P)]


def inputs_after(function, env, *args, **kwargs):
    """Call ``dynamic_programming.<function>(env, *args, **kwargs)``; report the inputs afterwards.

    Returns ``{"result", "args_after", "dynamics_unchanged"}``: ``args_after`` are the
    positional arguments after the call (the test compares them with what it sent) and
    ``dynamics_unchanged`` says whether ``env.unwrapped.P`` still holds the same tuples.
    """
    import dynamic_programming

    before = _transitions(env)
    result = getattr(dynamic_programming, function)(env, *args, **kwargs)
    return {"result": result, "args_after": list(args), "dynamics_unchanged": _transitions(env) == before}
