"""Problem 1 and the extra credit's GAE, written independently (corpus: a correct alternative).

Everything in this file is NumPy (no PyTorch), works on whole batches at once and never
modifies its inputs. Conventions for the whole file (HW2/README.md):

- **Time-major batches.** Arrays have shape ``(T,)`` or ``(T, E)``: ``T`` consecutive steps
  of ``E`` environments stepped side by side. Time is axis 0; every other axis holds
  independent streams (columns), so column ``e`` is one environment's steps, in order,
  with its episodes laid end to end. Entry ``[t, e]`` belongs to step ``t`` of column
  ``e``, and nothing ever mixes two columns.
- **Steps and flags.** Step ``t`` is one transition: the observation ``o_t``, the action
  taken in it, the reward ``rewards[t]`` it earned and the observation that followed.
  ``terminated[t]`` is True when the episode ended at step ``t`` in a terminal state (the
  pole fell, the cart left the track): the state after it has value 0. ``dones[t]`` is
  True when the episode ended at step ``t`` for any reason: terminated, or truncated by
  the time limit (CartPole-v1 stops at 500 steps; the state after such a step is not
  terminal). ``terminated[t]`` implies ``dones[t]``; the results for inputs that break
  this are unspecified. The step after a done, in the same column, is the first step of
  the next episode.
- **The window's end.** A batch is a window of ``T`` steps cut from longer streams: the
  episode running at the last step of a column (``dones[T-1]`` False) continues beyond the
  window, and nothing after step ``T-1`` is known.
- ``next_values[t]`` is the critic's value of the observation that *followed* step ``t``
  (at an episode's end, its final observation, not the next episode's first one);
  ``values[t]`` is the value of the observation *of* step ``t``.
- Flags may be bool or 0/1 numbers; rewards and values any real dtype. Every function
  returns a new float64 array of the inputs' shape and raises ``ValueError`` when the
  shapes of its array arguments differ, when an array has no time axis (0-d), or when a
  scalar argument is out of range.
"""

import numpy as np


def _check_arrays(**arrays):
    """The arguments as arrays (no copies), after checking that they share one shape with a time axis."""
    converted = {name: np.asarray(value) for name, value in arrays.items()}
    shapes = {name: array.shape for name, array in converted.items()}
    first = next(iter(shapes.values()))
    if len(first) == 0:
        raise ValueError(f"expected arrays with a time axis (shape (T,) or (T, E)), got shapes {shapes}")
    if any(shape != first for shape in shapes.values()):
        raise ValueError(f"all arrays must have the same shape, got {shapes}")
    return converted.values()


def _check_unit(name, value):
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return float(value)


def discounted_returns(rewards, dones, gamma):
    rewards, dones = _check_arrays(rewards=rewards, dones=dones)
    gamma = _check_unit("gamma", gamma)
    r = np.array(rewards, dtype=np.float64).reshape(len(rewards), -1)
    d = np.array(dones).astype(bool).reshape(len(rewards), -1)
    out = np.zeros_like(r)
    for e in range(r.shape[1]):
        ends = list(np.flatnonzero(d[:, e]))
        if not ends or ends[-1] != len(r) - 1:
            ends.append(len(r) - 1)
        start = 0
        for end in ends:  # one episode (or the window's last piece): a discounted suffix sum
            powers = gamma ** np.arange(end - start + 1)
            segment = r[start:end + 1, e]
            for i in range(len(segment)):
                out[start + i, e] = float(np.dot(powers[: len(segment) - i], segment[i:]))
            start = end + 1
    return out.reshape(np.shape(rewards))


def n_step_targets(rewards, next_values, terminated, dones, gamma, n):
    rewards, next_values, terminated, dones = _check_arrays(
        rewards=rewards, next_values=next_values, terminated=terminated, dones=dones
    )
    gamma = _check_unit("gamma", gamma)
    if int(n) != n or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    shape = np.shape(rewards)
    r = np.array(rewards, dtype=np.float64).reshape(shape[0], -1)
    boot = np.where(np.array(terminated).astype(bool), 0.0, np.array(next_values, dtype=np.float64)).reshape(r.shape)
    stop = np.array(dones).astype(bool).reshape(r.shape)
    stop[-1] = True  # the window's last step: nothing after it is known
    # G_k: targets of at most k rewards. G_1 = r + gamma * boot; G_k[t] = r[t] + gamma * (boot[t] if the episode or the
    # window stops at t, else G_{k-1}[t+1]).
    level = r + gamma * boot
    for _ in range(min(int(n), shape[0]) - 1):
        later = np.vstack([level[1:], np.zeros((1, r.shape[1]))])
        level = r + gamma * np.where(stop, boot, later)
    return level.reshape(shape)


def gae_advantages(rewards, values, next_values, terminated, dones, gamma, lam):
    rewards, values, next_values, terminated, dones = _check_arrays(
        rewards=rewards, values=values, next_values=next_values, terminated=terminated, dones=dones
    )
    gamma = _check_unit("gamma", gamma)
    lam = _check_unit("lam", lam)
    shape = np.shape(rewards)
    as2d = lambda x, kind=np.float64: np.array(x).astype(kind).reshape(shape[0], -1)  # noqa: E731
    r, v, nv = as2d(rewards), as2d(values), as2d(next_values)
    term, d = as2d(terminated, bool), as2d(dones, bool)
    delta = r + gamma * nv * ~term - v
    out = np.zeros_like(r)
    for e in range(r.shape[1]):
        acc = 0.0
        for t in reversed(range(shape[0])):
            acc = delta[t, e] + (0.0 if d[t, e] else gamma * lam * acc)
            out[t, e] = acc
    return out.reshape(shape)
