"""Probes for Problem 6 and the extra credit (``imitation/bc_dagger.py``), run in the worker.

Two kinds of probes:

- component probes build staff objects (a scripted policy, a small network with given
  weights, an environment that records what it shows), call one student function on them
  and return what happened as plain data;
- outcome probes train the student's learner under the caller's time limit and keep the
  trained policy (or agent) in a module-global registry under a handle. The test process
  then drives CartPole itself on hidden seeds and asks, once per step, for the actions of
  a whole batch of environments (``act_batch``, ``memory_agent_act``): returns are counted
  by the test, never reported by student code.

No expected values live here; the tests judge what comes back.
"""

from __future__ import annotations

import copy
import importlib
import time

import numpy as np

# Trained policies and memory agents of this worker, by handle.
_REGISTRY: dict = {}
_TRAINING_REPORTS: dict = {}  # handle -> what its training reported (reported again when reused)
# Per handle, the copies of a memory agent being driven in lockstep (one per environment).
_MEMORY_COPIES: dict = {}

GRADER_SETTINGS = {  # name in bc_dagger.py: (default, lowest, highest)
    "BC_EPOCHS": (200, 1, 100_000),
    "DAGGER_ITERATIONS": (8, 1, 1000),
    "DAGGER_EPISODES_PER_ITERATION": (2, 1, 1000),
}


def _bc():
    return importlib.import_module("bc_dagger")


def _expert():
    return importlib.import_module("expert").expert_policy


def warm_up() -> str:
    """Import the heavy modules once, so that training time limits measure training only."""
    import gymnasium  # noqa: F401
    import torch

    torch.set_num_threads(1)
    _bc()
    return torch.__version__


def _setting(name: str) -> int:
    default, low, high = GRADER_SETTINGS[name]
    value = getattr(_bc(), name, default)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= int(value) <= high:
        raise ValueError(f"bc_dagger.{name} must be an int between {low} and {high}, got {value!r}")
    return int(value)


def _seed_all(seed: int) -> None:
    import random

    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _staff_rollouts(env, n_episodes: int, seed: int):
    """Expert episodes (staff code): observations float32 (N, 4) and expert actions int64 (N,)."""
    expert = _expert()
    observations, actions = [], []
    for i in range(n_episodes):
        obs, _ = env.reset(seed=seed + i)
        done = False
        while not done:
            action = expert(obs)
            observations.append(np.asarray(obs, dtype=np.float32))
            actions.append(action)
            obs, _, terminated, truncated, _ = env.step(action)
            done = terminated or truncated
    return np.asarray(observations, dtype=np.float32), np.asarray(actions, dtype=np.int64)


# ---------------------------------------------------------------- component probes


class _ScriptedPolicy:
    """A staff ``policy_fn``: records every observation it is shown."""

    def __init__(self, name: str):
        self.name = name
        self.seen: list[np.ndarray] = []
        self.expert = _expert()

    def __call__(self, obs) -> int:
        self.seen.append(np.array(obs, dtype=np.float64))
        if self.name == "left":
            return 0
        if self.name == "right":
            return 1
        if self.name == "expert":
            return self.expert(obs)
        if self.name == "alternate":
            return (len(self.seen) - 1) % 2
        if self.name == "theta":
            return int(float(np.asarray(obs)[2]) > 0.0)
        raise ValueError(f"unknown scripted policy {self.name!r}")


class _CountingExpert:
    def __init__(self):
        self.calls = 0
        self.expert = _expert()

    def __call__(self, obs) -> int:
        self.calls += 1
        return self.expert(obs)


def collect(env, policy: str, n_episodes: int, seed: int, relabel: bool = False) -> dict:
    """``collect_demonstrations`` with a scripted policy (and the given expert as labeller)."""
    policy_fn = _ScriptedPolicy(policy)
    expert_fn = _CountingExpert() if relabel else None
    if relabel:
        result = _bc().collect_demonstrations(env, policy_fn, n_episodes, seed, expert_fn=expert_fn)
    else:
        result = _bc().collect_demonstrations(env, policy_fn, n_episodes, seed)
    seen = np.asarray(policy_fn.seen, dtype=np.float64).reshape(-1, 4)
    return {"result": result, "seen": seen, "expert_calls": expert_fn.calls if relabel else 0}


