"""Problem 2 (25 points): dynamic programming on FrozenLake.

Policy evaluation, policy improvement, policy iteration and value iteration, each with
synchronous sweeps and with in-place (asynchronous) sweeps in three orders: state index
order, a fresh random permutation every sweep, and a custom order (states sorted by their
distance to the goal). Run ``python dynamic_programming.py`` from this folder to print the
iteration-count tables of the written questions and to draw the value functions and
policies (the helpers and ``main`` at the bottom are given, complete).

Conventions (the same as HW1/README.md; every test relies on them):

* Dynamics come from ``env.unwrapped.P`` (never ``env.P``): ``P[s][a]`` is a list of
  ``(probability, next_state, reward, terminated)`` tuples. Several tuples may share a
  ``next_state`` (slippery lakes); each contributes its own probability.
* The Bellman backup of state ``s`` under action ``a`` is the expectation over the tuples
  of ``probability * (reward + gamma * V[next_state])``, except that a tuple flagged
  ``terminated`` contributes only ``probability * reward`` (nothing is bootstrapped
  through a terminal state). Terminal states (holes ``'H'`` and the goal ``'G'``: every
  state that a ``terminated`` transition leads into) have value 0.
* Actions: 0 Left, 1 Down, 2 Right, 3 Up (``lake_info.actions_to_names``); states are
  numbered row-major from the top-left corner.
* One tie rule for every greedy choice: an action whose one-step look-ahead is within
  ``TIE_TOL = 1e-6`` of the best is a best action, and any best action is accepted
  (recommended: the lowest-index best action). Policy improvement keeps the current action
  while it is still a best action, and where it changes one it takes the lowest-index best
  action: an action changes only for one better by more than ``TIE_TOL``, so policy
  iteration cannot cycle between near-tied actions, and its counts are well defined.
* A *sweep* updates every state once. A synchronous sweep computes all new values from the
  old ones (two arrays); an in-place (asynchronous) sweep overwrites ``V[s]`` at once, so
  later states in the same sweep already see it. The change of a sweep is the largest
  absolute change of any state's value during that sweep. Counts are 1-based and include
  the sweep whose change fell strictly below ``tol``: iteration stops after that sweep, or
  after ``max_iters`` sweeps, whichever comes first.
* Random orders are drawn with ``rng.permutation(n_states)`` exactly once at the start of
  every sweep (and ``rng`` is used for nothing else); ``rng=None`` means a fresh unseeded
  ``np.random.default_rng()``.
* Value functions come back as float64 arrays of shape (S,), policies as int64 arrays of
  shape (S,), counts as Python ints. Inputs (the environment, value functions, policies)
  are never mutated.
"""

import argparse
import os

import lake_info
import numpy as np

TIE_TOL = 1e-6  # look-aheads within this of the best are tied: see the tie rule above

# BEGIN SOLUTION


class _Model:
    """The tabular model, built once per call from ``env.unwrapped.P``, states on the last axis.

    ``succ[k, a, s]`` / ``prob[k, a, s]`` hold the ``k``-th tuple of ``P[s][a]``: its next
    state and its probability, the probability set to 0 when the tuple is flagged
    ``terminated`` (nothing is bootstrapped through it) and for padding (``K`` is the longest
    list). Duplicate next states need no merging: their terms add up in the sum over ``k``.
    ``reward[a, s]`` is the expected immediate reward, terminated tuples included. Terminal
    states have all-zero entries, so every backup gives them 0.
    """

    def __init__(self, reward, succ, prob, terminal):
        self.reward = reward  # float64 (A, S)
        self.succ = succ  # intp (K, A, S)
        self.prob = prob  # float64 (K, A, S)
        self.terminal = terminal  # bool (S,)


