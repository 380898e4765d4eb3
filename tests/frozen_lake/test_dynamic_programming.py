"""Public tests for Problem 2 (dynamic_programming.py), against independent oracles.

Oracles, all computed in this process from Gymnasium's own ``env.unwrapped.P``:
shortest safe paths (breadth-first search) give the optimal values ``gamma**(d-1)`` of a
deterministic lake; an exact linear solve gives a policy's values; a plain loop written
here (:class:`LoopOracle`, a direct transcription of the conventions) gives the sweep
counts; facts read off the course 4x4 by hand give the policy letters. Nothing here
imports a reference solution.

Credit: every case exercises one student function, named first in its id. A function
costs another's points only where the contract makes it call it (policy iteration calls
its evaluation and ``improve_policy``; the custom sweep calls ``goal_distance_order``:
``CALLS`` in ``tests/rubric.py``); such a failure names the broken dependency and the
test that shows it. Hints name a mistake only when the result is exactly what that
mistake gives (:class:`LoopOracle` runs each mistake as a variant).
"""

import contextlib
from collections import deque

import numpy as np
import pytest

from harness.checks import check, check_array, check_close, check_equal, check_type
from harness.errors import CheckFailed, StudentCodeError
from harness.lakes import COURSE_MAPS, lake, random_lake

LEFT, DOWN, RIGHT, UP = 0, 1, 2, 3
LETTERS = "LDRU"
GAMMA, TOL = 0.9, 1e-3
TIE_TOL = 1e-6  # the tie rule: look-aheads within this of the best are all best actions
MODULE = "dynamic_programming"
TEST_FILE = "tests/frozen_lake/test_dynamic_programming.py"

# Hints that name one mistake each. A test shows one only when that mistake, run by the oracle,
# reproduces your result exactly (see :func:`diagnose`), so a hint you see fits what your code
# returned.
HINTS = {
    "zero_based": "counts start at 1 and include the sweep whose largest absolute change fell strictly below tol "
                  "(your count matches leaving that sweep out)",
    "in_place": "a synchronous sweep must compute every new value from the previous sweep's array (two arrays); "
                "your result matches overwriting V[s] in place",
    "synchronous": "an in-place sweep overwrites V[s] at once, so later states in the same sweep see the new "
                   "value; your result matches computing every value from the previous sweep's array",
    "keep_terminal": "terminal states have value 0 even when the start values (a warm start) are not 0: your "
                     "result matches leaving them at their start values",
    "bootstrap": "a transition flagged terminated contributes only its reward: do not add gamma * V[next] for it, "
                 "and terminal states have value 0",
    "cold_start": "warm-start every evaluation from the values of the previous one (your counts match restarting "
                  "each evaluation from zeros)",
    "no_guard": "improve_policy must keep the current action while it is a best action (within 1e-6 of the best "
                "look-ahead) and change it only for one better by more than 1e-6; otherwise policy iteration can "
                "cycle between near-tied actions",
    "ties_high": "where improve_policy changes an action it must take the lowest-index best action (policy "
                 "iteration's counts depend on that choice)",
}
GENERIC_COUNT_HINT = ("see the conventions: a count is 1-based and includes the sweep whose largest absolute change "
                      "fell strictly below tol")


def stopping_bound(gamma, tol=TOL):
    """Once a sweep changes no value by tol or more, the values are within gamma*tol/(1-gamma) of the fixed point."""
    return gamma * tol / (1 - gamma) + 1e-9


class OrdersExhausted(Exception):
    """A replay needed more sweep orders than the submission drew."""