def make_policy_forward(obs_dim: int, n_actions: int, batch: int, seed: int) -> dict:
    """Build ``make_policy(obs_dim, n_actions)`` and run it on a float32 batch."""
    import torch

    torch.manual_seed(seed)
    if (obs_dim, n_actions) == (4, 2):
        policy = _bc().make_policy()
    else:
        policy = _bc().make_policy(obs_dim=obs_dim, n_actions=n_actions)
    info = {"is_module": isinstance(policy, torch.nn.Module), "type": type(policy).__name__}
    if not info["is_module"]:
        return info
    info["n_parameters"] = int(sum(p.numel() for p in policy.parameters()))
    x = torch.as_tensor(np.random.default_rng(seed).normal(size=(batch, obs_dim)).astype(np.float32))
    with torch.no_grad():
        out = policy(x)
    info["out_type"] = type(out).__name__
    if isinstance(out, torch.Tensor):
        info["logits"] = out.detach().cpu().numpy()
    return info


def act_known(weight, bias, observations, repeats: int) -> dict:
    """``act`` on a linear policy with known weights; every observation asked ``repeats`` times.

    Observations are sent as float32 rows, then the same rows as float64 (both reach ``act``
    as 1-d NumPy arrays). Returns the raw answers and their type names.
    """
    import torch

    policy = torch.nn.Linear(len(weight[0]), len(weight))
    with torch.no_grad():
        policy.weight.copy_(torch.as_tensor(np.asarray(weight, dtype=np.float32)))
        policy.bias.copy_(torch.as_tensor(np.asarray(bias, dtype=np.float32)))
    policy.eval()
    answers, types = [], set()
    for dtype in (np.float32, np.float64):
        for row in np.asarray(observations):
            for _ in range(repeats):
                value = _bc().act(policy, np.asarray(row, dtype=dtype))
                types.add(type(value).__name__)
                answers.append(int(value) if isinstance(value, (int, np.integer)) else -1)
    return {"actions": np.asarray(answers, dtype=np.int64).reshape(2, len(observations), repeats),
            "types": sorted(types)}


def _staff_network(weights):
    """Linear(I, H) - Tanh - Linear(H, A) with the given weights, recording forward modes."""
    import torch
    from torch import nn

    class Recorded(nn.Sequential):
        def forward(self, x):  # noqa: D401 - torch's signature
            self.modes.append(bool(self.training))
            self.dtypes.add(str(x.dtype).replace("torch.", ""))
            return super().forward(x)

    w1, b1, w2, b2 = (np.asarray(w, dtype=np.float32) for w in weights)
    net = Recorded(nn.Linear(w1.shape[1], w1.shape[0]), nn.Tanh(), nn.Linear(w2.shape[1], w2.shape[0]))
    net.modes, net.dtypes = [], set()
    with torch.no_grad():
        for parameter, value in zip(net.parameters(), (w1, b1, w2, b2)):
            parameter.copy_(torch.as_tensor(value))
    return net


def train_bc_known(weights, obs, actions, epochs: int, batch_size: int, lr: float, seed: int) -> dict:
    """``train_bc`` on the staff network with known weights; weights and modes afterwards."""
    net = _staff_network(weights)
    obs_in, actions_in = np.array(obs), np.array(actions)
    net.train()  # train_bc must leave it in eval mode whatever it was
    losses = _bc().train_bc(net, obs_in, actions_in, epochs, batch_size=batch_size, lr=lr, seed=seed)
    return {
        "losses": losses,
        "weights": [p.detach().cpu().numpy().copy() for p in net.parameters()],
        "training_after": bool(net.training),
        "forward_modes": net.modes,
        "forward_dtypes": sorted(net.dtypes),
        "inputs_unchanged": bool(np.array_equal(obs_in, obs) and np.array_equal(actions_in, actions)),
    }


def _recorder(env):
    """Wrap a CartPole env: record every reset seed and every observation it hands out."""
    import gymnasium

    class Recorder(gymnasium.Wrapper):
        def __init__(self, inner):
            super().__init__(inner)
            self.episodes: list[dict] = []
            self.tag = 0

        def reset(self, *, seed=None, options=None):
            obs, info = self.env.reset(seed=seed, options=options)
            self.episodes.append({"seed": seed, "tag": self.tag, "obs": [np.array(obs, dtype=np.float64)],
                                  "actions": [], "done": False})
            return obs, info

        def step(self, action):
            obs, reward, terminated, truncated, info = self.env.step(action)
            if self.episodes:
                self.episodes[-1]["obs"].append(np.array(obs, dtype=np.float64))
                self.episodes[-1]["actions"].append(int(action))
                self.episodes[-1]["done"] = bool(terminated or truncated)
            return obs, reward, terminated, truncated, info

    return Recorder(env)


