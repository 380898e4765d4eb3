"""HW2's test data and NumPy oracles: made-up batches laid out like ``rollout.Batch``, and slow loops.

Batches are plain dicts of NumPy arrays with the fields of ``rollout.Batch`` (the probes turn
them into one in the worker). Two kinds, as the given collector makes them:

- :func:`window`: ``T`` consecutive steps per column, episodes laid end to end, some ended by a
  termination, some by a truncation, the last one cut by the window (``valid`` all True);
- :func:`whole_episodes`: each column at least ``min_steps`` steps and then to the end of its
  episode, padded to the longest column (padding: ``valid`` False, reward 0, ``terminated`` and
  ``dones`` True, zero observations, action 0).

The oracles are written from the contracts in the docstrings, one step and one column at a time
(slow on purpose: nothing vectorised to get wrong). Each takes keyword switches that reproduce a
known mistake, so that a test can say which mistake a student's result matches (a hint is shown
only when exactly one does). This module needs NumPy only.
"""

from __future__ import annotations

import numpy as np

OBS_DIM = 4
BATCH_FIELDS = ("obs", "actions", "rewards", "terminated", "truncated", "dones", "next_obs", "complete", "valid")


# ---------------------------------------------------------------------------------------- batches


def complete_mask(dones, valid=None):
    """True at a real step whose column ends an episode at a real step at or after it (``rollout``'s rule)."""
    dones = np.asarray(dones, dtype=bool)
    valid = np.ones(dones.shape, dtype=bool) if valid is None else np.asarray(valid, dtype=bool)
    out = np.zeros(dones.shape, dtype=bool)
    for e in range(dones.shape[1]):
        seen = False
        for t in range(dones.shape[0] - 1, -1, -1):
            seen = seen or bool(dones[t, e] and valid[t, e])
            out[t, e] = seen and bool(valid[t, e])
    return out


def _column_flags(rng, length, p_end, truncate_every):
    """Flags of one column: episodes end with probability ``p_end`` per step; every ``truncate_every``-th
    end is a truncation (time limit) instead of a termination."""
    terminated = np.zeros(length, dtype=bool)
    truncated = np.zeros(length, dtype=bool)
    ends = 0
    for t in range(length):
        if rng.random() < p_end:
            ends += 1
            if truncate_every and ends % truncate_every == 0:
                truncated[t] = True
            else:
                terminated[t] = True
    return terminated, truncated


def _observations(rng, terminated, truncated, obs_dim):
    """``obs`` and ``next_obs`` consistent with the flags: ``next_obs[t] == obs[t+1]`` inside an episode; at
    an episode's end ``next_obs`` is its final observation (not the next episode's first one)."""
    length, width = terminated.shape
    obs = rng.normal(0.0, 1.0, size=(length, width, obs_dim)).astype(np.float32)
    next_obs = np.empty_like(obs)
    next_obs[:-1] = obs[1:]
    next_obs[-1] = rng.normal(0.0, 1.0, size=(width, obs_dim)).astype(np.float32)
    ends = terminated | truncated
    next_obs[ends] = rng.normal(0.0, 1.0, size=(int(ends.sum()), obs_dim)).astype(np.float32)
    return obs, next_obs