def _build_model(env) -> _Model:
    from itertools import chain

    P = env.unwrapped.P
    n_states, n_actions = env.observation_space.n, env.action_space.n
    lists = [P[s][a] for s in range(n_states) for a in range(n_actions)]
    lengths = np.fromiter(map(len, lists), dtype=np.intp, count=len(lists))
    flat = np.fromiter(chain.from_iterable(chain.from_iterable(lists)), dtype=np.float64,
                       count=4 * int(lengths.sum())).reshape(-1, 4)
    probability, next_state, reward, terminated = flat.T
    next_state, terminated = next_state.astype(np.intp), terminated.astype(bool)
    pair = np.repeat(np.arange(len(lists)), lengths)  # s * A + a of every tuple
    slot = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)  # k: its place in P[s][a]
    state, action = pair // n_actions, pair % n_actions
    terminal = np.zeros(n_states, dtype=bool)
    terminal[next_state[terminated]] = True

    width = max(int(lengths.max(initial=0)), 1)
    succ = np.zeros((width, n_actions, n_states), dtype=np.intp)
    prob = np.zeros((width, n_actions, n_states))
    succ[slot, action, state] = next_state
    prob[slot, action, state] = np.where(terminated, 0.0, probability)
    expected_reward = np.bincount(action * n_states + state, weights=probability * reward,
                                  minlength=n_actions * n_states).reshape(n_actions, n_states)
    expected_reward[:, terminal] = 0.0
    prob[..., terminal] = 0.0
    return _Model(expected_reward, succ, prob, terminal)


def _restrict(model: _Model, policy) -> _Model:
    """The model in which each state has the single action ``policy[s]``: evaluating a policy
    is value iteration on this one-action model, so both share :func:`_backup`."""
    policy = np.asarray(policy, dtype=np.intp)
    states = np.arange(len(policy))
    return _Model(model.reward[None, policy, states], model.succ[:, None, policy, states],
                  model.prob[:, None, policy, states], model.terminal)


def _q_values(model: _Model, V: np.ndarray, gamma: float, states) -> np.ndarray:
    """One-step look-ahead ``Q[a, states]``; ``states`` is an index, an index array or a slice."""
    expected_next = np.einsum("ka...,ka...->a...", model.prob[..., states], V[model.succ[..., states]])
    return model.reward[:, states] + gamma * expected_next


def _backup(model: _Model, V: np.ndarray, gamma: float, states) -> np.ndarray:
    """The Bellman (optimality) backup of ``states``: the best one-step look-ahead value."""
    return _q_values(model, V, gamma, states).max(axis=0)


def _sweep(model: _Model, V: np.ndarray, gamma: float, order) -> float:
    """Update ``V`` in place with one sweep and return its largest absolute change.

    ``order=None`` is a synchronous sweep (every new value from the old array, one
    vectorised backup); otherwise the states of ``order`` are backed up one at a time,
    each seeing the values already updated in this sweep.
    """
    if order is None:
        new = _backup(model, V, gamma, slice(None))
        delta = float(np.max(np.abs(new - V), initial=0.0))
        V[:] = new
        return delta
    delta = 0.0
    for s in order:
        new = _backup(model, V, gamma, s)
        delta = max(delta, abs(float(new) - V[s]))
        V[s] = new
    return delta


def _orders(kind: str, env, rng=None):
    """A function giving the update order of each sweep: None (synchronous) or a state sequence."""
    n_states = env.observation_space.n
    if kind == "sync":
        return lambda: None
    if kind == "ordered":
        return lambda: range(n_states)
    if kind == "randperm":
        rng = np.random.default_rng() if rng is None else rng
        return lambda: rng.permutation(n_states)
    if kind == "custom":
        order = goal_distance_order(env)
        return lambda: order
    raise ValueError(f"unknown sweep order {kind!r}")


def _iterate(model: _Model, value_func, gamma: float, max_iters: int, tol: float, next_order):
    """Sweep until a sweep's change falls strictly below ``tol`` or ``max_iters`` sweeps."""
    V = np.array(value_func, dtype=np.float64, copy=True)
    for sweep in range(1, int(max_iters) + 1):
        if _sweep(model, V, gamma, next_order()) < tol:
            return V, sweep
    return V, max(int(max_iters), 0)


def _evaluate(kind: str, env, value_func, gamma, policy, max_iters, tol, rng=None):
    model = _restrict(_build_model(env), policy)
    return _iterate(model, value_func, gamma, max_iters, tol, _orders(kind, env, rng))