def dagger_recorded(env, n_iterations: int, episodes_per_iteration: int, initial_obs, initial_actions,
                    seed: int, init_seed: int, weights=None) -> dict:
    """``dagger`` on a staff network, recording each ``train_bc`` call's data and every episode.

    ``train_bc`` is wrapped (the docstring says ``dagger`` calls it each iteration): each
    call's ``(obs, actions)`` is copied. Episodes are tagged with the number of ``train_bc``
    calls made before they started. ``weights`` (or a seeded staff network) is the policy.
    """
    import torch

    bc = _bc()
    if weights is None:
        torch.manual_seed(init_seed)
        rng = np.random.default_rng(init_seed)
        weights = [rng.normal(0, 0.5, (16, 4)), np.zeros(16), rng.normal(0, 0.5, (2, 16)), np.zeros(2)]
    net = _staff_network(weights)
    recorder = _recorder(env)
    calls: list[dict] = []
    original = bc.train_bc

    def recording_train_bc(policy, obs, actions, *args, **kwargs):
        calls.append({"obs": np.array(obs, dtype=np.float32), "actions": np.array(actions, dtype=np.int64),
                      "same_policy": policy is net})
        result = original(policy, obs, actions, *args, **kwargs)
        recorder.tag = len(calls)
        return result

    expert = _CountingExpert()
    initial = (np.array(initial_obs, dtype=np.float32), np.array(initial_actions, dtype=np.int64))
    bc.train_bc = recording_train_bc
    try:
        returns = bc.dagger(recorder, expert, net, n_iterations, episodes_per_iteration, initial, seed)
    finally:
        bc.train_bc = original
    episodes = [{"seed": e["seed"], "tag": e["tag"], "done": e["done"],
                 "obs": np.asarray(e["obs"], dtype=np.float64).reshape(-1, 4),
                 "actions": np.asarray(e["actions"], dtype=np.int64)} for e in recorder.episodes]
    return {
        "returns": returns,
        "calls": calls,
        "episodes": episodes,
        "expert_calls": expert.calls,
        "initial_unchanged": bool(np.array_equal(initial[0], initial_obs)
                                  and np.array_equal(initial[1], initial_actions)),
    }


# ---------------------------------------------------------------- outcome probes


def _reuse(handle: str) -> dict | None:
    """What an earlier training of ``handle`` in this worker reported, or None if there was none.

    Each outcome is trained once per grading: the public and the hidden test of a learner
    share the training run (and its reported time) and differ in their evaluation seeds.
    """
    if handle not in _REGISTRY:
        return None
    return {**_TRAINING_REPORTS[handle], "reused": True}


def _keep(handle: str, trained, report: dict) -> dict:
    _REGISTRY[handle] = trained
    _TRAINING_REPORTS[handle] = {"handle": handle, **report}
    return {**_TRAINING_REPORTS[handle], "reused": False}


def train_bc_outcome(train_seed: int, n_episodes: int = 5) -> dict:
    """BC as the grader runs it; keeps the policy under a handle. Returns handle and timing.

    Demonstrations: ``n_episodes`` expert episodes of CartPole-v1 (staff code), episode
    ``i`` reset with ``train_seed * 1000 + i``. Then ``torch.manual_seed(train_seed)``,
    ``make_policy()``, ``train_bc(policy, obs, actions, epochs=BC_EPOCHS, seed=train_seed)``.
    Trained once per worker and seed (:func:`_reuse`).
    """
    import gymnasium

    handle = f"bc-{train_seed}-{n_episodes}"
    if (earlier := _reuse(handle)) is not None:
        return earlier
    env = gymnasium.make("CartPole-v1")
    obs, actions = _staff_rollouts(env, n_episodes, train_seed * 1000)
    env.close()
    epochs = _setting("BC_EPOCHS")
    bc = _bc()
    start = time.perf_counter()
    _seed_all(train_seed)
    policy = bc.make_policy()
    losses = bc.train_bc(policy, obs, actions, epochs, seed=train_seed)
    seconds = time.perf_counter() - start
    return _keep(handle, policy, {
        "seconds": seconds, "n_states": len(obs), "epochs": epochs,
        "last_loss": float(losses[-1]) if isinstance(losses, (list, tuple)) and losses else None})


