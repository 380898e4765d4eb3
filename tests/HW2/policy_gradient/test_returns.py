"""Public tests for Problem 1 (``returns.py``), against slow loop oracles written from the docstrings.

The oracles (``pgdata.returns_loop``, ``pgdata.n_step_loop``) walk one target at a time, one step
at a time. The batches hold several episodes per column, ended by terminations and by truncations,
and an episode cut by the window's end; ``next_values`` at terminated steps hold huge numbers,
which a correct target never uses.

A hint of :data:`HINTS` is shown only when that mistake, run in the oracle, reproduces your
result exactly (and no other listed mistake does); otherwise the message says what differs.
"""

import numpy as np
import pytest
from pgdata import n_step_loop, returns_loop, whole_episodes, window

from harness.checks import check, check_array, check_close

ATOL, RTOL = 1e-8, 1e-6  # float64 results (HW2/README.md)
HINTS = {
    "no_discount": "discount the reward k steps ahead by gamma**k: your returns match the undiscounted sums "
                   "(gamma ignored)",
    "no_reset": "a return stops at its episode's last step (dones[t] True): your returns match sums that run on "
                "into the next episode of the column",
    "bootstrap_terminal": "never bootstrap after a termination (the state after it is worth 0): your targets "
                          "match adding gamma**m * next_values[t+m-1] after terminated steps too",
    "truncation_terminal": "a truncated episode (the time limit) is not over for the critic: bootstrap from "
                           "next_values there. Your targets match treating every done as a termination",
    "off_by_one": "a target sums at most n rewards, r[t] .. r[t+n-1], then bootstraps from next_values[t+n-1]: "
                  "your targets match summing one reward more or one fewer",
    "window_end": "an episode cut by the window's end bootstraps from next_values[T-1] (the window's last step "
                  "is not terminal): your targets match stopping there with no value added",
}


