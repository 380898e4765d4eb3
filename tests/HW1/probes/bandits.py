"""Probes for Problem 3 (``bandits/agents.py``): run in the student worker, return plain data.

Every probe builds agents from plain arguments: a class name in ``agents`` (e.g.
``"UCBAgent"``), its keyword arguments (``{"k": 10, "c": 2.0}``; ``rng`` is added by the
probe) and a ``seed`` for ``np.random.default_rng(seed)`` (``None`` passes ``rng=None``).
Arrays are copied when recorded, so later in-place updates do not change what was
recorded; values that are not arrays are returned as they are (the codec describes
foreign types, so a test can say "expected an ndarray, got list"). No expected values
live here.
"""

from __future__ import annotations

import numpy as np


def _agent(class_name: str, kwargs: dict, seed):
    import agents

    cls = getattr(agents, class_name)
    rng = None if seed is None else np.random.default_rng(seed)
    return cls(**kwargs, rng=rng)


def _snapshot(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def _stack(snapshots: list):
    """One (n, k) array when every snapshot is a same-shape ndarray, else the list itself."""
    if snapshots and all(isinstance(s, np.ndarray) for s in snapshots) \
            and len({(s.shape, s.dtype) for s in snapshots}) == 1:
        return np.stack(snapshots)
    return snapshots


def state(class_name: str, kwargs: dict, seed=0) -> dict:
    """A freshly built agent: ``{"q": agent.q, "counts": agent.counts}`` as they are."""
    agent = _agent(class_name, kwargs, seed)
    return {"q": _snapshot(agent.q), "counts": _snapshot(agent.counts)}


def feed(class_name: str, kwargs: dict, seed, updates: list) -> dict:
    """Call only ``update(action, reward)`` for each ``(action, reward)`` pair, in order.

    Returns ``{"q": (n, k), "counts": (n, k), "returned": [...]}``: the estimates and
    counts after each update (stacked when they are same-shape arrays) and what each
    ``update`` call returned.
    """
    agent = _agent(class_name, kwargs, seed)
    qs, counts, returned = [], [], []
    for action, reward in updates:
        returned.append(agent.update(int(action), float(reward)))
        qs.append(_snapshot(agent.q))
        counts.append(_snapshot(agent.counts))
    return {"q": _stack(qs), "counts": _stack(counts), "returned": returned}


def play(class_name: str, kwargs: dict, seed, reward_table, probabilities: bool = False) -> dict:
    """Play ``len(reward_table)`` steps; pulling arm ``a`` at step ``t`` pays ``reward_table[t][a]``.

    Each step: (optionally) ``agent.action_probabilities()``, ``a = agent.get_action()``,
    ``agent.update(a, reward_table[t][a])``. Stops early if ``a`` is not an integer in
    ``[0, k)`` (the test reports it). Returns ``{"actions": [...] (as returned),
    "q": (n, k) and "counts": (n, k) after each update, "probabilities": (n, k) before each
    choice (when asked)}``.
    """
    table = np.asarray(reward_table, dtype=np.float64)
    agent = _agent(class_name, kwargs, seed)
    actions, qs, counts, probs = [], [], [], []
    for row in table:
        if probabilities:
            probs.append(_snapshot(agent.action_probabilities()))
        action = agent.get_action()
        actions.append(action)
        if not isinstance(action, (int, np.integer)) or isinstance(action, bool) or not 0 <= action < len(row):
            break
        agent.update(action, float(row[int(action)]))
        qs.append(_snapshot(agent.q))
        counts.append(_snapshot(agent.counts))
    out = {"actions": actions, "q": _stack(qs), "counts": _stack(counts)}
    if probabilities:
        out["probabilities"] = _stack(probs)
    return out


def sample(class_name: str, kwargs: dict, seed, updates: list, n: int) -> dict:
    """Apply ``updates`` (``(action, reward)`` pairs), then call ``get_action()`` ``n`` times with no update.

    Returns ``{"actions": int64 (n,) or the raw list if some action is not an integer,
    "probabilities": action_probabilities() after the updates (Boltzmann only, else None),
    "q": agent.q after the updates}``.
    """
    agent = _agent(class_name, kwargs, seed)
    for action, reward in updates:
        agent.update(int(action), float(reward))
    probabilities = _snapshot(agent.action_probabilities()) if hasattr(agent, "action_probabilities") else None
    actions = [agent.get_action() for _ in range(int(n))]
    if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in actions):
        actions = np.array(actions, dtype=np.int64)
    return {"actions": actions, "probabilities": probabilities, "q": _snapshot(agent.q)}


_EXPERIMENTS: dict = {}


def experiment(class_name: str, kwargs: dict, n_runs: int, n_steps: int, seed: int) -> tuple:
    """The given ``testbed.run_experiment`` with ``agents.<class_name>(**kwargs, rng=rng)``.

    Returns ``(mean_reward, optimal_fraction)``, float64 arrays of shape (n_steps,). Results
    are cached for the worker's lifetime (several tests share the same runs).
    """
    import agents
    import testbed

    key = (class_name, tuple(sorted(kwargs.items())), n_runs, n_steps, seed)
    if key not in _EXPERIMENTS:
        cls = getattr(agents, class_name)
        _EXPERIMENTS[key] = testbed.run_experiment(lambda rng: cls(**kwargs, rng=rng), n_runs, n_steps, seed,
                                                   progress=False)
    return _EXPERIMENTS[key]


def experiments(configs: list, n_runs: int, n_steps: int, seed: int) -> list:
    """:func:`experiment` for each ``(class_name, kwargs)`` in ``configs``, in one call."""
    return [experiment(name, kwargs, n_runs, n_steps, seed) for name, kwargs in configs]