def train_dagger_outcome(train_seed: int, demo_steps: int = 50) -> dict:
    """DAgger as the grader runs it, from a single ``demo_steps``-step expert demonstration.

    Demonstration: one expert episode of ``CartPole-v1`` limited to ``demo_steps`` steps,
    reset with ``train_seed * 1000``. Then ``torch.manual_seed(train_seed)``, ``make_policy()``,
    ``dagger(CartPole-v1, expert_policy, policy, DAGGER_ITERATIONS,
    DAGGER_EPISODES_PER_ITERATION, demo, seed=train_seed)``. Trained once per worker and seed
    (:func:`_reuse`).
    """
    import gymnasium

    handle = f"dagger-{train_seed}-{demo_steps}"
    if (earlier := _reuse(handle)) is not None:
        return earlier
    short = gymnasium.make("CartPole-v1", max_episode_steps=demo_steps)
    demo = _staff_rollouts(short, 1, train_seed * 1000)
    short.close()
    iterations = _setting("DAGGER_ITERATIONS")
    per_iteration = _setting("DAGGER_EPISODES_PER_ITERATION")
    bc = _bc()
    env = gymnasium.make("CartPole-v1")
    start = time.perf_counter()
    _seed_all(train_seed)
    policy = bc.make_policy()
    returns = bc.dagger(env, _expert(), policy, iterations, per_iteration, demo, seed=train_seed)
    seconds = time.perf_counter() - start
    env.close()
    reported = [float(r) for r in returns] if isinstance(returns, (list, tuple)) else None
    return _keep(handle, policy, {"seconds": seconds, "n_demo": len(demo[0]), "iterations": iterations,
                                  "episodes_per_iteration": per_iteration, "reported_returns": reported})


def _lookup(handle: str):
    if handle not in _REGISTRY:
        raise LookupError("the trained policy is gone (the worker restarted after an earlier failure)")
    return _REGISTRY[handle]


def act_batch(handle: str, observations) -> np.ndarray:
    """Greedy actions of a trained policy, ``act(policy, row)`` for every row (int64 (B,))."""
    policy = _lookup(handle)
    act = _bc().act
    actions = []
    for row in np.asarray(observations, dtype=np.float32):
        value = act(policy, row.copy())
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"act returned {type(value).__name__} {value!r}; it must return an int (0 or 1)")
        actions.append(int(value))
    return np.asarray(actions, dtype=np.int64)


def train_memory_outcome(train_seed: int) -> dict:
    """``train_memory_agent(seed=train_seed)``, kept under a handle; trained once (:func:`_reuse`)."""
    handle = f"memory-{train_seed}"
    if (earlier := _reuse(handle)) is not None:
        return earlier
    start = time.perf_counter()
    _seed_all(train_seed)
    agent = _bc().train_memory_agent(seed=train_seed)
    seconds = time.perf_counter() - start
    for method in ("reset", "act"):
        if not callable(getattr(agent, method, None)):
            raise TypeError(f"train_memory_agent returned a {type(agent).__name__} without a {method}() method")
    return _keep(handle, agent, {"seconds": seconds})


def memory_agent_reset(handle: str, n: int) -> int:
    """Start ``n`` episodes: ``n`` independent copies of the trained agent, each ``reset()``.

    Copies are ``copy.deepcopy`` of the trained agent. If the agent cannot be copied, a
    single agent is used and the caller must run episodes one at a time: the return value
    is the number of episodes that may run in lockstep (``n`` or 1).
    """
    agent = _lookup(handle)
    try:
        copies = [copy.deepcopy(agent) for _ in range(n)]
    except Exception:  # noqa: BLE001 - an uncopyable agent is driven one episode at a time
        copies = [agent]
    for each in copies:
        each.reset()
    _MEMORY_COPIES[handle] = copies
    return len(copies)


def memory_agent_act(handle: str, indices, observations) -> np.ndarray:
    """``act(obs)`` of copy ``indices[j]`` on ``observations[j]`` (float32 (2,)), for every j."""
    copies = _MEMORY_COPIES.get(handle)
    if copies is None:
        raise LookupError("memory_agent_reset was not called (or the worker restarted)")
    actions = []
    for index, row in zip(indices, np.asarray(observations, dtype=np.float32)):
        value = copies[int(index)].act(row.copy())
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"agent.act returned {type(value).__name__} {value!r}; it must return an int (0 or 1)")
        actions.append(int(value))
    return np.asarray(actions, dtype=np.int64)


def memory_agent_replay(handle: str, frames, probe_every: int) -> dict:
    """Replay a frame history through a fresh copy of the agent, twice, and frames alone.

    ``history``/``again``: the actions for ``frames`` after ``reset()`` (twice, with a reset
    in between). ``alone``: for every ``probe_every``-th frame, the action when that frame is
    the first one after ``reset()`` (no history).
    """
    agent = _lookup(handle)
    try:
        agent = copy.deepcopy(agent)
    except Exception:  # noqa: BLE001, S110 - replay on the trained agent itself
        pass
    frames = np.asarray(frames, dtype=np.float32)

    def run(sequence):
        agent.reset()
        return [int(agent.act(row.copy())) for row in sequence]

    history = run(frames)
    again = run(frames)
    alone = [run(frames[t:t + 1])[0] for t in range(0, len(frames), probe_every)]
    return {"history": np.asarray(history, dtype=np.int64), "again": np.asarray(again, dtype=np.int64),
            "alone": np.asarray(alone, dtype=np.int64)}