def _value_iteration(kind: str, env, gamma, max_iters, tol, rng=None):
    V0 = np.zeros(env.observation_space.n)
    return _iterate(_build_model(env), V0, gamma, max_iters, tol, _orders(kind, env, rng))


def _greedy(model: _Model, V: np.ndarray, gamma: float, policy=None) -> np.ndarray:
    """The lowest-index best action of every state (best: within ``TIE_TOL`` of the best look-ahead).

    With ``policy``, a state keeps ``policy[s]`` while it is a best action: only a gain of more
    than ``TIE_TOL`` changes an action, so rounding in approximate evaluations cannot make
    policy iteration flip forever between tied actions.
    """
    q = _q_values(model, np.asarray(V, dtype=np.float64), gamma, slice(None))
    best = q >= q.max(axis=0) - TIE_TOL
    choice = np.argmax(best, axis=0)
    if policy is not None:
        policy = np.asarray(policy, dtype=np.intp)
        choice = np.where(best[policy, np.arange(len(policy))], policy, choice)
    return choice.astype(np.int64)


def _policy_iteration(kind: str, env, gamma, max_iters, tol, rng=None):
    model = _build_model(env)
    next_order = _orders(kind, env, rng)
    n_states = env.observation_space.n
    policy = np.zeros(n_states, dtype=np.int64)
    V = np.zeros(n_states)
    n_improvements = n_eval_sweeps = 0
    while n_improvements < max_iters:
        V, sweeps = _iterate(_restrict(model, policy), V, gamma, max_iters, tol, next_order)
        n_eval_sweeps += sweeps
        new_policy = _greedy(model, V, gamma, policy)
        n_improvements += 1
        changed = bool(np.any(new_policy != policy))
        policy = new_policy
        if not changed:
            break
    return policy, V, n_improvements, n_eval_sweeps
# END SOLUTION


def value_func_to_policy(env, gamma, value_func):
    """The greedy policy of a value function.

    ``policy[s]`` is a best action of the one-step look-ahead
    ``Q(s, a) = sum over P[s][a] of probability * (reward + gamma * V[next])``, where a
    ``terminated`` tuple contributes only ``probability * reward`` (whatever ``V`` holds at
    terminal states). Tie rule: every action with ``Q(s, a) >= max_a Q(s, a) - TIE_TOL`` is a
    best action and is accepted; recommended (the reference): the lowest such index,
    ``np.argmax(q >= q.max() - TIE_TOL)``. Terminal states have all-zero look-aheads, so
    every action ties there (action 0 recommended).

    Parameters
    ----------
    env : gymnasium.Env
        A ``FrozenLake-v1`` environment (dynamics from ``env.unwrapped.P``).
    gamma : float
        Discount factor in [0, 1].
    value_func : np.ndarray, float, shape (S,)
        Not modified.

    Returns
    -------
    policy : np.ndarray, int64, shape (S,)
    """
    # BEGIN SOLUTION
    return _greedy(_build_model(env), value_func, gamma)
    # END SOLUTION


def evaluate_policy_sync(env, value_func, gamma, policy, max_iters=1000, tol=1e-3):
    """Iterative policy evaluation with synchronous sweeps (two arrays per sweep).

    Starting from ``value_func``, each sweep computes, for every state at once from the
    previous sweep's values, ``V_new[s] = sum over P[s][policy[s]] of
    probability * (reward + gamma * V_old[next])`` (a ``terminated`` tuple contributes
    only ``probability * reward``; terminal states get 0). Stops after the first sweep
    whose largest absolute change ``max_s |V_new[s] - V_old[s]|`` is strictly below
    ``tol``, or after ``max_iters`` sweeps.

    Parameters
    ----------
    env : gymnasium.Env
        A ``FrozenLake-v1`` environment (dynamics from ``env.unwrapped.P``).
    value_func : np.ndarray, float, shape (S,)
        Initial values (a warm start); not modified.
    gamma : float
        Discount factor in [0, 1].
    policy : np.ndarray, int, shape (S,)
        The deterministic policy to evaluate; not modified.
    max_iters : int
        Most sweeps to run.
    tol : float
        Stop once a sweep changes no value by ``tol`` or more.

    Returns
    -------
    value_func : np.ndarray, float64, shape (S,)
        A new array.
    n_sweeps : int
        Sweeps run, counted from 1, including the sweep that met the tolerance.
    """
    # BEGIN SOLUTION
    return _evaluate("sync", env, value_func, gamma, policy, max_iters, tol)
    # END SOLUTION


