"""Public tests for Problem 3 (agents.py), against independent oracles.

Oracles: sample means of scripted rewards (and, for a constant step size α, the closed
form ``q_n = (1 - α)^n Q0 + Σ_i α (1 - α)^(n - i) r_i``, Sutton & Barto eq. 2.6), the UCB
formula (Sutton & Barto eq. 2.10) and a numerically stable softmax evaluated here, NumPy
generators seeded here to replay the documented draws, and chi-square bounds on seeded samples (a bound of 35 with 9
degrees of freedom is exceeded by chance with probability 6e-5).

A hint of :data:`HINTS` is shown only when that mistake reproduces what the agent did; otherwise
the message says what differs, and the convention it checks, not why.
"""

import numpy as np
import pytest

from harness.checks import check, check_array, check_close, check_equal

AGENTS = {
    "EpsilonGreedyAgent": ("EpsilonGreedyAgent", {"k": 5, "epsilon": 0.1}),
    "EpsilonGreedyAgent-optimistic": ("EpsilonGreedyAgent", {"k": 5, "epsilon": 0.0, "initial_value": 2.5}),
    "UCBAgent": ("UCBAgent", {"k": 5, "c": 1.0}),
    "BoltzmannAgent": ("BoltzmannAgent", {"k": 5, "temperature": 0.5}),
    # Sutton & Barto figure 2.3's optimistic agent: a constant step size instead of sample averages.
    "EpsilonGreedyAgent-constant-step-size": ("EpsilonGreedyAgent", {"k": 5, "epsilon": 0.0, "initial_value": 5.0,
                                                                     "step_size": 0.1}),
}  # ids name the class each case exercises (tests/rubric.py: one function's failure costs its own cases)
IDS = list(AGENTS)
# (action, reward) pairs for a 5-armed agent: arm 2 never pulled, repeats, negative rewards.
UPDATES = [(0, 1.0), (1, -0.5), (0, 3.0), (3, 0.25), (0, -1.0), (4, 2.0), (1, 0.7),
           (3, 1.75), (0, 0.4), (4, -3.0), (1, 0.1), (0, 2.2)]
TOL = 1e-9  # rounding noise never costs points: q may be a running mean or sum / count
HINTS = {
    "counts_frozen": "update must add 1 to counts[action]: your counts never changed",
    "step_size_ignored": "with step_size set, update does q[a] += step_size * (reward - q[a]); your q matches sample "
                         "averages (step_size ignored)",
    "explore_nongreedy": "explore with rng.integers(k), uniformly over all k arms: your agent never chose the greedy "
                         "arm, as exploring only among the non-greedy arms does",
    "untried_later": "an arm with counts == 0 is played before any other (the lowest such index first): your agent "
                     "played an arm it had tried while another was still untried",
    "temperature_multiplied": "softmax(q / temperature): divide by the temperature; your probabilities match "
                              "softmax(q * temperature)",
}
# Exceptions of Problem 3's code that name their cause: rng.choice refuses NaN probabilities, which softmax gives
# when exp(q / temperature) overflows (or every term underflows to 0).
ERROR_HINTS = (
    ("ValueError", r"[Pp]robabilities contain NaN",
     "your probabilities contain NaN: exp(q / temperature) overflows (or underflows to 0) when |q / temperature| "
     "is large; subtract the largest q / temperature before np.exp"),
)


def _describe(class_name, kwargs):
    return f"{class_name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def _action_ok(action, k):
    return isinstance(action, (int, np.integer)) and not isinstance(action, bool) and 0 <= action < k


def _check_actions(actions, k, what):
    for t, action in enumerate(actions):
        check(_action_ok(action, k), what, f"step {t + 1}: get_action() returned {action!r} "
              f"({type(action).__name__}); expected an int in [0, {k})")


def _sampled_actions(out, k, n, what):
    """The ``n`` actions a ``bandits.sample`` probe returned, checked to be ints in [0, k)."""
    actions = out["actions"]
    if not isinstance(actions, np.ndarray):
        _check_actions(actions, k, what)
    actions = check_array(actions, what, shape=(n,))
    bad = actions[(actions < 0) | (actions >= k)]
    check(bad.size == 0, what, f"returned {int(bad[0]) if bad.size else 0}, outside [0, {k})")
    return actions


def _running_means(updates, k, initial=0.0):
    """q and counts after each (action, reward) update: plain sample means (the oracle)."""
    totals, counts = np.zeros(k), np.zeros(k, dtype=np.int64)
    qs, cs = [], []
    for action, reward in updates:
        totals[action] += reward
        counts[action] += 1
        qs.append(np.where(counts > 0, totals / np.maximum(counts, 1), initial))
        cs.append(counts.copy())
    return np.array(qs), np.array(cs)