def window(seed, T, E, *, p_end=0.15, truncate_every=3, n_actions=2, obs_dim=OBS_DIM, unit_rewards=False):
    """A window batch (A2C, GAE): ``T`` real steps per column. Rewards are random (or CartPole's 1.0).

    The flags are redrawn until the batch has a termination, a truncation and a column cut by the
    window, so that every convention shows.
    """
    rng = np.random.default_rng(seed)
    for _ in range(1000):
        flags = [_column_flags(rng, T, p_end, truncate_every) for _ in range(E)]
        terminated = np.stack([f[0] for f in flags], axis=1)
        truncated = np.stack([f[1] for f in flags], axis=1)
        if terminated.any() and (truncated.any() or not truncate_every) and not (terminated | truncated)[-1].all():
            break
    obs, next_obs = _observations(rng, terminated, truncated, obs_dim)
    rewards = np.ones((T, E), np.float32) if unit_rewards else rng.normal(1.0, 1.0, size=(T, E)).astype(np.float32)
    dones = terminated | truncated
    valid = np.ones((T, E), dtype=bool)
    return {"obs": obs, "actions": rng.integers(0, n_actions, size=(T, E)).astype(np.int64), "rewards": rewards,
            "terminated": terminated, "truncated": truncated, "dones": dones, "next_obs": next_obs,
            "complete": complete_mask(dones, valid), "valid": valid}


def whole_episodes(seed, E, min_steps, *, p_end=0.2, truncate_every=3, n_actions=2, obs_dim=OBS_DIM,
                   unit_rewards=False, all_terminated=False):
    """A whole-episode batch (REINFORCE, baseline): each column records at least ``min_steps`` steps, then
    to the end of its episode; shorter columns are padded at the end, as ``rollout.Collector`` pads them.

    ``all_terminated``: every episode ends by a termination (no truncation).
    """
    rng = np.random.default_rng(seed)
    columns = []
    for _ in range(E):
        terminated, truncated = [], []
        while True:
            end = rng.random() < p_end
            cut = end and not all_terminated and truncate_every and rng.random() < 1.0 / truncate_every
            terminated.append(bool(end and not cut))
            truncated.append(bool(cut))
            if end and len(terminated) >= min_steps:
                break
        columns.append((np.array(terminated), np.array(truncated)))
    length = max(len(c[0]) for c in columns)
    terminated = np.ones((length, E), dtype=bool)  # padding: terminal, so nothing reaches across it
    truncated = np.zeros((length, E), dtype=bool)
    valid = np.zeros((length, E), dtype=bool)
    for e, (term, trunc) in enumerate(columns):
        terminated[: len(term), e] = term
        truncated[: len(term), e] = trunc
        valid[: len(term), e] = True
    obs, next_obs = _observations(rng, terminated & valid, truncated, obs_dim)
    rewards = np.ones((length, E), np.float32) if unit_rewards \
        else rng.normal(1.0, 1.0, size=(length, E)).astype(np.float32)
    actions = rng.integers(0, n_actions, size=(length, E)).astype(np.int64)
    obs[~valid] = 0.0
    next_obs[~valid] = 0.0
    rewards[~valid] = 0.0
    actions[~valid] = 0
    dones = terminated | truncated
    return {"obs": obs, "actions": actions, "rewards": rewards, "terminated": terminated, "truncated": truncated,
            "dones": dones, "next_obs": next_obs, "complete": complete_mask(dones, valid), "valid": valid}


def describe(batch):
    """How a batch appears in a message: its shape, kind and episode ends."""
    T, E = batch["actions"].shape
    kind = "whole episodes" if not batch["valid"].all() or batch["dones"][-1].all() else "a window"
    return (f"a batch of {kind}, T={T}, E={E}: {int((batch['terminated'] & batch['valid']).sum())} terminations, "
            f"{int(batch['truncated'].sum())} truncations, {int(batch['valid'].sum())} real steps, "
            f"{int(batch['complete'].sum())} complete")


# ---------------------------------------------------------------------------------------- oracles


def _columns(*arrays):
    """The arrays as float64 / bool 2-D (T, columns) views, and the original shape."""
    shape = np.asarray(arrays[0]).shape
    out = [np.asarray(a).reshape(shape[0], -1) for a in arrays]
    return shape, out