def evaluate_policy_async_ordered(env, value_func, gamma, policy, max_iters=1000, tol=1e-3):
    """Iterative policy evaluation with in-place sweeps over the states 0, 1, ..., S-1.

    Same backup, stopping rule and count as :func:`evaluate_policy_sync`, but each sweep
    updates a single array in place, state by state in index order, so the backup of
    state ``s`` already uses the new values of the states updated before it in the same
    sweep. The change of a sweep is the largest ``|new - old|`` of any state in it.

    Parameters and returns are those of :func:`evaluate_policy_sync`.
    """
    # BEGIN SOLUTION
    return _evaluate("ordered", env, value_func, gamma, policy, max_iters, tol)
    # END SOLUTION


def evaluate_policy_async_randperm(env, value_func, gamma, policy, max_iters=1000, tol=1e-3, rng=None):
    """Iterative policy evaluation with in-place sweeps in a fresh random order every sweep.

    As :func:`evaluate_policy_async_ordered`, but at the start of every sweep the update
    order is drawn with ``rng.permutation(n_states)`` (exactly one call per sweep, and no
    other use of ``rng``), so the same seeded generator gives the same result.

    Parameters
    ----------
    rng : np.random.Generator or None
        Source of the sweep orders; ``None`` means a fresh unseeded
        ``np.random.default_rng()``.

    Other parameters and the returns are those of :func:`evaluate_policy_sync`.
    """
    # BEGIN SOLUTION
    return _evaluate("randperm", env, value_func, gamma, policy, max_iters, tol, rng)
    # END SOLUTION


def improve_policy(env, gamma, value_func, policy):
    """One policy-improvement step: greedy for ``value_func``, keeping actions that are still best.

    In every state, ``policy[s]`` is kept when it is a best action under the tie rule (its
    look-ahead within ``TIE_TOL`` of the best); otherwise the state gets the lowest-index
    best action (required here, not only recommended: policy iteration's counts depend on
    it). So an action changes only for one better by more than ``TIE_TOL``: this is what
    stops policy iteration from cycling between near-tied actions, whose look-aheads an
    approximate evaluation leaves in any order (Sutton & Barto, exercise 4.4).

    Parameters
    ----------
    env : gymnasium.Env
    gamma : float
    value_func : np.ndarray, float, shape (S,)
        Not modified.
    policy : np.ndarray, int, shape (S,)
        The current policy; not modified.

    Returns
    -------
    new_policy : np.ndarray, int64, shape (S,)
    policy_changed : bool
        A Python bool: True if ``new_policy`` differs from ``policy`` in any state.
    """
    # BEGIN SOLUTION
    policy = np.asarray(policy, dtype=np.int64)
    new_policy = _greedy(_build_model(env), value_func, gamma, policy)
    return new_policy, bool(np.any(new_policy != policy))
    # END SOLUTION


def policy_iteration_sync(env, gamma, max_iters=1000, tol=1e-3):
    """Policy iteration with synchronous policy evaluation.

    Starts from the policy that plays action 0 everywhere and from values all 0. Then
    repeats: evaluate the policy with :func:`evaluate_policy_sync` (warm-started from the
    values of the previous evaluation, with the same ``max_iters`` and ``tol``), then
    improve it with :func:`improve_policy` (which keeps every action that is still a best
    action, so near-ties cannot make it cycle); stop when the improvement changes nothing,
    or after ``max_iters`` improvements.

    Parameters
    ----------
    env : gymnasium.Env
    gamma : float
    max_iters : int
        Bounds both the sweeps of each evaluation and the number of improvements.
    tol : float
        The evaluations' tolerance.

    Returns
    -------
    policy : np.ndarray, int64, shape (S,)
        The policy returned by the last improvement.
    value_func : np.ndarray, float64, shape (S,)
        The values of the last evaluation.
    n_improvements : int
        Calls of ``improve_policy``, counting the last one (that changed nothing).
    n_eval_sweeps : int
        Total sweeps over all evaluations.
    """
    # BEGIN SOLUTION
    return _policy_iteration("sync", env, gamma, max_iters, tol)
    # END SOLUTION