def _recency_weighted(updates, k, initial, alpha):
    """q and counts after each update with a constant step size: Sutton & Barto eq. 2.6, in closed form."""
    rewards = [[] for _ in range(k)]
    qs, cs = [], []
    for action, reward in updates:
        rewards[action].append(reward)
        q = np.empty(k)
        for arm, paid in enumerate(rewards):
            n = len(paid)
            q[arm] = (1 - alpha) ** n * initial + sum(alpha * (1 - alpha) ** (n - i) * r
                                                      for i, r in enumerate(paid, start=1))
        qs.append(q)
        cs.append([len(paid) for paid in rewards])
    return np.array(qs), np.array(cs, dtype=np.int64)


def _replayed_tried_arm(actions, k):
    """Whether the agent played an arm it had tried while another arm was still untried."""
    tried = set()
    for action in actions:
        if action in tried and len(tried) < k:
            return True
        tried.add(action)
    return False


def _counts_follow(out, actions, k):
    """Whether the agent's own counts after each step are the tallies of its actions (so it saw them)."""
    tallies = np.cumsum(np.eye(k, dtype=np.int64)[np.asarray(actions, dtype=int)], axis=0)
    counts = out.get("counts")
    return isinstance(counts, np.ndarray) and counts.shape == tallies.shape and bool((counts == tallies).all())


def _softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


def _chi_square(actions, probabilities):
    counts = np.bincount(actions, minlength=len(probabilities))
    expected = len(actions) * np.asarray(probabilities)
    return float(((counts - expected) ** 2 / expected).sum()), counts


@pytest.mark.parametrize("name", IDS)
def test_agents_types_and_dtypes(student, name):
    class_name, kwargs = AGENTS[name]
    k, what = kwargs["k"], _describe(class_name, kwargs)
    fresh = student.probe("bandits.state", class_name, kwargs, 0)
    q = check_array(fresh["q"], f"{what}.q", shape=(k,), dtype=np.float64)
    check_array(fresh["counts"], f"{what}.counts", shape=(k,), dtype=np.int64)
    check_close(q, np.full(k, kwargs.get("initial_value", 0.0)), f"{what}.q before any update (epsilon-greedy "
                "starts at initial_value, UCB and Boltzmann at 0)")
    check_equal(fresh["counts"].tolist(), [0] * k, f"{what}.counts before any update")
    table = np.random.default_rng(5).normal(size=(20, k))
    out = student.probe("bandits.play", class_name, kwargs, 0, table)
    _check_actions(out["actions"], k, f"{what}.get_action()")
    check_array(out["q"], f"{what}.q after 20 steps", shape=(20, k), dtype=np.float64)
    check_array(out["counts"], f"{what}.counts after 20 steps", shape=(20, k), dtype=np.int64)
    returned = student.probe("bandits.feed", class_name, kwargs, 0, UPDATES[:3])["returned"]
    check(all(r is None for r in returned), f"{what}.update(action, reward)",
          f"returned {returned[0]!r}; update changes the agent in place and returns None")


@pytest.mark.parametrize("name", IDS)
def test_update_incremental_sample_average(student, name):
    class_name, kwargs = AGENTS[name]
    k, what = kwargs["k"], _describe(class_name, kwargs)
    out = student.probe("bandits.feed", class_name, kwargs, 0, UPDATES)
    if kwargs.get("step_size") is None:
        expected_q, expected_counts = _running_means(UPDATES, k, kwargs.get("initial_value", 0.0))
        rule = ("sample average: counts[a] += 1, then q[a] += (reward - q[a]) / counts[a]; "
                "arms never pulled keep their initial value")
    else:
        expected_q, expected_counts = _recency_weighted(UPDATES, k, kwargs["initial_value"], kwargs["step_size"])
        rule = ("constant step size: counts[a] += 1, then q[a] += step_size * (reward - q[a]); "
                "arms never pulled keep their initial value")
    counts = check_array(out["counts"], f"{what}.counts after each update", shape=expected_counts.shape,
                         dtype=np.int64)
    frozen = not counts.any()
    for step, (action, reward) in enumerate(UPDATES):
        context = f"{what}.counts after update #{step + 1} (update({action}, {reward}); each adds 1 to counts[action])"
        check_equal(counts[step].tolist(), expected_counts[step].tolist(), context,
                    hint=HINTS["counts_frozen"] if frozen else None)
    q = check_array(out["q"], f"{what}.q after each update", shape=expected_q.shape, dtype=np.float64)
    averages = _running_means(UPDATES, k, kwargs.get("initial_value", 0.0))[0]
    step_size_ignored = kwargs.get("step_size") is not None and bool(np.allclose(q, averages, atol=TOL, rtol=TOL))
    for step, (action, reward) in enumerate(UPDATES):
        check_close(q[step], expected_q[step], f"{what}.q after update #{step + 1} (update({action}, {reward}); "
                    f"{rule})", atol=TOL, rtol=TOL, index_name="arm",
                    hint=HINTS["step_size_ignored"] if step_size_ignored else None)