def returns_loop(rewards, dones, gamma, *, ignore_dones=False):
    """Discounted return-to-go of each step, summed to the end of its episode or of the window.

    ``ignore_dones``: the mistake of summing across episode ends.
    """
    shape, (r, d) = _columns(np.asarray(rewards, dtype=np.float64), np.asarray(dones, dtype=bool))
    T = r.shape[0]
    out = np.zeros(r.shape)
    for e in range(r.shape[1]):
        for t in range(T):
            total, discount = 0.0, 1.0
            for k in range(t, T):
                total += discount * r[k, e]
                discount *= gamma
                if d[k, e] and not ignore_dones:
                    break
            out[t, e] = total
    return out.reshape(shape)


def n_step_loop(rewards, next_values, terminated, dones, gamma, n, *, ignore_terminated=False,
                truncation_terminal=False, window_bootstrap=True, ignore_dones=False):
    """``sum_{k<m} gamma**k r[t+k] + gamma**m next_values[t+m-1] (1 - terminated[t+m-1])`` with
    ``m = min(n, steps to the episode's end, T - t)``, one target at a time.

    Switches that reproduce mistakes: ``ignore_terminated`` (bootstrap from terminal states),
    ``truncation_terminal`` (a truncation treated as a termination), ``window_bootstrap=False`` (no
    bootstrap where the window cuts an episode), ``ignore_dones`` (targets cross into the next episode).
    """
    shape, (r, v, term, d) = _columns(np.asarray(rewards, dtype=np.float64), np.asarray(next_values, np.float64),
                                      np.asarray(terminated, dtype=bool), np.asarray(dones, dtype=bool))
    T = r.shape[0]
    out = np.zeros(r.shape)
    for e in range(r.shape[1]):
        for t in range(T):
            total, discount, k = 0.0, 1.0, t
            while True:
                total += discount * r[k, e]
                discount *= gamma
                ended = bool(d[k, e]) and not ignore_dones
                if ended or k - t + 1 == n or k == T - 1:
                    break
                k += 1
            cut_by_window = k == T - 1 and not ended and k - t + 1 < n
            terminal = bool(d[k, e] if truncation_terminal else term[k, e]) and not ignore_terminated
            if not terminal and (window_bootstrap or not cut_by_window):
                total += discount * v[k, e]
            out[t, e] = total
    return out.reshape(shape)


def gae_loop(rewards, values, next_values, terminated, dones, gamma, lam, *, values_for_next=False,
             ignore_dones=False, ignore_terminated=False):
    """GAE: ``A[t] = sum_k (gamma lam)**k delta[t+k]`` to the end of ``t``'s episode or of the window, with
    ``delta[t] = r[t] + gamma next_values[t] (1 - terminated[t]) - values[t]``.

    Switches that reproduce mistakes: ``values_for_next`` (``values[t+1]`` for ``next_values[t]``, and
    ``next_values`` only at the window's last step), ``ignore_dones``, ``ignore_terminated``.
    """
    shape, (r, v, nv, term, d) = _columns(
        np.asarray(rewards, dtype=np.float64), np.asarray(values, np.float64), np.asarray(next_values, np.float64),
        np.asarray(terminated, dtype=bool), np.asarray(dones, dtype=bool))
    T = r.shape[0]
    following = nv.copy()
    if values_for_next:
        following[:-1] = v[1:]
    delta = r + gamma * following * (1.0 - (term & (not ignore_terminated)).astype(np.float64)) - v
    out = np.zeros(r.shape)
    for e in range(r.shape[1]):
        for t in range(T):
            total, weight = 0.0, 1.0
            for k in range(t, T):
                total += weight * delta[k, e]
                weight *= gamma * lam
                if d[k, e] and not ignore_dones:
                    break
            out[t, e] = total
    return out.reshape(shape)


def td_errors(rewards, values, next_values, terminated, gamma):
    """``r + gamma next_values (1 - terminated) - values`` (GAE with lambda = 0)."""
    r = np.asarray(rewards, dtype=np.float64)
    return (r + gamma * np.asarray(next_values, np.float64) * (1.0 - np.asarray(terminated, dtype=np.float64))
            - np.asarray(values, np.float64))