def policy_iteration_async_ordered(env, gamma, max_iters=1000, tol=1e-3):
    """Policy iteration whose evaluations use :func:`evaluate_policy_async_ordered`.

    Everything else (start, warm start, stopping rule, counts, returns) is as in
    :func:`policy_iteration_sync`.
    """
    # BEGIN SOLUTION
    return _policy_iteration("ordered", env, gamma, max_iters, tol)
    # END SOLUTION


def policy_iteration_async_randperm(env, gamma, max_iters=1000, tol=1e-3, rng=None):
    """Policy iteration whose evaluations use :func:`evaluate_policy_async_randperm`.

    The same ``rng`` serves every evaluation (one ``rng.permutation(n_states)`` per
    sweep, no other use); ``rng=None`` means a fresh unseeded ``np.random.default_rng()``.
    Everything else is as in :func:`policy_iteration_sync`.
    """
    # BEGIN SOLUTION
    return _policy_iteration("randperm", env, gamma, max_iters, tol, rng)
    # END SOLUTION


def value_iteration_sync(env, gamma, max_iters=1000, tol=1e-3):
    """Value iteration with synchronous sweeps, starting from values all 0.

    Each sweep computes, for every state from the previous sweep's values,
    ``V_new[s] = max_a sum over P[s][a] of probability * (reward + gamma * V_old[next])``
    (a ``terminated`` tuple contributes only ``probability * reward``; terminal states
    get 0). Stops after the first sweep whose largest absolute change is strictly below
    ``tol``, or after ``max_iters`` sweeps. The greedy policy is
    ``value_func_to_policy(env, gamma, value_func)``.

    Parameters
    ----------
    env : gymnasium.Env
    gamma : float
    max_iters : int
    tol : float

    Returns
    -------
    value_func : np.ndarray, float64, shape (S,)
    n_sweeps : int
        Sweeps run, counted from 1, including the sweep that met the tolerance.
    """
    # BEGIN SOLUTION
    return _value_iteration("sync", env, gamma, max_iters, tol)
    # END SOLUTION


def value_iteration_async_ordered(env, gamma, max_iters=1000, tol=1e-3):
    """Value iteration with in-place sweeps over the states 0, 1, ..., S-1.

    The backup of :func:`value_iteration_sync`, applied to one array in place, state by
    state in index order. Same start, stopping rule, count and returns.
    """
    # BEGIN SOLUTION
    return _value_iteration("ordered", env, gamma, max_iters, tol)
    # END SOLUTION


def value_iteration_async_randperm(env, gamma, max_iters=1000, tol=1e-3, rng=None):
    """Value iteration with in-place sweeps in a fresh random order every sweep.

    At the start of every sweep the order is ``rng.permutation(n_states)`` (exactly one
    call per sweep, no other use of ``rng``); ``rng=None`` means a fresh unseeded
    ``np.random.default_rng()``. Otherwise as :func:`value_iteration_async_ordered`.
    """
    # BEGIN SOLUTION
    return _value_iteration("randperm", env, gamma, max_iters, tol, rng)
    # END SOLUTION


def goal_distance_order(env):
    """The states sorted by Manhattan distance to the goal, nearest first.

    The distance of state ``s = row * ncol + col`` is ``|row - goal_row| + |col - goal_col|``
    where the goal is the ``'G'`` tile of ``env.unwrapped.desc`` (with several goals, the
    nearest one). Holes are ordinary entries; equal distances are ordered by state index.

    Returns
    -------
    order : list of int
        A permutation of ``0 .. S-1`` (Python ints).
    """
    # BEGIN SOLUTION
    desc = np.asarray(env.unwrapped.desc)
    rows, cols = np.indices(desc.shape)
    goal_rows, goal_cols = np.nonzero(desc == b"G")
    distance = (np.abs(rows.ravel()[:, None] - goal_rows) + np.abs(cols.ravel()[:, None] - goal_cols)).min(axis=1)
    return [int(s) for s in np.argsort(distance, kind="stable")]
    # END SOLUTION