def _greedy_script():
    """A reward table (per step and arm) whose greedy play meets exact ties, and that play.

    Arm ``a``'s ``i``-th pull pays ``PULLS[a][i]``; every running mean here is exact in
    floating point, so ties are exact whatever the update formula's rounding.
    """
    pulls = {0: [-1.0] * 40, 1: [0.0, -1.0] + [-2.0] * 38, 2: [2.0, 2.0, 2.0, -6.0, 0.0, -5.0] + [-1.0] * 34,
             3: [0.5, -0.5, -1.0] + [-0.25] * 37, 4: [0.0, 0.0, 0.0] + [0.125] * 37}
    k, n_steps = 5, 30
    totals, counts, actions = np.zeros(k), np.zeros(k, dtype=np.int64), []
    table = np.zeros((n_steps, k))
    for t in range(n_steps):
        table[t] = [pulls[a][counts[a]] for a in range(k)]
        means = np.where(counts > 0, totals / np.maximum(counts, 1), 0.0)
        action = int(np.flatnonzero(means == means.max())[0])
        actions.append(action)
        totals[action] += table[t, action]
        counts[action] += 1
    return table, actions


def test_epsilon_greedy_zero_is_greedy_with_lowest_index_ties(student):
    kwargs = {"k": 5, "epsilon": 0.0}
    what = _describe("EpsilonGreedyAgent", kwargs)
    table, expected = _greedy_script()
    out = student.probe("bandits.play", "EpsilonGreedyAgent", kwargs, 0, table)
    _check_actions(out["actions"], 5, f"{what}.get_action()")
    for t, (got, want) in enumerate(zip(out["actions"], expected)):
        check(got == want, f"{what}: step {t + 1} of a scripted play (actions so far {expected[:t]}; with epsilon = 0 "
              "always np.argmax(q), among equal estimates the lowest index)",
              f"chose arm {got}, the greedy choice is arm {want}")
    # Random rewards afterwards: greedy with respect to the sample means, step after step.
    table = np.random.default_rng(3).normal(size=(60, 5))
    for initial in (0.0, 1.0):
        kwargs = {"k": 5, "epsilon": 0.0, "initial_value": initial}
        what = _describe("EpsilonGreedyAgent", kwargs)
        out = student.probe("bandits.play", "EpsilonGreedyAgent", kwargs, 1, table)
        actions = out["actions"]
        _check_actions(actions, 5, f"{what}.get_action()")
        q_before = _running_means([(a, table[t, a]) for t, a in enumerate(actions)], 5, initial)[0]
        q_before = np.vstack([np.full(5, initial), q_before[:-1]])
        for t, action in enumerate(actions):
            best = np.flatnonzero(q_before[t] >= q_before[t].max() - TOL)
            check(action == best[0], f"{what}: step {t + 1} with random rewards (epsilon = 0 never explores; untried "
                  "arms keep initial_value)", f"chose arm {action}, the greedy choice is arm {best[0]}")


def test_epsilon_greedy_one_is_uniform_over_all_arms(student):
    kwargs = {"k": 10, "epsilon": 1.0}
    what = _describe("EpsilonGreedyAgent", kwargs)
    out = student.probe("bandits.sample", "EpsilonGreedyAgent", kwargs, 7, [(3, 5.0), (0, -1.0)], 5000)
    actions = _sampled_actions(out, 10, 5000, f"{what}: 5000 actions (arm 3 is greedy)")
    stat, counts = _chi_square(actions, np.full(10, 0.1))
    never_greedy = counts[3] == 0 and bool((counts[np.arange(10) != 3] > 0).all())
    check(counts[3] > 0, f"{what}: how often the greedy arm 3 was chosen in 5000 steps",
          "never; exploring picks uniformly among ALL k arms, the greedy one included",
          hint=HINTS["explore_nongreedy"] if never_greedy else None)
    check(stat < 35.0, f"{what}: arm counts over 5000 steps {counts.tolist()} (with epsilon = 1 every step "
          "explores: a uniform choice among all k arms)",
          f"are not uniform (chi-square {stat:.1f} >= 35 with 9 degrees of freedom)")


