"""Problem 1 (20 points): returns and targets; the extra credit's GAE advantages.

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
    """Discounted return-to-go of every step, restarting at every episode end.

    ``G[t] = rewards[t] + gamma * (1 - dones[t]) * G[t+1]``, with ``G[T] = 0`` beyond the
    window: the sum of the rewards from step ``t`` to the end of its episode, the reward
    ``k`` steps ahead weighted by ``gamma**k``. A return never reaches past its episode's last
    step (``dones[t]``, terminated or truncated) into the next episode. An episode still
    running at the window's end is summed up to the window's end (no bootstrapping: that is
    what ``n_step_targets`` adds).

    Parameters
    ----------
    rewards : array-like of real numbers, shape (T,) or (T, E)
    dones : array-like of bool (or 0/1), same shape
        True where the episode ended at that step (terminated or truncated).
    gamma : float in [0, 1]
        The discount factor. ``gamma = 0`` gives ``G = rewards``.

    Returns
    -------
    np.ndarray, float64, same shape
        A new array; the inputs are not modified.

    Example: ``discounted_returns([1, 1, 1, 1], [False, True, False, False], 0.5)`` is
    ``[1.5, 1.0, 1.5, 1.0]`` (two episodes: steps 0-1, then steps 2-3 cut by the window).
    """
    rewards, dones = _check_arrays(rewards=rewards, dones=dones)
    gamma = _check_unit("gamma", gamma)
    # BEGIN SOLUTION
    rewards = rewards.astype(np.float64)
    continues = 1.0 - dones.astype(np.float64)
    out = np.empty_like(rewards)
    running = np.zeros_like(rewards[0])
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * continues[t] * running
        out[t] = running
    return out
    # END SOLUTION


def n_step_targets(rewards, next_values, terminated, dones, gamma, n):
    """N-step bootstrapped targets: ``n`` rewards, then the critic's value of where they led.

    For every step ``t``, with ``m`` the number of steps summed::

        G[t] = sum_{k=0}^{m-1} gamma**k * rewards[t+k]
               + gamma**m * next_values[t+m-1] * (1 - terminated[t+m-1])

    where ``m = min(n, d, T - t)``: at most ``n`` steps; ``d`` = the steps up to and
    including the first episode end at or after ``t`` (``d = j - t + 1`` for the first ``j
    >= t`` with ``dones[j]``), so a target never crosses into the next episode; and never
    beyond the window's last step ``T - 1``. So the last summed step ``t + m - 1`` is the
    ``n``-th step, the episode's last, or the window's last, whichever comes first, and the
    target bootstraps from the value of the observation that followed it, **unless that step
    terminated** (a terminal state's value is 0): a truncated episode (time limit) and an
    episode cut by ``n`` or by the window's end do bootstrap. Where ``terminated[t+m-1]`` is
    True, ``next_values[t+m-1]`` does not matter (it may hold any finite number).

    ``n = 1`` gives the one-step TD target ``rewards[t] + gamma * next_values[t] * (1 -
    terminated[t])``; with ``n >= T`` every target sums to its episode's end or the window's
    end, and where that end is a termination it equals ``discounted_returns``.

    Example: ``rewards = [1, 1, 1, 1]``, ``next_values = [10, 20, 30, 40]``, ``dones = [False,
    True, False, False]``, ``gamma = 0.5``, ``n = 2``. If the first episode terminated
    (``terminated = dones``) the targets are ``[1.5, 1.0, 11.5, 21.0]``: step 0 sums two rewards
    and stops at the termination, step 2 sums two rewards and bootstraps from
    ``next_values[3]``, step 3 is cut by the window after one reward. If it was truncated
    instead (``terminated`` all False) they are ``[6.5, 11.0, 11.5, 21.0]``.

    Parameters
    ----------
    rewards : array-like of real numbers, shape (T,) or (T, E)
    next_values : array-like of real numbers, same shape
        ``next_values[t]``: the critic's value of the observation that followed step ``t``
        (an episode's final observation at its last step).
    terminated : array-like of bool (or 0/1), same shape
        True where the episode ended at that step in a terminal state.
    dones : array-like of bool (or 0/1), same shape
        True where the episode ended at that step (terminated or truncated).
    gamma : float in [0, 1]
    n : int >= 1
        The most rewards a target sums (``ValueError`` when smaller than 1).

    Returns
    -------
    np.ndarray, float64, same shape
        A new array; the inputs are not modified.
    """
    rewards, next_values, terminated, dones = _check_arrays(
        rewards=rewards, next_values=next_values, terminated=terminated, dones=dones
    )
    gamma = _check_unit("gamma", gamma)
    if int(n) != n or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    n = int(n)
    # BEGIN SOLUTION
    rewards = rewards.astype(np.float64)
    next_values = next_values.astype(np.float64)
    terminated = terminated.astype(bool)
    dones = dones.astype(bool)
    horizon = len(rewards)
    targets = np.zeros_like(rewards)
    open_ = np.ones(rewards.shape, dtype=bool)  # targets still summing
    discount = 1.0
    for k in range(min(n, horizon)):
        # Target t looks at step t + k; only t < T - k has such a step.
        rows = horizon - k
        alive = open_[:rows]
        step_rewards, step_dones = rewards[k:], dones[k:]
        targets[:rows] += np.where(alive, discount * step_rewards, 0.0)
        stops = alive & (step_dones | (k == n - 1))
        stops[rows - 1] = alive[rows - 1]  # the window's last step
        bootstrap = np.where(terminated[k:], 0.0, next_values[k:])
        targets[:rows] += np.where(stops, discount * gamma * bootstrap, 0.0)
        open_[:rows] = alive & ~stops
        discount *= gamma
    return targets
    # END SOLUTION


def gae_advantages(rewards, values, next_values, terminated, dones, gamma, lam):
    """Extra credit: generalized advantage estimates (Schulman et al., 2016), GAE(gamma, lambda).

    With the one-step TD errors ::

        delta[t] = rewards[t] + gamma * next_values[t] * (1 - terminated[t]) - values[t]

    the advantages follow the backward recursion ::

        A[t] = delta[t] + gamma * lam * (1 - dones[t]) * A[t+1],      A[T] = 0,

    so ``A[t]`` sums ``(gamma * lam)**k * delta[t+k]`` up to the end of ``t``'s episode or
    the window's end. Use ``next_values[t]``, never ``values[t+1]``: at an episode's end
    ``values[t+1]`` belongs to the next episode. Where ``terminated[t]``, ``next_values[t]``
    does not matter (any finite number).

    Example: ``rewards = [1, 1, 1, 1]``, ``values = [2, 2, 2, 2]``, ``next_values = [10, 20,
    30, 40]``, ``terminated = dones = [False, True, False, False]``, ``gamma = lam = 0.5``:
    ``delta = [4, -1, 14, 19]`` and the advantages are ``[3.75, -1.0, 18.75, 19.0]``.

    ``lam = 0`` gives the TD errors ``delta``. ``lam = 1`` gives the bootstrapped Monte-Carlo
    advantages ``n_step_targets(..., n=T) - values`` whenever ``next_values[t] == values[t+1]``
    inside every episode (as when both come from one critic).

    Parameters
    ----------
    rewards : array-like of real numbers, shape (T,) or (T, E)
    values : array-like of real numbers, same shape
        ``values[t]``: the critic's value of the observation of step ``t``.
    next_values : array-like of real numbers, same shape
        The critic's value of the observation that followed step ``t``.
    terminated, dones : array-like of bool (or 0/1), same shape
    gamma : float in [0, 1]
    lam : float in [0, 1]

    Returns
    -------
    np.ndarray, float64, same shape
        A new array; the inputs are not modified.
    """
    rewards, values, next_values, terminated, dones = _check_arrays(
        rewards=rewards, values=values, next_values=next_values, terminated=terminated, dones=dones
    )
    gamma = _check_unit("gamma", gamma)
    lam = _check_unit("lam", lam)
    # BEGIN SOLUTION
    bootstrap = np.where(terminated.astype(bool), 0.0, next_values.astype(np.float64))
    deltas = rewards.astype(np.float64) + gamma * bootstrap - values.astype(np.float64)
    continues = 1.0 - dones.astype(np.float64)
    advantages = np.empty_like(deltas)
    running = np.zeros_like(deltas[0])
    for t in range(len(deltas) - 1, -1, -1):
        running = deltas[t] + gamma * lam * continues[t] * running
        advantages[t] = running
    return advantages
    # END SOLUTION