def value_iteration_async_custom(env, gamma, max_iters=1000, tol=1e-3):
    """Value iteration with in-place sweeps in the order ``goal_distance_order(env)``.

    Every sweep visits the states nearest the goal first (so the reward propagates
    outwards within one sweep). Otherwise as :func:`value_iteration_async_ordered`.
    """
    # BEGIN SOLUTION
    return _value_iteration("custom", env, gamma, max_iters, tol)
    # END SOLUTION


# ---------------------------------------------------------------------------------------
# GIVEN: display helpers and the experiment driver. Complete; you do not need to edit them.
# ---------------------------------------------------------------------------------------

ARROWS = {0: (-1.0, 0.0), 1: (0.0, -1.0), 2: (1.0, 0.0), 3: (0.0, 1.0)}  # (dx, dy), y pointing up


def _grid(env):
    desc = np.asarray(env.unwrapped.desc).astype(str)
    return desc, desc.shape[0], desc.shape[1]


def display_policy_letters(env, policy):
    """Print the policy as a grid of letters (L, D, R, U); holes show 'H', the goal 'G'.

    Returns the printed text (rows joined by newlines).
    """
    desc, nrow, ncol = _grid(env)
    rows = []
    for r in range(nrow):
        row = ""
        for c in range(ncol):
            tile = desc[r, c]
            row += tile if tile in ("H", "G") else lake_info.actions_to_names[int(policy[r * ncol + c])][0]
        rows.append(row)
    text = "\n".join(rows)
    print(text)
    return text


def value_func_heatmap(env, value_func, path, title=None):
    """Write a heatmap of ``value_func`` on the lake's grid to the PNG ``path``; returns ``path``.

    Only the non-terminal states are coloured by value. Holes (dark) and the goal (green)
    are terminal, with value 0 by convention; they are drawn in their own colours, so the
    goal never looks like a hole.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    desc, nrow, ncol = _grid(env)
    values = np.asarray(value_func, dtype=float).reshape(nrow, ncol)
    terminal = np.isin(desc, ("H", "G"))
    shown = np.ma.masked_where(terminal, values)
    cmap = matplotlib.colormaps["viridis"].copy()
    cmap.set_bad((1.0, 1.0, 1.0))
    fig, ax = plt.subplots(figsize=(0.6 * ncol + 2, 0.6 * nrow + 1))
    image = ax.imshow(shown, cmap=cmap)
    fig.colorbar(image, ax=ax, label="value (non-terminal states)")
    tiles = {"H": ((0.3, 0.3, 0.3), "white"), "G": ((0.2, 0.7, 0.3), "black")}  # grey: no viridis colour
    low, high = (float(shown.min()), float(shown.max())) if shown.count() else (0.0, 0.0)
    for r in range(nrow):
        for c in range(ncol):
            tile = desc[r, c]
            if tile in tiles:
                ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, color=tiles[tile][0]))
            if nrow * ncol > 256:
                continue
            if tile in tiles:
                text, colour = ("G\ngoal" if tile == "G" else "H"), tiles[tile][1]
            else:
                text = f"{tile}\n{values[r, c]:.2f}"
                colour = "white" if values[r, c] < low + 0.5 * (high - low) else "black"
            ax.text(c, r, text, ha="center", va="center", fontsize=7, color=colour)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title or "value function")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def policy_arrows_picture(env, policy, path, title=None):
    """Draw the policy as arrows on the lake (holes dark, goal green) into the PNG ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    desc, nrow, ncol = _grid(env)
    colours = {"H": (0.15, 0.15, 0.3), "G": (0.2, 0.7, 0.3), "S": (0.95, 0.85, 0.5), "F": (0.8, 0.9, 1.0)}
    picture = np.array([[colours.get(tile, (1.0, 1.0, 1.0)) for tile in row] for row in desc])
    fig, ax = plt.subplots(figsize=(0.5 * ncol + 1, 0.5 * nrow + 1))
    ax.imshow(picture)
    for r in range(nrow):
        for c in range(ncol):
            if desc[r, c] in ("H", "G"):
                continue
            dx, dy = ARROWS[int(policy[r * ncol + c])]
            ax.arrow(c - 0.3 * dx, r + 0.3 * dy, 0.6 * dx, -0.6 * dy, head_width=0.18, head_length=0.15,
                     length_includes_head=True, color="black")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title or "policy")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def iteration_counts(env, gamma, trials=10, seed=0):
    """The rows of the written questions' table: ``[(method, improvements, sweeps), ...]``.

    ``improvements`` is None for value iteration. Random orders are averaged over
    ``trials`` runs with generators seeded ``seed, seed + 1, ...``.
    """
    rows = []
    for name, fn in (("sync", policy_iteration_sync), ("async ordered", policy_iteration_async_ordered)):
        _, _, n_improvements, n_sweeps = fn(env, gamma)
        rows.append((f"policy iteration, {name}", n_improvements, n_sweeps))
    runs = [policy_iteration_async_randperm(env, gamma, rng=np.random.default_rng(seed + i)) for i in range(trials)]
    rows.append((f"policy iteration, async random (mean of {trials})",
                 float(np.mean([r[2] for r in runs])), float(np.mean([r[3] for r in runs]))))
    for name, fn in (("sync", value_iteration_sync), ("async ordered", value_iteration_async_ordered)):
        rows.append((f"value iteration, {name}", None, fn(env, gamma)[1]))
    sweeps = [value_iteration_async_randperm(env, gamma, rng=np.random.default_rng(seed + i))[1] for i in range(trials)]
    rows.append((f"value iteration, async random (mean of {trials})", None, float(np.mean(sweeps))))
    rows.append(("value iteration, async goal-distance order", None, value_iteration_async_custom(env, gamma)[1]))
    return rows