def test_epsilon_greedy_follows_documented_draw_order(student):
    kwargs = {"k": 5, "epsilon": 0.3}
    what = _describe("EpsilonGreedyAgent", kwargs)
    table = np.random.default_rng(11).normal(size=(50, 5))
    out = student.probe("bandits.play", "EpsilonGreedyAgent", kwargs, 2024, table)
    actions = out["actions"]
    _check_actions(actions, 5, f"{what}.get_action()")
    rng = np.random.default_rng(2024)  # replays the documented draws
    totals, counts = np.zeros(5), np.zeros(5)
    for t, action in enumerate(actions):
        means = np.where(counts > 0, totals / np.maximum(counts, 1), 0.0)
        explore = rng.random() < 0.3
        expected = int(rng.integers(5)) if explore else int(np.argmax(means))
        check(action == expected, f"{what} with rng=np.random.default_rng(2024): step {t + 1} (each call draws "
              "u = rng.random() first; if u < epsilon then rng.integers(k), else np.argmax(q) with no draw)",
              f"chose arm {action}, expected arm {expected} ({'explore' if explore else 'greedy'} step)")
        totals[action] += table[t, action]
        counts[action] += 1


@pytest.mark.parametrize("c", [0.0, 2.0])
def test_ucb_tries_untried_arms_first(student, c):
    kwargs = {"k": 6, "c": c}
    what = _describe("UCBAgent", kwargs)
    table = np.full((6, 6), -10.0)
    table[:, 0] = 10.0  # arm 0 pays so well that only the untried-arms rule tries the others
    out = student.probe("bandits.play", "UCBAgent", kwargs, 0, table)
    _check_actions(out["actions"], 6, f"{what}.get_action()")
    actions = [int(a) for a in out["actions"]]
    replayed = _replayed_tried_arm(actions, 6) and _counts_follow(out, actions, 6)
    check_equal(actions, list(range(6)), f"{what}: first 6 actions when arm 0 pays 10 and the others -10 (an arm "
                "with counts == 0 is played before any other, the lowest such index first)",
                hint=HINTS["untried_later"] if replayed else None)


@pytest.mark.parametrize("c", [0.5, 2.0])
def test_ucb_bonus_matches_formula(student, c):
    k = 5
    kwargs = {"k": k, "c": c}
    what = _describe("UCBAgent", kwargs)
    gen = np.random.default_rng(17)
    table = gen.normal(loc=np.array([0.2, 0.5, -0.3, 0.45, 0.0]), size=(60, k))
    out = student.probe("bandits.play", "UCBAgent", kwargs, 0, table)
    actions = out["actions"]
    _check_actions(actions, k, f"{what}.get_action()")
    check_equal(len(actions), 60, f"{what}: number of actions played")
    totals, counts = np.zeros(k), np.zeros(k, dtype=np.int64)
    for t, action in enumerate(actions):
        step = t + 1
        if (counts == 0).any():
            untried = int(np.flatnonzero(counts == 0)[0])
            check(action == untried, f"{what}: step {step} (counts {counts.tolist()}; untried arms first, the lowest "
                  "index first)", f"chose arm {action}, but arm {untried} was never tried",
                  hint=HINTS["untried_later"] if counts[action] > 0 and _counts_follow(out, actions, k) else None)
        else:
            values = totals / counts + c * np.sqrt(np.log(step) / counts)
            allowed = np.flatnonzero(values >= values.max() - 1e-9)
            check(action in allowed, f"{what}: step {step} (counts {counts.tolist()}; t = counts.sum() + 1 at the "
                  "moment of choosing, np.log the natural log)",
                  f"chose arm {action}, but the largest q + c*sqrt(ln t / counts) is arm {allowed[0]}")
        totals[action] += table[t, action]
        counts[action] += 1


STABLE_CASES = {
    "moderate": (0.5, [(0, 1.0), (1, 0.2), (2, -0.4), (3, 0.9), (1, 0.6)]),
    "warm": (2.0, [(0, 3.0), (2, -1.0), (4, 0.5)]),
    "huge-q": (1.0, [(0, 1000.0), (1, 999.0), (2, 990.0), (3, -50.0)]),
    "tiny-temperature": (0.01, [(0, 1000.0), (1, 999.99), (2, 800.0), (4, 999.0)]),
}