class LoopOracle:
    """The conventions of HW1/README.md written as plain loops over ``env.unwrapped.P``.

    ``bug`` (in :meth:`sweeps`, :meth:`greedy`, :meth:`policy_iteration`) runs one known
    mistake instead, so a test can tell which mistake a wrong result matches:
    ``"zero_based"`` counts, ``"in_place"`` synchronous sweeps, ``"synchronous"`` in-place
    sweeps, ``"keep_terminal"`` (terminal states keep their start values),
    ``"bootstrap"`` (terminated tuples add ``gamma * V[next]``, terminal states are
    backed up like the others), ``"cold_start"`` (policy iteration), ``"no_guard"`` and
    ``"ties_high"`` (policy improvement).
    """

    def __init__(self, spec):
        env = spec.make()
        self.P = env.unwrapped.P
        self.n = env.observation_space.n
        self.desc = ["".join(ch.decode() for ch in row) for row in env.unwrapped.desc]
        self.terminal = {ns for s in self.P for a in self.P[s] for _, ns, _, done in self.P[s][a] if done}

    def q(self, V, gamma, s, a, bug=None):
        if bug == "bootstrap":
            return sum(p * (r + gamma * V[ns]) for p, ns, r, _ in self.P[s][a])
        if s in self.terminal:
            return 0.0
        return sum(p * (r + (0.0 if done else gamma * V[ns])) for p, ns, r, done in self.P[s][a])

    def backup(self, V, gamma, s, policy, bug=None):
        if bug == "keep_terminal" and s in self.terminal:
            return V[s]
        if policy is not None:
            return self.q(V, gamma, s, int(policy[s]), bug)
        return max(self.q(V, gamma, s, a, bug) for a in range(4))

    def sweeps(self, gamma, V0=None, policy=None, order="sync", tol=TOL, max_iters=1000, bug=None):
        """Iterate sweeps; ``order`` is "sync", "ordered", a list of states, or an iterator of orders.

        Raises :class:`OrdersExhausted` when an iterator of orders runs out before the stopping rule.
        """
        V = [0.0] * self.n if V0 is None else [float(v) for v in V0]
        orders = order if hasattr(order, "__next__") else None
        if bug == "in_place" and order == "sync":
            order = "ordered"
        elif bug == "synchronous" and order != "sync":
            order, orders = "sync", None
        for sweep in range(1, max_iters + 1):
            if order == "sync":
                new = [self.backup(V, gamma, s, policy, bug) for s in range(self.n)]
                delta = max(abs(a - b) for a, b in zip(new, V))
                V = new
            else:
                try:
                    states = next(orders) if orders else (range(self.n) if order == "ordered" else order)
                except StopIteration:
                    raise OrdersExhausted(sweep - 1) from None
                delta = 0.0
                for s in states:
                    value = self.backup(V, gamma, int(s), policy, bug)
                    delta = max(delta, abs(value - V[int(s)]))
                    V[int(s)] = value
            if delta < tol:
                return np.array(V), sweep - (bug == "zero_based")
        return np.array(V), max_iters

    def best_actions(self, V, gamma, s, bug=None):
        """The actions whose look-ahead is within TIE_TOL of the best (the tie rule)."""
        qs = [self.q(V, gamma, s, a, bug) for a in range(4)]
        return [a for a in range(4) if qs[a] >= max(qs) - TIE_TOL]

    def greedy(self, V, gamma, policy=None, bug=None):
        """The lowest-index best action; with ``policy``, improvement: keep ``policy[s]`` while it is best."""
        out = []
        for s in range(self.n):
            best = self.best_actions(V, gamma, s, bug if bug == "bootstrap" else None)
            keep = policy is not None and bug != "no_guard" and int(policy[s]) in best
            out.append(int(policy[s]) if keep else (best[-1] if bug == "ties_high" else best[0]))
        return out

    def policy_iteration(self, gamma, order="sync", tol=TOL, max_iters=1000, bug=None):
        policy, V = [0] * self.n, [0.0] * self.n
        improvements = eval_sweeps = 0
        while improvements < max_iters:
            start = [0.0] * self.n if bug == "cold_start" else V
            V, sweeps = self.sweeps(gamma, start, policy, order, tol, max_iters, bug)
            eval_sweeps += sweeps
            new = self.greedy(V, gamma, policy, bug)
            improvements += 1
            changed, policy = new != policy, new
            if not changed:
                break
        return policy, V, improvements, eval_sweeps

    def exact_values(self, policy, gamma):
        """Solve (I - gamma * T_pi) V = R_pi, terminal rows zero."""
        T, R = np.zeros((self.n, self.n)), np.zeros(self.n)
        for s in range(self.n):
            if s in self.terminal:
                continue
            for p, ns, r, done in self.P[s][int(policy[s])]:
                R[s] += p * r
                if not done:
                    T[s, ns] += p
        return np.linalg.solve(np.eye(self.n) - gamma * T, R)

    def goal_distances(self):
        """Shortest number of steps from each state to the goal without entering a hole (inf if none)."""
        nrow, ncol = len(self.desc), len(self.desc[0])
        dist = np.full(self.n, np.inf)
        goal = next(r * ncol + c for r in range(nrow) for c in range(ncol) if self.desc[r][c] == "G")
        dist[goal] = 0
        queue = deque([goal])
        while queue:
            s = queue.popleft()
            r, c = divmod(s, ncol)
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                neighbour = nr * ncol + nc
                if 0 <= nr < nrow and 0 <= nc < ncol and self.desc[nr][nc] not in "HG" and dist[neighbour] == np.inf:
                    dist[neighbour] = dist[s] + 1
                    queue.append(neighbour)
        return dist

    def optimal_values_deterministic(self, gamma):
        """V*(s) = gamma**(d-1) for a state d safe steps from the goal; 0 for terminal and hopeless states."""
        d = self.goal_distances()
        values = np.zeros(self.n)
        for s in range(self.n):
            if s not in self.terminal and np.isfinite(d[s]):
                values[s] = gamma ** (d[s] - 1)
        return values

    def custom_order(self):
        """The goal-distance order: Manhattan distance to the goal tile, ties by state index."""
        ncol = len(self.desc[0])
        goals = [(r, c) for r, row in enumerate(self.desc) for c, ch in enumerate(row) if ch == "G"]
        return sorted(range(self.n), key=lambda s: (min(abs(s // ncol - r) + abs(s % ncol - c) for r, c in goals), s))

    def non_greedy_states(self, policy, V, gamma):
        """Non-terminal states whose action is not a best action under V (the tie rule)."""
        return [s for s in range(self.n)
                if s not in self.terminal and int(policy[s]) not in self.best_actions(V, gamma, s)]

    def letters(self, policy):
        ncol = len(self.desc[0])
        return ["".join(tile if tile in "HG" else LETTERS[int(policy[r * ncol + c])] for c, tile in enumerate(row))
                for r, row in enumerate(self.desc)]


def diagnose(matches, bugs, default=None):
    """The hint of the first mistake in ``bugs`` for which ``matches(bug)`` holds, else ``default``."""
    for bug in bugs:
        try:
            if matches(bug):
                return HINTS[bug]
        except OrdersExhausted:
            continue
    return default


def same_result(got_values, got_count, want):
    """Whether a student's (values, count) is exactly what an oracle run gave (values within 1e-7)."""
    values, count = want
    try:
        return got_count == count and np.allclose(np.asarray(got_values, dtype=float), values, atol=1e-7, rtol=0)
    except (TypeError, ValueError):
        return False


def _pair(result, what, n_items=2):
    check(isinstance(result, tuple) and len(result) == n_items, what,
          f"expected a tuple of {n_items} items, got {type(result).__name__}"
          + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""),
          hint="see the docstring for what to return")
    return result


VALUE_ITERATIONS = ["value_iteration_sync", "value_iteration_async_ordered", "value_iteration_async_randperm",
                    "value_iteration_async_custom"]
POLICY_ITERATIONS = ["policy_iteration_sync", "policy_iteration_async_ordered", "policy_iteration_async_randperm"]
EVALUATIONS = ["evaluate_policy_sync", "evaluate_policy_async_ordered", "evaluate_policy_async_randperm"]
ALL_FUNCTIONS = VALUE_ITERATIONS + POLICY_ITERATIONS + EVALUATIONS + ["value_func_to_policy", "improve_policy",
                                                                      "goal_distance_order"]


def _shown(value):
    if isinstance(value, np.ndarray):
        return "value_func" if value.dtype.kind == "f" else "policy"
    return repr(value)


def shown_call(function, args, kwargs=None, seed=None, rng_mode="seeded"):
    """The call as a student would write it, e.g. ``value_iteration_sync(env, 0.9, max_iters=3)``."""
    parts = ["env"] + [_shown(a) for a in args] + [f"{k}={_shown(v)}" for k, v in (kwargs or {}).items()]
    if function.endswith("randperm"):
        if rng_mode == "seeded":
            parts.append(f"rng=np.random.default_rng({seed})")
        elif rng_mode == "none":
            parts.append("rng=None")
    return f"{function}({', '.join(parts)})"


def run(student, function, spec, *args, seed=0, **kwargs):
    """Call a student function; the randperm variants get ``np.random.default_rng(seed)`` in the worker."""
    if function.endswith("randperm"):
        return student.probe("dp.call_with_rng", function, spec, *args, seed=seed,
                             shown_as=shown_call(function, args, kwargs, seed), **kwargs)["result"]
    return student.call(MODULE, function, spec, *args, **kwargs)


def rubric_number(node_name, path=TEST_FILE):
    """The rubric number (``2.N``) of a test function of Problem 2."""
    import rubric

    node = f"{path}::{node_name}"
    for index, test in enumerate(rubric.TESTS[2], 1):
        if test.node == node:
            return f"2.{index}"
    return "?"


def _dependency_ok(student, function):
    """A quick check of one function that others call by the contract: does it work on the course 4x4?"""
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    try:
        if function.startswith("evaluate_policy"):
            order = {"sync": "sync", "ordered": "ordered"}.get(function.rsplit("_", 1)[1])
            start = np.random.default_rng(7).uniform(0, 1, 16)
            if order is None:
                args = (start, GAMMA, np.array(HAND_POLICY_4X4))
                out = student.probe("dp.call_with_rng", function, spec, *args, seed=7, record=True,
                                    shown_as=shown_call(function, args, seed=7))
                want = oracle.sweeps(GAMMA, start, HAND_POLICY_4X4, iter(out["permutations"]))
                return same_result(out["result"][0], out["result"][1], want)
            got = student.call(MODULE, function, spec, start, GAMMA, np.array(HAND_POLICY_4X4))
            return same_result(got[0], got[1], oracle.sweeps(GAMMA, start, HAND_POLICY_4X4, order))
        if function == "improve_policy":
            values = oracle.optimal_values_deterministic(GAMMA)
            policy = np.zeros(16, dtype=np.int64)
            got = student.call(MODULE, function, spec, GAMMA, values, policy)
            want = oracle.greedy(values, GAMMA, policy)
            return [int(a) for a in got[0]] == want and got[1] is True
        if function == "goal_distance_order":
            return student.call(MODULE, function, spec) == oracle.custom_order()
    except (StudentCodeError, OrdersExhausted, TypeError, ValueError, IndexError, KeyError):
        return False
    return True


DEPENDENCY_TESTS = {  # the test that shows each called function's own failure
    "evaluate_policy_sync": "test_evaluate_policy_matches_linear_solve",
    "evaluate_policy_async_ordered": "test_evaluate_policy_matches_linear_solve",
    "evaluate_policy_async_randperm": "test_evaluate_policy_matches_linear_solve",
    "improve_policy": "test_improve_policy_reports_change",
    "goal_distance_order": "test_goal_distance_order_course_maps",
}


@contextlib.contextmanager
def blame_dependencies(student, function):
    """On a failure of ``function``, name the functions it calls by the contract that fail themselves."""
    try:
        yield
    except (CheckFailed, StudentCodeError) as exc:
        import rubric

        told = str(exc)  # the harness may already have named a callee that raised inside the call
        broken = [dep for dep in rubric.CALLS.get(function, ()) if dep not in told and not _dependency_ok(student, dep)]
        if not broken:
            raise
        notes = "; ".join(f"{dep} (see test {rubric_number(DEPENDENCY_TESTS[dep])})" for dep in broken)
        note = (f"\nNote: {function} calls {', '.join(broken)} by the contract, and that fails on its own: "
                f"{notes}. Fix it first; this test may then pass.")
        if isinstance(exc, StudentCodeError):
            raise type(exc)(exc.message + note, exc.output) from None
        raise CheckFailed(str(exc) + note) from None


DETERMINISTIC_MAPS = [
    pytest.param(lake("4x4"), id="course-4x4"),
    pytest.param(lake("8x8"), id="course-8x8"),
    pytest.param(random_lake(6, seed=3), id="random-6x6"),
]


@pytest.mark.parametrize("spec", DETERMINISTIC_MAPS)
@pytest.mark.parametrize("function", VALUE_ITERATIONS)
def test_value_iteration_optimal_values_deterministic(student, function, spec):
    oracle = LoopOracle(spec)
    with blame_dependencies(student, function):
        values, n_sweeps = _pair(run(student, function, spec, GAMMA), shown_call(function, (GAMMA,)))
        check_array(values, f"{function}: value_func", shape=(oracle.n,), dtype=np.float64)
        # On a deterministic lake value iteration from 0 is exact once the reward has travelled the longest path.
        check_close(values, oracle.optimal_values_deterministic(GAMMA),
                    f"{function}(env, gamma={GAMMA}) on {spec.describe()}: values vs gamma**(d-1), "
                    "d = shortest safe path", index_name="state",
                    hint=diagnose(lambda bug: np.allclose(values, oracle.sweeps(GAMMA, bug=bug)[0], atol=1e-7),
                                  ["bootstrap"]))
        check_type(n_sweeps, int, f"{function}: n_sweeps")


@pytest.mark.parametrize("spec", DETERMINISTIC_MAPS[:2])
@pytest.mark.parametrize("function", POLICY_ITERATIONS)
def test_policy_iteration_optimal_deterministic(student, function, spec):
    oracle = LoopOracle(spec)
    with blame_dependencies(student, function):
        result = _pair(run(student, function, spec, GAMMA), shown_call(function, (GAMMA,)), 4)
        policy, values, n_improvements, n_eval_sweeps = result
        check_array(policy, f"{function}: policy", shape=(oracle.n,), dtype=np.int64)
        check_array(values, f"{function}: value_func", shape=(oracle.n,), dtype=np.float64)
        optimal = oracle.optimal_values_deterministic(GAMMA)
        bad = oracle.non_greedy_states(policy, optimal, GAMMA)
        check(not bad, f"{function} on {spec.describe()}: policy", f"states {bad[:8]} do not take an optimal action")
        check_close(values, optimal, f"{function}: the values of the last evaluation (within the stopping bound)",
                    atol=stopping_bound(GAMMA), rtol=0, index_name="state",
                    hint=diagnose(lambda bug: np.allclose(values, oracle.policy_iteration(GAMMA, _order_of(function),
                                                                                          bug=bug)[1],
                                                          atol=stopping_bound(GAMMA), rtol=0), ["bootstrap"]))


EVAL_CASES = [
    pytest.param(lake("4x4", is_slippery=True), 0.9, 11, id="slippery-4x4-gamma0.9"),
    pytest.param(lake("8x8", is_slippery=True), 0.95, 12, id="slippery-8x8-gamma0.95"),
    pytest.param(lake("8x8"), 0.5, 13, id="deterministic-8x8-gamma0.5"),
]


def _order_of(function):
    return "sync" if function.endswith("sync") else "ordered"


@pytest.mark.parametrize(("spec", "gamma", "seed"), EVAL_CASES)
@pytest.mark.parametrize("function", EVALUATIONS)
def test_evaluate_policy_matches_linear_solve(student, function, spec, gamma, seed):
    oracle = LoopOracle(spec)
    rng = np.random.default_rng(seed)
    policy = rng.integers(0, 4, size=oracle.n)
    start = rng.uniform(0, 1, size=oracle.n)  # a warm start; terminal states too must come back 0
    values, n_sweeps = _pair(run(student, function, spec, start, gamma, policy, seed=seed),
                             shown_call(function, (start, gamma, policy), seed=seed))
    check_array(values, f"{function}: value_func", shape=(oracle.n,), dtype=np.float64)

    terminal = sorted(oracle.terminal)

    def matches(bug):
        if function.endswith("randperm"):  # its orders are not replayed here: only the unambiguous mistake
            return bug == "keep_terminal" and np.array_equal(values[terminal], start[terminal])
        return np.allclose(values, oracle.sweeps(gamma, start, policy, _order_of(function), bug=bug)[0],
                           atol=1e-7, rtol=0)

    check_close(values[terminal], np.zeros(len(terminal)), f"{function} from a non-zero start: values of the "
                f"terminal states {terminal}", atol=1e-12, rtol=0, index_name="position",
                hint=diagnose(matches, ["keep_terminal", "bootstrap"], "terminal states have value 0"))
    check_close(values, oracle.exact_values(policy, gamma),
                f"{function} on {spec.describe()}, gamma={gamma}, a random policy: values vs an exact linear solve",
                atol=stopping_bound(gamma), rtol=0, index_name="state",
                hint=diagnose(matches, ["bootstrap"], "V[s] = sum over P[s][policy[s]] of p * (r + gamma * V[next]), "
                              "nothing added after a terminal"))
    check_type(n_sweeps, int, f"{function}: n_sweeps")


HAND_4X4 = ["DHRD", "RGHD", "UHHD", "ULLL"]  # the only safe route: 2-3-7-11-15-14-13-12-8-4-5
HAND_POLICY_4X4 = [LETTERS.index(ch) if ch in LETTERS else 0 for ch in "".join(HAND_4X4)]


def test_value_func_to_policy_letters_course_4x4(student):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    optimal = oracle.optimal_values_deterministic(GAMMA)
    policy = student.call(MODULE, "value_func_to_policy", spec, GAMMA, optimal)
    check_array(policy, "value_func_to_policy(env, 0.9, V*)", shape=(16,), dtype=np.int64)
    # By hand, each non-terminal state of the course 4x4 has one optimal action under V*: these letters.
    check_equal(oracle.letters(policy), HAND_4X4, "value_func_to_policy on the course 4x4, as letters (H, G tiles)",
                hint="actions are 0 Left, 1 Down, 2 Right, 3 Up")


def test_value_func_to_policy_ties(student):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    values = np.zeros(16)
    values[[7, 15]] = 0.5  # from 11, Down (to 15) and Up (to 7) tie exactly; Right stays put, Left is a hole
    values[[8, 12]] = 0.25  # from 13, Left (12) and Up (hole 9) differ; from 4, Right (goal) is best
    values[14] = 0.5 - 0.4e-6  # from 15, Left (to 14) is within 1e-6 of Down and Right (15 stays put)
    policy = student.call(MODULE, "value_func_to_policy", spec, GAMMA, values)
    check_array(policy, "value_func_to_policy", shape=(16,), dtype=np.int64)
    for state, what in [(11, "where Down and Up tie exactly"), (0, "where all look-aheads are 0"),
                        (15, "where two look-aheads differ by less than 1e-6"), (4, "next to the goal")]:
        best = oracle.best_actions(values, GAMMA, state)
        check(int(policy[state]) in best, f"value_func_to_policy at state {state} {what}",
              f"returned {LETTERS[int(policy[state])] if 0 <= int(policy[state]) < 4 else int(policy[state])}, "
              f"the best actions are {[LETTERS[a] for a in best]}",
              hint="any action whose look-ahead is within 1e-6 of the best is accepted (the lowest index is "
              "recommended)")


LOOKAHEAD_MAPS = [
    pytest.param(lake("4x4"), 0.9, id="course-4x4"),
    pytest.param(lake("4x4", is_slippery=True), 0.9, id="slippery-4x4"),
    pytest.param(lake("8x8", is_slippery=True), 0.95, id="slippery-8x8"),
]


@pytest.mark.parametrize(("spec", "gamma"), LOOKAHEAD_MAPS)
def test_value_func_to_policy_any_values(student, spec, gamma):
    """Greedy for arbitrary values, non-zero at terminal states too (never bootstrapped through)."""
    oracle = LoopOracle(spec)
    values = np.random.default_rng(oracle.n).uniform(0, 1, oracle.n)
    policy = student.call(MODULE, "value_func_to_policy", spec, gamma, values)
    check_array(policy, f"value_func_to_policy(env, {gamma}, value_func)", shape=(oracle.n,), dtype=np.int64)
    bad = oracle.non_greedy_states(policy, values, gamma)
    bootstrapped = all(int(policy[s]) in oracle.best_actions(values, gamma, s, "bootstrap") for s in bad)
    check(not bad, f"value_func_to_policy on {spec.describe()}, gamma={gamma}, random values (terminal states "
          "included)", f"states {bad[:8]} do not take a best action of the one-step look-ahead",
          hint=HINTS["bootstrap"] if bootstrapped else "Q(s, a) = sum over P[s][a] of p * (r + gamma * V[next]); "
          "slippery lakes have several tuples per action, each with its own probability")


def test_improve_policy_reports_change(student):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    optimal = oracle.optimal_values_deterministic(GAMMA)
    start = np.zeros(16, dtype=np.int64)
    new_policy, changed = _pair(student.call(MODULE, "improve_policy", spec, GAMMA, optimal, start),
                                "improve_policy(env, 0.9, value_func, policy) with V* and the all-Left policy")
    check_array(new_policy, "improve_policy: new_policy", shape=(16,), dtype=np.int64)
    check_type(changed, bool, "improve_policy: policy_changed", hint="return a Python bool (bool(...))")
    check_equal(changed, True, "improve_policy from the all-Left policy: policy_changed")
    check_equal(oracle.letters(new_policy), HAND_4X4, "improve_policy(env, 0.9, V*, all-Left policy) as letters")
    again, changed = _pair(student.call(MODULE, "improve_policy", spec, GAMMA, optimal, new_policy),
                           "improve_policy(env, 0.9, V*, its own greedy policy)")
    check_equal(changed, False, "improve_policy of an already greedy policy: policy_changed")
    check_close(again, new_policy, "improve_policy of an already greedy policy: new_policy", index_name="state")


def test_improve_policy_keeps_best_actions(student):
    """The guard against cycling: a still-best action is kept; a change takes the lowest-index best action."""
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    values = np.zeros(16)
    values[[7, 15]] = 0.5  # from 11, Down and Up tie
    values[14] = 0.5 - 0.4e-6  # from 15, Left (to 14) ties within 1e-6 with Down and Right (15 stays put)
    values[3] = 0.7  # from 2, Right (to 3) is better than anything else by far; from 3, Right and Up tie
    policy = np.full(16, UP, dtype=np.int64)
    policy[15] = LEFT
    policy[11] = RIGHT
    want = oracle.greedy(values, GAMMA, policy)
    new_policy, changed = _pair(student.call(MODULE, "improve_policy", spec, GAMMA, values, policy),
                                "improve_policy(env, 0.9, value_func, policy)")
    check_array(new_policy, "improve_policy: new_policy", shape=(16,), dtype=np.int64)
    cases = [(3, "Up, tied exactly with Right, is kept", "no_guard"),
             (15, "Left, within 1e-6 of the best, is kept", "no_guard"),
             (0, "every look-ahead is 0: Up is kept", "no_guard"),
             (2, "Up is worse by far: the only best action Right replaces it", None),
             (11, "Right is worse: of the tied best actions Down and Up, the lowest index replaces it", "ties_high")]
    for state, what, bug in cases:
        got = int(new_policy[state])
        matches_bug = bug is not None and got == oracle.greedy(values, GAMMA, policy, bug=bug)[state]
        check_equal(LETTERS[got] if 0 <= got < 4 else got, LETTERS[want[state]],
                    f"improve_policy at state {state} ({what})", hint=HINTS[bug] if matches_bug else None)
    check_equal(changed, True, "improve_policy: policy_changed (states 2 and 11 changed)")


@pytest.mark.parametrize(("which", "start"), [("optimal", "zeros"), ("all-down", "zeros"), ("optimal", "random")],
                         ids=["optimal-from-zeros", "all-down-from-zeros", "optimal-from-random-values"])
@pytest.mark.parametrize("function", EVALUATIONS[:2])
def test_evaluate_policy_sweep_counts_course_4x4(student, function, which, start):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    policy = oracle.greedy(oracle.optimal_values_deterministic(GAMMA), GAMMA) if which == "optimal" else [DOWN] * 16
    order = _order_of(function)
    values0 = np.zeros(16) if start == "zeros" else np.random.default_rng(44).uniform(0, 1, 16)
    want_values, want_sweeps = oracle.sweeps(GAMMA, values0, policy, order)
    values, n_sweeps = _pair(student.call(MODULE, function, spec, values0, GAMMA, np.array(policy)),
                             shown_call(function, (values0, GAMMA, np.array(policy))))
    check_type(n_sweeps, int, f"{function}: n_sweeps")
    hint = diagnose(lambda bug: same_result(values, n_sweeps, oracle.sweeps(GAMMA, values0, policy, order, bug=bug)),
                    ["zero_based", "in_place" if order == "sync" else "synchronous", "keep_terminal", "bootstrap"],
                    GENERIC_COUNT_HINT)
    check_equal(n_sweeps, want_sweeps, f"{function} of the {which} policy on the course 4x4 from {start}: n_sweeps",
                hint=hint)
    check_close(values, want_values, f"{function}: values after the last sweep", index_name="state", hint=hint)


@pytest.mark.parametrize("function", ["value_iteration_sync", "value_iteration_async_ordered",
                                      "value_iteration_async_custom"])
def test_value_iteration_sweep_counts_course_4x4(student, function):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    if function == "value_iteration_sync":
        # By hand: sweep k gives their value to the states k steps from the goal and changes one of them by
        # gamma**(k-1) >= 0.387 > tol; the sweep after the farthest state (d = 10) changes nothing.
        want = int(np.nanmax(np.where(np.isfinite(oracle.goal_distances()), oracle.goal_distances(), np.nan))) + 1
        order = "sync"
    else:
        order = "ordered" if function.endswith("ordered") else oracle.custom_order()
        want = oracle.sweeps(GAMMA, order=order)[1]
    with blame_dependencies(student, function):
        values, n_sweeps = _pair(student.call(MODULE, function, spec, GAMMA), shown_call(function, (GAMMA,)))
        check_type(n_sweeps, int, f"{function}: n_sweeps")
        bugs = ["zero_based", "in_place" if order == "sync" else "synchronous"]
        check_equal(n_sweeps, want, f"{function} on the course 4x4: n_sweeps",
                    hint=diagnose(lambda bug: same_result(values, n_sweeps, oracle.sweeps(GAMMA, order=order, bug=bug)),
                                  bugs, GENERIC_COUNT_HINT))


PI_COUNT_MAPS = [pytest.param("4x4", id="course-4x4"), pytest.param("8x8", id="course-8x8")]


@pytest.mark.parametrize("name", PI_COUNT_MAPS)
@pytest.mark.parametrize("function", POLICY_ITERATIONS[:2])
def test_policy_iteration_counts(student, function, name):
    """Counts on the course maps; on the 8x8 a cold start gives other counts, so the warm start shows."""
    spec = lake(name)
    oracle = LoopOracle(spec)
    order = _order_of(function)
    _, want_values, want_improvements, want_sweeps = oracle.policy_iteration(GAMMA, order)
    if name == "8x8":
        assert oracle.policy_iteration(GAMMA, order, bug="cold_start")[3] != want_sweeps, "oracle check: warm == cold"
    with blame_dependencies(student, function):
        result = _pair(student.call(MODULE, function, spec, GAMMA), shown_call(function, (GAMMA,)), 4)
        _, values, n_improvements, n_eval_sweeps = result
        check_type(n_improvements, int, f"{function}: n_improvements")
        check_type(n_eval_sweeps, int, f"{function}: n_eval_sweeps")

        def matches(bug):
            _, bug_values, bug_improvements, bug_sweeps = oracle.policy_iteration(GAMMA, order, bug=bug)
            return (n_improvements, n_eval_sweeps) == (bug_improvements, bug_sweeps) and np.allclose(
                np.asarray(values, dtype=float), bug_values, atol=1e-7, rtol=0)

        hint = diagnose(matches, ["zero_based", "cold_start", "in_place" if order == "sync" else "synchronous",
                                  "no_guard", "ties_high"],
                        "start from policy all 0 and values 0; count every improve_policy call, the last one too; "
                        "sum the sweeps of every evaluation")
        check_equal((n_improvements, n_eval_sweeps), (want_improvements, want_sweeps),
                    f"{function} on the course {name}: (n_improvements, n_eval_sweeps)", hint=hint)
        check_close(values, want_values, f"{function} on the course {name}: values of the last evaluation",
                    index_name="state", hint=hint)


RANDPERM_CASES = [
    pytest.param("value_iteration_async_randperm", lake("4x4", is_slippery=True), (GAMMA,),
                 id="value_iteration_async_randperm-slippery-4x4"),
    pytest.param("value_iteration_async_randperm", lake("8x8"), (GAMMA,), id="value_iteration_async_randperm-8x8"),
    pytest.param("evaluate_policy_async_randperm", lake("8x8", is_slippery=True),
                 (np.zeros(64), GAMMA, np.full(64, DOWN)), id="evaluate_policy_async_randperm-slippery-8x8"),
    pytest.param("policy_iteration_async_randperm", lake("4x4"), (GAMMA,), id="policy_iteration_async_randperm-4x4"),
]


def replay(what, n_drawn, n_sweeps, run_replay):
    """Replay the drawn orders in the oracle; running out of them is the student's stopping rule, not ours."""
    try:
        return run_replay()
    except OrdersExhausted:
        check(False, what, f"it drew {n_drawn} permutations for {n_sweeps} sweeps, but replaying those orders in "
              f"place does not meet the tolerance within {n_drawn} sweeps",
              hint="the change of a sweep is the largest |new - old| over all its states; stop only after the "
              "first sweep whose change is strictly below tol")


@pytest.mark.parametrize(("function", "spec", "args"), RANDPERM_CASES)
def test_randperm_one_permutation_per_sweep(student, function, spec, args):
    oracle = LoopOracle(spec)
    with blame_dependencies(student, function):
        out = student.probe("dp.call_with_rng", function, spec, *args, seed=2024, record=True,
                            shown_as=shown_call(function, args, seed=2024))
        result, perms = out["result"], out["permutations"]
        check(not out["other_uses"], f"{function}: use of rng", f"it used rng.{', rng.'.join(out['other_uses'])}",
              hint="draw each sweep's order with rng.permutation(n_states) and use rng for nothing else")
        check(all(a == oracle.n for a in out["permutation_args"]), f"{function}: rng.permutation calls",
              f"called with {out['permutation_args'][:3]}...", hint="call rng.permutation(n_states)")
        what = f"{function}: replaying the permutations drawn"
        if function.startswith("policy"):
            policy, values, n_improvements, n_sweeps = _pair(result, function, 4)
            check_type(n_sweeps, int, f"{function}: n_eval_sweeps")
            zero_based = lambda: oracle.policy_iteration(GAMMA, iter(perms), bug="zero_based")[2:]  # noqa: E731
            check_equal(n_sweeps, len(perms), f"{function}: rng.permutation calls vs n_eval_sweeps",
                        hint=diagnose(lambda bug: zero_based() == (n_improvements, n_sweeps), ["zero_based"],
                                      "draw a fresh permutation at the start of every sweep, and only then"))
            want = replay(what, len(perms), n_sweeps, lambda: oracle.policy_iteration(GAMMA, iter(perms)))
            check_equal(n_improvements, want[2], f"{function}: n_improvements, replaying the permutations drawn")
            check_close(values, want[1], f"{function}: values, replaying the permutations drawn", index_name="state")
            return
        values, n_sweeps = _pair(result, function)
        check_type(n_sweeps, int, f"{function}: n_sweeps")
        if function.startswith("value"):
            def run_replay(bug=None):
                return oracle.sweeps(args[0], order=iter(perms), bug=bug)
        else:
            def run_replay(bug=None):
                return oracle.sweeps(args[1], args[0], args[2], order=iter(perms), bug=bug)
        check_equal(n_sweeps, len(perms), f"{function}: rng.permutation calls vs n_sweeps",
                    hint=diagnose(lambda bug: same_result(values, n_sweeps, run_replay(bug)), ["zero_based"],
                                  "draw a fresh permutation at the start of every sweep, and only then"))
        want = replay(what, len(perms), n_sweeps, run_replay)
        hint = diagnose(lambda bug: same_result(values, n_sweeps, run_replay(bug)), ["synchronous"])
        check_close(values, want[0], f"{what}: values (in place, in that order)", index_name="state", hint=hint)
        check_equal(n_sweeps, want[1], f"{what}: n_sweeps", hint=hint or GENERIC_COUNT_HINT)


@pytest.mark.parametrize("function", ["value_iteration_async_randperm", "evaluate_policy_async_randperm"])
def test_randperm_default_rng(student, function):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    args = (GAMMA,) if function.startswith("value") else (np.zeros(16), GAMMA, np.array(HAND_POLICY_4X4))
    for mode in ("none", "omitted"):
        shown = shown_call(function, args, rng_mode=mode)
        values, n_sweeps = _pair(student.probe("dp.call_with_rng", function, spec, *args, rng_mode=mode,
                                               shown_as=shown)["result"], shown)
        check_close(values, oracle.optimal_values_deterministic(GAMMA), f"{shown}: values", atol=1e-6,
                    hint="rng=None means a fresh np.random.default_rng()")
        check_type(n_sweeps, int, f"{function}: n_sweeps")


@pytest.mark.parametrize("name", ["4x4", "8x8"])
def test_goal_distance_order_course_maps(student, name):
    spec = lake(name)
    rows = COURSE_MAPS[name]
    ncol = len(rows[0])
    goal_r, goal_c = next((r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch == "G")
    want = sorted(range(len(rows) * ncol), key=lambda s: (abs(s // ncol - goal_r) + abs(s % ncol - goal_c), s))
    order = student.call(MODULE, "goal_distance_order", spec)
    check_type(order, list, "goal_distance_order(env)")
    check(all(type(s) is int for s in order), "goal_distance_order(env)", "entries must be Python ints")
    check_equal(order, want, f"goal_distance_order on the course {name}",
                hint="Manhattan distance |row - goal_row| + |col - goal_col|, ties by state index")


@pytest.mark.parametrize("function", VALUE_ITERATIONS + ["value_func_to_policy"])
def test_gamma_zero(student, function):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    # With gamma = 0 only the immediate reward counts: 1 for Right from state 4 (into the goal), 0 elsewhere.
    want = np.zeros(16)
    want[4] = 1.0
    if function == "value_func_to_policy":
        policy = student.call(MODULE, function, spec, 0.0, want)
        check_array(policy, "value_func_to_policy(env, 0.0, value_func)", shape=(16,), dtype=np.int64)
        check_equal(int(policy[4]), RIGHT, "value_func_to_policy(env, gamma=0, ...) at state 4 (Right, into the goal)")
        bad = oracle.non_greedy_states(policy, want, 0.0)
        check(not bad, "value_func_to_policy(env, gamma=0, ...)", f"states {bad[:8]} do not take a best action",
              hint="with gamma = 0 the look-ahead is the expected immediate reward")
        return
    with blame_dependencies(student, function):
        values, n_sweeps = _pair(run(student, function, spec, 0.0), shown_call(function, (0.0,)))
        check_close(values, want, f"{function}(env, gamma=0): values", index_name="state")
        check_equal(n_sweeps, 2, f"{function}(env, gamma=0): n_sweeps (one sweep sets V[4] = 1, the next changes "
                    "nothing)", hint=GENERIC_COUNT_HINT)


ZERO_REWARD_MAP = ["SFFH", "FFHG"]  # the goal is walled in by holes: no transition ever pays a reward


@pytest.mark.parametrize("function", VALUE_ITERATIONS + POLICY_ITERATIONS)
def test_zero_reward_map(student, function):
    spec = lake(ZERO_REWARD_MAP)
    with blame_dependencies(student, function):
        if function.startswith("value"):
            values, n_sweeps = _pair(run(student, function, spec, GAMMA), shown_call(function, (GAMMA,)))
            check_close(values, np.zeros(8), f"{function} on a map with no reachable goal: values", index_name="state")
            check_equal(n_sweeps, 1, f"{function} on a map with no reachable goal: n_sweeps (the first sweep "
                        "changes nothing)", hint=GENERIC_COUNT_HINT)
            return
        policy, values, n_improvements, n_eval_sweeps = _pair(run(student, function, spec, GAMMA),
                                                              shown_call(function, (GAMMA,)), 4)
        check_close(policy, np.zeros(8), f"{function} on a map with no reachable goal: policy (all look-aheads 0: "
                    "action 0 is kept)", hint="every action ties, so improve_policy keeps the current action 0")
        check_equal((n_improvements, n_eval_sweeps), (1, 1),
                    f"{function} on a map with no reachable goal: (n_improvements, n_eval_sweeps)",
                    hint="one evaluation of one sweep (counted from 1), one improvement that changes nothing")


def _well_formed(function, result, n):
    """Check a result's documented types and shapes (the tuple, float64 values, int64 policies, int counts, bool)."""
    if function in ("value_func_to_policy",):
        check_array(result, f"{function}: policy", shape=(n,), dtype=np.int64,
                    hint="np.argmax gives int64 on Linux; use .astype(np.int64)")
    elif function == "improve_policy":
        new_policy, changed = _pair(result, function)
        check_array(new_policy, f"{function}: new_policy", shape=(n,), dtype=np.int64)
        check_type(changed, bool, f"{function}: policy_changed", hint="return a Python bool, e.g. bool(np.any(...))")
    elif function == "goal_distance_order":
        check_type(result, list, f"{function}(env)")
        check(all(type(s) is int for s in result) and sorted(result) == list(range(n)), f"{function}(env)",
              "expected a permutation of 0 .. S-1 as Python ints")
    elif function in POLICY_ITERATIONS:
        policy, values, n_improvements, n_eval_sweeps = _pair(result, function, 4)
        check_array(policy, f"{function}: policy", shape=(n,), dtype=np.int64)
        check_array(values, f"{function}: value_func", shape=(n,), dtype=np.float64)
        check_type(n_improvements, int, f"{function}: n_improvements", hint="return a Python int")
        check_type(n_eval_sweeps, int, f"{function}: n_eval_sweeps", hint="return a Python int")
    else:
        values, count = _pair(result, function)
        check_array(values, f"{function}: value_func", shape=(n,), dtype=np.float64)
        check_type(count, int, f"{function}: n_sweeps", hint="return a Python int")


def _arguments(function, n):
    """Arguments for one call of ``function`` on a lake of ``n`` states (after env)."""
    rng = np.random.default_rng(5)
    values, policy = rng.uniform(0, 1, n), rng.integers(0, 4, n)
    if function in EVALUATIONS:
        return (values, GAMMA, policy)
    if function == "value_func_to_policy":
        return (GAMMA, values)
    if function == "improve_policy":
        return (GAMMA, values, policy)
    if function == "goal_distance_order":
        return ()
    return (GAMMA,)


@pytest.mark.parametrize("function", ALL_FUNCTIONS)
def test_return_types(student, function):
    spec = lake("4x4", is_slippery=True)
    args = _arguments(function, 16)
    with blame_dependencies(student, function):
        _well_formed(function, run(student, function, spec, *args), 16)


@pytest.mark.parametrize("function", EVALUATIONS + ["value_func_to_policy", "improve_policy"])
def test_inputs_not_mutated(student, function):
    spec = lake("4x4", is_slippery=True)
    args = _arguments(function, 16)
    out = student.probe("dp.inputs_after", function, spec, *args, shown_as=shown_call(function, args, seed=0))
    for sent, after in zip(args, out["args_after"]):
        if isinstance(sent, np.ndarray):
            check_close(after, sent, f"{function}: the {_shown(sent)} passed in, after the call", index_name="state",
                        hint="work on a copy (np.array(x, dtype=float)) instead of the input")
    check(out["dynamics_unchanged"], f"{function}: env.unwrapped.P after the call", "was modified")
    # No credit for doing nothing: the inputs are intact and the call returned a well-formed result.
    _well_formed(function, out["result"], 16)