def format_table(rows):
    """The rows of :func:`iteration_counts` as a text table."""
    lines = [f"{'method':<48} {'improvements':>12} {'sweeps':>8}"]
    for method, improvements, sweeps in rows:
        imp = "" if improvements is None else f"{improvements:g}"
        lines.append(f"{method:<48} {imp:>12} {sweeps:>8g}")
    return "\n".join(lines)


def main(argv=None):
    """Print the iteration-count tables for both course maps and write the pictures."""
    import gymnasium as gym

    parser = argparse.ArgumentParser(description="Dynamic programming on the course's FrozenLake maps.")
    parser.add_argument("--outputs", default="outputs", help="folder for the pictures (default: ./outputs)")
    parser.add_argument("--gamma", type=float, default=0.9, help="discount factor (default: 0.9)")
    parser.add_argument("--trials", type=int, default=10, help="random-order trials to average (default: 10)")
    args = parser.parse_args(argv)
    os.makedirs(args.outputs, exist_ok=True)
    for name in ("4x4", "8x8"):
        env = gym.make("FrozenLake-v1", desc=lake_info.maps[name], is_slippery=False)
        print(f"\n== course map {name}, deterministic, gamma={args.gamma:g} ==")
        print(format_table(iteration_counts(env, args.gamma, trials=args.trials)))
        values, _ = value_iteration_sync(env, args.gamma)
        policy = value_func_to_policy(env, args.gamma, values)
        print("\noptimal policy (value iteration):")
        display_policy_letters(env, policy)
        pi_policy, pi_values, _, _ = policy_iteration_sync(env, args.gamma)
        written = [
            value_func_heatmap(env, values, os.path.join(args.outputs, f"values_vi_{name}.png"),
                               f"value iteration, {name}"),
            value_func_heatmap(env, pi_values, os.path.join(args.outputs, f"values_pi_{name}.png"),
                               f"policy iteration, {name}"),
            policy_arrows_picture(env, policy, os.path.join(args.outputs, f"policy_vi_{name}.png"),
                                  f"value iteration policy, {name}"),
            policy_arrows_picture(env, pi_policy, os.path.join(args.outputs, f"policy_pi_{name}.png"),
                                  f"policy iteration policy, {name}"),
        ]
        print("wrote " + ", ".join(written))
        env.close()
    return 0


if __name__ == "__main__":
    main()