@pytest.mark.parametrize("case", list(STABLE_CASES))
def test_boltzmann_probabilities_match_stable_softmax(student, case):
    temperature, updates = STABLE_CASES[case]
    k = 5
    kwargs = {"k": k, "temperature": temperature}
    what = _describe("BoltzmannAgent", kwargs) + f" after updates {updates}"
    out = student.probe("bandits.sample", "BoltzmannAgent", kwargs, 0, updates, 1)
    q = _running_means(updates, k)[0][-1]
    probabilities = check_array(out["probabilities"], f"{what}: action_probabilities()", shape=(k,),
                                dtype=np.float64)
    finite = bool(np.isfinite(probabilities).all())
    check(finite, f"{what}: action_probabilities()", f"returned non-finite values {probabilities.tolist()}")
    check_close(probabilities.sum(), 1.0, f"{what}: sum of action_probabilities()", atol=TOL)
    multiplied = bool(np.allclose(probabilities, _softmax(q * temperature), atol=TOL))
    check_close(probabilities, _softmax(q / temperature), f"{what}: action_probabilities() (softmax(q / "
                "temperature))", atol=TOL, index_name="arm",
                hint=HINTS["temperature_multiplied"] if multiplied else None)
    check_close(out["q"], q, f"{what}: q after action_probabilities() and get_action() (unchanged by them)",
                atol=TOL, index_name="arm")
    _sampled_actions(out, k, 1, f"{what}: get_action()")


def test_boltzmann_samples_follow_probabilities(student):
    k, temperature = 5, 0.5
    kwargs = {"k": k, "temperature": temperature}
    updates = [(0, 0.0), (1, 0.5), (2, 1.0), (3, -0.5), (4, 0.25)]
    what = _describe("BoltzmannAgent", kwargs) + " with q = [0, 0.5, 1, -0.5, 0.25]"
    out = student.probe("bandits.sample", "BoltzmannAgent", kwargs, 99, updates, 5000)
    actions = _sampled_actions(out, k, 5000, f"{what}: 5000 actions")
    expected = _softmax(np.array([0.0, 0.5, 1.0, -0.5, 0.25]) / temperature)
    stat, counts = _chi_square(actions, expected)
    # 4 degrees of freedom: exceeding 25 by chance has probability 5e-5.
    check(stat < 25.0, f"{what}: arm counts over 5000 steps {counts.tolist()}",
          f"do not follow softmax(q / temperature) (chi-square {stat:.1f} >= 25 with 4 degrees of freedom)")
    rng = np.random.default_rng(99)  # replays the documented draw: one rng.choice(k, p=...) per call
    replay = [int(rng.choice(k, p=expected)) for _ in range(200)]
    for t, (got, want) in enumerate(zip(actions[:200].tolist(), replay)):
        check(got == want, f"{what} with rng=np.random.default_rng(99): call {t + 1} of get_action() (one draw "
              "per call: self.rng.choice(k, p=self.action_probabilities()))", f"chose arm {got}, expected arm {want}")


@pytest.mark.parametrize("name", ["EpsilonGreedyAgent", "UCBAgent", "BoltzmannAgent"])
def test_agents_seeding_reproducible(student, name):
    class_name, kwargs = AGENTS[name]
    kwargs = dict(kwargs, epsilon=0.5) if name == "EpsilonGreedyAgent" else kwargs
    k, what = kwargs["k"], _describe(class_name, kwargs)
    table = np.random.default_rng(8).normal(size=(80, k))
    first = student.probe("bandits.play", class_name, kwargs, 123, table)["actions"]
    again = student.probe("bandits.play", class_name, kwargs, 123, table)["actions"]
    _check_actions(first, k, f"{what}.get_action()")
    check_equal([int(a) for a in again], [int(a) for a in first],
                f"{what}: actions of two agents built with rng=np.random.default_rng(123) (every random number "
                "from self.rng)")
    if name != "UCBAgent":  # UCB is deterministic
        other = student.probe("bandits.play", class_name, kwargs, 456, table)["actions"]
        check([int(a) for a in other] != [int(a) for a in first], f"{what}: seeds 123 and 456",
              "gave the same 80 actions; the agent seems to ignore its rng")
    unseeded = student.probe("bandits.play", class_name, kwargs, None, table[:10])["actions"]
    _check_actions(unseeded, k, f"{what} with rng=None: get_action()")