def diagnose(got, variants):
    """The hint of the one mistake that reproduces ``got``, None otherwise. ``variants``: ``{key: result}`` or
    ``[(key, result), ...]`` (several results may stand for one mistake: n + 1 and n - 1 rewards)."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    pairs = variants.items() if isinstance(variants, dict) else variants
    matches = {key for key, want in pairs
               if got.shape == np.shape(want) and np.allclose(got, want, atol=ATOL, rtol=RTOL)}
    return HINTS[matches.pop()] if len(matches) == 1 else None


def returns_call(rewards, dones, gamma):
    return f"discounted_returns(rewards {np.shape(rewards)}, dones, gamma={gamma})"


def targets_call(rewards, gamma, n):
    return f"n_step_targets(rewards {np.shape(rewards)}, next_values, terminated, dones, gamma={gamma}, n={n})"


def check_returns(student, rewards, dones, gamma, what):
    got = student.call("returns", "discounted_returns", rewards, dones, gamma)
    want = returns_loop(rewards, dones, gamma)
    check_array(got, what, shape=np.shape(rewards), dtype=np.float64)
    variants = {"no_discount": returns_loop(rewards, dones, 1.0), "no_reset": returns_loop(rewards, dones, gamma,
                                                                                           ignore_dones=True)}
    check_close(got, want, what, atol=ATOL, rtol=RTOL, index_name="(t, e)" if np.ndim(rewards) == 2 else "t",
                hint=lambda: diagnose(got, variants))


def check_targets(student, rewards, next_values, terminated, dones, gamma, n, what):
    got = student.call("returns", "n_step_targets", rewards, next_values, terminated, dones, gamma, n)
    args = (rewards, next_values, terminated, dones, gamma)
    want = n_step_loop(*args, n)
    check_array(got, what, shape=np.shape(rewards), dtype=np.float64)
    variants = [
        ("bootstrap_terminal", n_step_loop(*args, n, ignore_terminated=True)),
        ("truncation_terminal", n_step_loop(*args, n, truncation_terminal=True)),
        ("off_by_one", n_step_loop(*args, n + 1)),
        ("window_end", n_step_loop(*args, n, window_bootstrap=False)),
        ("no_reset", n_step_loop(*args, n, ignore_dones=True)),
        ("no_discount", n_step_loop(rewards, next_values, terminated, dones, 1.0, n)),
    ]
    if n > 1:
        variants.append(("off_by_one", n_step_loop(*args, n - 1)))
    check_close(got, want, what, atol=ATOL, rtol=RTOL, index_name="(t, e)" if np.ndim(rewards) == 2 else "t",
                hint=lambda: diagnose(got, variants))


# ---------------------------------------------------------------------------------- discounted_returns


def test_discounted_returns_examples(student):
    rewards, dones = [1.0, 1.0, 1.0, 1.0], [False, True, False, False]
    got = student.call("returns", "discounted_returns", rewards, dones, 0.5)
    what = "discounted_returns([1, 1, 1, 1], [False, True, False, False], 0.5) (the docstring's example)"
    check_array(got, what, shape=(4,), dtype=np.float64)
    check_close(got, [1.5, 1.0, 1.5, 1.0], what, atol=ATOL, rtol=RTOL, index_name="t",
                hint=lambda: diagnose(got, {"no_discount": [2.0, 1.0, 2.0, 1.0], "no_reset": [1.875, 1.75, 1.5, 1.0]}))
    # One episode of L steps with a constant reward c, terminated at its end: a geometric sum.
    for c, length, gamma in ((1.0, 7, 0.9), (2.5, 5, 0.5), (-1.0, 6, 0.0), (0.5, 4, 1.0)):
        dones = [False] * (length - 1) + [True]
        want = [c * (length - t) if gamma == 1.0 else c * (1 - gamma ** (length - t)) / (1 - gamma)
                for t in range(length)]
        got = student.call("returns", "discounted_returns", [c] * length, dones, gamma)
        what = (f"discounted_returns of one terminated episode of {length} rewards {c:g}, gamma={gamma} "
                "(G[t] = c (1 - gamma**(L-t)) / (1 - gamma))")
        check_array(got, what, shape=(length,), dtype=np.float64)
        variants = {"no_discount": returns_loop([c] * length, dones, 1.0)}
        check_close(got, want, what, atol=ATOL, rtol=RTOL, index_name="t",
                    hint=lambda got=got, variants=variants: diagnose(got, variants))


@pytest.mark.parametrize("gamma", [0.9, 0.5])
def test_discounted_returns_batch(student, gamma):
    batch = window(11, T=14, E=4)
    rewards, dones = batch["rewards"], batch["dones"]
    what = (f"{returns_call(rewards, dones, gamma)} on a window with several episodes per column (terminated and "
            "truncated ends, the last episode cut by the window: summed to the window's end)")
    check_returns(student, rewards, dones, gamma, what)
    whole = whole_episodes(12, E=3, min_steps=6)
    what = f"{returns_call(whole['rewards'], whole['dones'], gamma)} on whole episodes padded at the end"
    check_returns(student, whole["rewards"], whole["dones"], gamma, what)


def test_discounted_returns_types(student):
    batch = window(3, T=9, E=3)
    rewards, dones = batch["rewards"], batch["dones"]
    out = student.probe("returns.call_checked", "discounted_returns", rewards, dones, 0.8)
    what = "discounted_returns(rewards float32 (9, 3), dones bool, 0.8)"
    check_array(out["result"], what, shape=(9, 3), dtype=np.float64)
    check_close(out["result"], returns_loop(rewards, dones, 0.8), what, atol=ATOL, rtol=RTOL, index_name="(t, e)")
    check(out["inputs_unchanged"], what, "modified its inputs (rewards or dones); inputs are never modified")
    column = rewards[:, 0].astype(np.int64) + 2
    flags = dones[:, 0].astype(np.int64)
    got = student.call("returns", "discounted_returns", column, flags, 0.8)
    what = "discounted_returns(rewards int64 (9,), dones as 0/1 int64, 0.8) (one column; flags may be 0/1 numbers)"
    check_array(got, what, shape=(9,), dtype=np.float64)
    check_close(got, returns_loop(column, flags, 0.8), what, atol=ATOL, rtol=RTOL, index_name="t")
    got = student.call("returns", "discounted_returns", [2.0, 1.0, 3.0], [False, False, False], 0.5)
    what = "discounted_returns([2.0, 1.0, 3.0], [False, False, False], 0.5) (lists; an episode cut by the window)"
    check_array(got, what, shape=(3,), dtype=np.float64)
    check_close(got, [3.25, 2.5, 3.0], what, atol=ATOL, rtol=RTOL, index_name="t")


# ---------------------------------------------------------------------------------- n_step_targets


def test_n_step_targets_examples(student):
    rewards, next_values, dones = [1.0, 1.0, 1.0, 1.0], [10.0, 20.0, 30.0, 40.0], [False, True, False, False]
    for terminated, want in ((dones, [1.5, 1.0, 11.5, 21.0]), ([False] * 4, [6.5, 11.0, 11.5, 21.0])):
        got = student.call("returns", "n_step_targets", rewards, next_values, terminated, dones, 0.5, 2)
        what = (f"n_step_targets([1, 1, 1, 1], [10, 20, 30, 40], terminated={terminated}, dones={dones}, 0.5, n=2) "
                "(the docstring's example: the first episode " + ("terminated)" if any(terminated) else "truncated)"))
        check_array(got, what, shape=(4,), dtype=np.float64)
        args = (rewards, next_values, terminated, dones, 0.5)
        variants = {"bootstrap_terminal": n_step_loop(*args, 2, ignore_terminated=True),
                    "truncation_terminal": n_step_loop(*args, 2, truncation_terminal=True),
                    "off_by_one": n_step_loop(*args, 3), "window_end": n_step_loop(*args, 2, window_bootstrap=False)}
        if not any(terminated):  # with the termination, n = 1 and n = 2 differ; without, n = 3 does
            variants["off_by_one"] = n_step_loop(*args, 1)
        check_close(got, want, what, atol=ATOL, rtol=RTOL, index_name="t",
                    hint=lambda got=got, variants=variants: diagnose(got, variants))


def test_n_step_targets_td_and_monte_carlo(student):
    batch = window(21, T=10, E=4)
    rng = np.random.default_rng(5)
    next_values = rng.normal(5.0, 2.0, size=(10, 4))
    next_values[batch["terminated"]] = 1e6  # a terminal state's value must not matter
    r, term, dones = batch["rewards"], batch["terminated"], batch["dones"]
    # n = 1: the one-step TD target, in closed form.
    td = r.astype(np.float64) + 0.9 * next_values * (1.0 - term)
    got = student.call("returns", "n_step_targets", r, next_values, term, dones, 0.9, 1)
    what = f"{targets_call(r, 0.9, 1)} (the TD target r[t] + gamma * next_values[t] * (1 - terminated[t]))"
    check_array(got, what, shape=(10, 4), dtype=np.float64)
    args = (r, next_values, term, dones, 0.9)
    check_close(got, td, what, atol=ATOL, rtol=RTOL, index_name="(t, e)",
                hint=lambda: diagnose(got, {"bootstrap_terminal": n_step_loop(*args, 1, ignore_terminated=True),
                                            "truncation_terminal": n_step_loop(*args, 1, truncation_terminal=True),
                                            "off_by_one": n_step_loop(*args, 2)}))
    # n >= T on whole episodes that all terminate: the Monte-Carlo returns (nothing to bootstrap).
    whole = whole_episodes(22, E=3, min_steps=5, all_terminated=True)
    values = np.random.default_rng(6).normal(0.0, 1.0, size=whole["rewards"].shape)
    values[whole["terminated"]] = -1e6
    T = whole["rewards"].shape[0]
    monte_carlo = returns_loop(whole["rewards"], whole["dones"], 0.95)
    for n in (T, 3 * T):
        got = student.call("returns", "n_step_targets", whole["rewards"], values, whole["terminated"], whole["dones"],
                           0.95, n)
        what = (f"{targets_call(whole['rewards'], 0.95, n)} with n >= T on whole episodes that all terminate (equals "
                "the discounted returns: every target sums to its episode's termination)")
        check_array(got, what, shape=whole["rewards"].shape, dtype=np.float64)
        variants = {"bootstrap_terminal": n_step_loop(whole["rewards"], values, whole["terminated"], whole["dones"],
                                                      0.95, n, ignore_terminated=True)}
        check_close(got, monte_carlo, what, atol=ATOL, rtol=RTOL, index_name="(t, e)",
                    hint=lambda got=got, variants=variants: diagnose(got, variants))


@pytest.mark.parametrize("n", [2, 3, 5])
def test_n_step_targets_batch(student, n):
    batch = window(31 + n, T=16, E=4)
    rng = np.random.default_rng(n)
    next_values = rng.normal(3.0, 2.0, size=(16, 4)).astype(np.float32)
    next_values[batch["terminated"]] = 1e6  # a terminal state's value must not matter
    what = (f"{targets_call(batch['rewards'], 0.9, n)} on a window with several episodes per column (terminated, "
            "truncated, and cut by the window; next_values = 1e6 after terminations)")
    check_targets(student, batch["rewards"], next_values, batch["terminated"], batch["dones"], 0.9, n, what)


def test_n_step_targets_types(student):
    batch = window(41, T=8, E=3)
    next_values = np.random.default_rng(41).normal(size=(8, 3)).astype(np.float32)
    out = student.probe("returns.call_checked", "n_step_targets", batch["rewards"], next_values, batch["terminated"],
                        batch["dones"], 0.9, 3)
    what = "n_step_targets(rewards float32 (8, 3), next_values float32, terminated, dones bool, 0.9, n=3)"
    check_array(out["result"], what, shape=(8, 3), dtype=np.float64)
    want = n_step_loop(batch["rewards"], next_values, batch["terminated"], batch["dones"], 0.9, 3)
    check_close(out["result"], want, what, atol=1e-6, rtol=RTOL, index_name="(t, e)")
    check(out["inputs_unchanged"], what, "modified its inputs; inputs are never modified")
    flags = (batch["terminated"][:, 1].astype(np.int64), batch["dones"][:, 1].astype(np.int64))
    got = student.call("returns", "n_step_targets", batch["rewards"][:, 1], next_values[:, 1], flags[0], flags[1],
                       0.9, 2)
    what = "n_step_targets on one column (T,) with 0/1 int64 flags, n=2"
    check_array(got, what, shape=(8,), dtype=np.float64)
    want = n_step_loop(batch["rewards"][:, 1], next_values[:, 1], flags[0], flags[1], 0.9, 2)
    check_close(got, want, what, atol=1e-6, rtol=RTOL, index_name="t")
