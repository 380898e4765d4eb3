"""Public tests for Problem 2 (dynamic_programming.py), against independent oracles.

Oracles, all computed in this process from Gymnasium's own ``env.unwrapped.P``:
shortest safe paths (breadth-first search) give the optimal values ``gamma**(d-1)`` of a
deterministic lake; an exact linear solve gives a policy's values; a plain loop written
here (:class:`LoopOracle`, a direct transcription of the conventions) gives the sweep
counts; facts read off the course 4x4 by hand give the policy letters. Nothing here
imports a reference solution.
"""

from collections import deque

import numpy as np
import pytest

from harness.checks import check, check_array, check_close, check_equal, check_type
from harness.lakes import COURSE_MAPS, lake, random_lake

LEFT, DOWN, RIGHT, UP = 0, 1, 2, 3
LETTERS = "LDRU"
GAMMA, TOL = 0.9, 1e-3
MODULE = "dynamic_programming"
COUNT_HINT = ("counts start at 1 and include the sweep whose largest absolute change fell strictly below tol "
              "(a change equal to tol does not stop)")
TERMINAL_HINT = "a transition flagged terminated contributes only its reward: do not add gamma * V[next] for it"


def stopping_bound(gamma, tol=TOL):
    """Once a sweep changes no value by tol or more, the values are within gamma*tol/(1-gamma) of the fixed point."""
    return gamma * tol / (1 - gamma) + 1e-9


class LoopOracle:
    """The conventions of HW1/README.md written as plain loops over ``env.unwrapped.P``."""

    def __init__(self, spec):
        env = spec.make()
        self.P = env.unwrapped.P
        self.n = env.observation_space.n
        self.desc = ["".join(ch.decode() for ch in row) for row in env.unwrapped.desc]
        self.terminal = {ns for s in self.P for a in self.P[s] for _, ns, _, done in self.P[s][a] if done}

    def q(self, V, gamma, s, a):
        if s in self.terminal:
            return 0.0
        return sum(p * (r + (0.0 if done else gamma * V[ns])) for p, ns, r, done in self.P[s][a])

    def backup(self, V, gamma, s, policy):
        if policy is not None:
            return self.q(V, gamma, s, int(policy[s]))
        return max(self.q(V, gamma, s, a) for a in range(4))

    def sweeps(self, gamma, V0=None, policy=None, order="sync", tol=TOL, max_iters=1000):
        """Iterate sweeps; ``order`` is "sync", "ordered", a list of states, or an iterator of orders."""
        V = [0.0] * self.n if V0 is None else [float(v) for v in V0]
        orders = order if hasattr(order, "__next__") else None
        for sweep in range(1, max_iters + 1):
            if order == "sync":
                new = [self.backup(V, gamma, s, policy) for s in range(self.n)]
                delta = max(abs(a - b) for a, b in zip(new, V))
                V = new
            else:
                states = next(orders) if orders else (range(self.n) if order == "ordered" else order)
                delta = 0.0
                for s in states:
                    value = self.backup(V, gamma, int(s), policy)
                    delta = max(delta, abs(value - V[int(s)]))
                    V[int(s)] = value
            if delta < tol:
                return np.array(V), sweep
        return np.array(V), max_iters

    def greedy(self, V, gamma):
        policy = []
        for s in range(self.n):
            qs = [self.q(V, gamma, s, a) for a in range(4)]
            policy.append(qs.index(max(qs)))
        return policy

    def policy_iteration(self, gamma, order="sync", tol=TOL, max_iters=1000):
        policy, V = [0] * self.n, [0.0] * self.n
        improvements = eval_sweeps = 0
        while improvements < max_iters:
            V, sweeps = self.sweeps(gamma, V, policy, order, tol, max_iters)
            eval_sweeps += sweeps
            new = self.greedy(V, gamma)
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

    def non_greedy_states(self, policy, V, gamma, atol=1e-6):
        """States (non-terminal) whose action's look-ahead under V is not within atol of the best."""
        bad = []
        for s in range(self.n):
            if s in self.terminal:
                continue
            qs = [self.q(V, gamma, s, a) for a in range(4)]
            if self.q(V, gamma, s, int(policy[s])) < max(qs) - atol:
                bad.append(s)
        return bad

    def letters(self, policy):
        ncol = len(self.desc[0])
        return ["".join(tile if tile in "HG" else LETTERS[int(policy[r * ncol + c])] for c, tile in enumerate(row))
                for r, row in enumerate(self.desc)]


def _pair(result, what, n_items=2):
    check(isinstance(result, tuple) and len(result) == n_items, what,
          f"expected a tuple of {n_items} items, got {type(result).__name__}"
          + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    return result


VALUE_ITERATIONS = ["value_iteration_sync", "value_iteration_async_ordered", "value_iteration_async_randperm",
                    "value_iteration_async_custom"]
POLICY_ITERATIONS = ["policy_iteration_sync", "policy_iteration_async_ordered", "policy_iteration_async_randperm"]
EVALUATIONS = ["evaluate_policy_sync", "evaluate_policy_async_ordered", "evaluate_policy_async_randperm"]


def _run(student, function, spec, *args, seed=0, **kwargs):
    """Call a student function; the randperm variants get ``np.random.default_rng(seed)`` in the worker."""
    if function.endswith("randperm"):
        return student.probe("dp.call_with_rng", function, spec, *args, seed=seed, **kwargs)["result"]
    return student.call(MODULE, function, spec, *args, **kwargs)


DETERMINISTIC_MAPS = [
    pytest.param(lake("4x4"), id="course-4x4"),
    pytest.param(lake("8x8"), id="course-8x8"),
    pytest.param(random_lake(6, seed=3), id="random-6x6"),
]


@pytest.mark.parametrize("spec", DETERMINISTIC_MAPS)
@pytest.mark.parametrize("function", VALUE_ITERATIONS)
def test_value_iteration_optimal_values_deterministic(student, function, spec):
    oracle = LoopOracle(spec)
    n = oracle.n
    values, n_sweeps = _pair(_run(student, function, spec, GAMMA), f"{function}(env, {GAMMA})")
    check_array(values, f"{function}: value_func", shape=(n,), dtype=np.float64)
    # On a deterministic lake value iteration from 0 is exact once the reward has travelled the longest path.
    check_close(values, oracle.optimal_values_deterministic(GAMMA),
                f"{function}(env, gamma={GAMMA}) on {spec.describe()}: values vs gamma**(d-1), d = shortest safe path",
                index_name="state", hint=TERMINAL_HINT)
    check_type(n_sweeps, int, f"{function}: n_sweeps")
    policy = student.call(MODULE, "value_func_to_policy", spec, GAMMA, values)
    check_array(policy, "value_func_to_policy(...)", shape=(n,), dtype=np.int64)
    bad = oracle.non_greedy_states(policy, oracle.optimal_values_deterministic(GAMMA), GAMMA)
    check(not bad, f"value_func_to_policy of the values of {function}",
          f"states {bad[:8]} do not take an optimal action")


@pytest.mark.parametrize("spec", DETERMINISTIC_MAPS[:2])
@pytest.mark.parametrize("function", POLICY_ITERATIONS)
def test_policy_iteration_optimal_deterministic(student, function, spec):
    oracle = LoopOracle(spec)
    result = _pair(_run(student, function, spec, GAMMA), f"{function}(env, {GAMMA})", 4)
    policy, values, n_improvements, n_eval_sweeps = result
    check_array(policy, f"{function}: policy", shape=(oracle.n,), dtype=np.int64)
    check_array(values, f"{function}: value_func", shape=(oracle.n,), dtype=np.float64)
    optimal = oracle.optimal_values_deterministic(GAMMA)
    bad = oracle.non_greedy_states(policy, optimal, GAMMA)
    check(not bad, f"{function} on {spec.describe()}: policy", f"states {bad[:8]} do not take an optimal action")
    check_close(values, optimal, f"{function}: the values of the last evaluation (within the stopping bound)",
                atol=stopping_bound(GAMMA), rtol=0, index_name="state", hint=TERMINAL_HINT)


EVAL_CASES = [
    pytest.param(lake("4x4", is_slippery=True), 0.9, 11, id="slippery-4x4-gamma0.9"),
    pytest.param(lake("8x8", is_slippery=True), 0.95, 12, id="slippery-8x8-gamma0.95"),
    pytest.param(lake("8x8"), 0.5, 13, id="deterministic-8x8-gamma0.5"),
]


@pytest.mark.parametrize(("spec", "gamma", "seed"), EVAL_CASES)
@pytest.mark.parametrize("function", EVALUATIONS)
def test_evaluate_policy_matches_linear_solve(student, function, spec, gamma, seed):
    oracle = LoopOracle(spec)
    rng = np.random.default_rng(seed)
    policy = rng.integers(0, 4, size=oracle.n)
    start = rng.uniform(0, 1, size=oracle.n)  # a warm start; terminal states too must come back 0
    values, n_sweeps = _pair(_run(student, function, spec, start, gamma, policy, seed=seed),
                             f"{function}(env, value_func, {gamma}, policy)")
    check_array(values, f"{function}: value_func", shape=(oracle.n,), dtype=np.float64)
    check_close(values, oracle.exact_values(policy, gamma),
                f"{function} on {spec.describe()}, gamma={gamma}, a random policy: values vs an exact linear solve",
                atol=stopping_bound(gamma), rtol=0, index_name="state",
                hint="V[s] = sum over P[s][policy[s]] of p * (r + gamma * V[next]), nothing added after a terminal")
    terminal = sorted(oracle.terminal)
    check_close(values[terminal], np.zeros(len(terminal)), f"{function} from a non-zero start: values of the "
                f"terminal states {terminal}", atol=1e-12, rtol=0, index_name="position",
                hint="terminal states have value 0, and a transition flagged terminated contributes only its reward "
                "(never gamma * V[next])")
    check_type(n_sweeps, int, f"{function}: n_sweeps")


HAND_4X4 = ["DHRD", "RGHD", "UHHD", "ULLL"]  # the only safe route: 2-3-7-11-15-14-13-12-8-4-5
HAND_POLICY_4X4 = [LETTERS.index(ch) if ch in LETTERS else 0 for ch in "".join(HAND_4X4)]


def test_value_func_to_policy_letters_course_4x4(student):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    optimal = oracle.optimal_values_deterministic(GAMMA)
    policy = student.call(MODULE, "value_func_to_policy", spec, GAMMA, optimal)
    check_array(policy, "value_func_to_policy(env, 0.9, V*)", shape=(16,), dtype=np.int64)
    check_equal(oracle.letters(policy), HAND_4X4, "value_func_to_policy on the course 4x4, as letters (H, G tiles)",
                hint="actions are 0 Left, 1 Down, 2 Right, 3 Up")


def test_value_func_to_policy_breaks_ties_low(student):
    spec = lake("4x4")
    values = np.zeros(16)
    values[[7, 15]] = 0.5  # from 11, Down (to 15) and Up (to 7) tie exactly; Right stays put, Left is a hole
    values[[8, 12]] = 0.25  # from 13, Left (12) and Up (hole 9) differ; from 4, Down (8) ties nothing
    policy = student.call(MODULE, "value_func_to_policy", spec, GAMMA, values)
    check_array(policy, "value_func_to_policy", shape=(16,), dtype=np.int64)
    check_equal(int(policy[11]), DOWN, "value_func_to_policy at state 11 where Down and Up tie",
                hint="break ties toward the lowest action index, as np.argmax does")
    check_equal(int(policy[0]), LEFT, "value_func_to_policy at state 0 where all look-aheads are 0",
                hint="break ties toward the lowest action index, as np.argmax does")
    check_equal(int(policy[4]), RIGHT, "value_func_to_policy at state 4, next to the goal")


def test_improve_policy_reports_change(student):
    spec = lake("4x4")
    optimal = LoopOracle(spec).optimal_values_deterministic(GAMMA)
    start = np.zeros(16, dtype=np.int64)
    new_policy, changed = _pair(student.call(MODULE, "improve_policy", spec, GAMMA, optimal, start),
                                "improve_policy(env, 0.9, V*, all-Left policy)")
    check_array(new_policy, "improve_policy: new_policy", shape=(16,), dtype=np.int64)
    check_type(changed, bool, "improve_policy: policy_changed", hint="return a Python bool (bool(...))")
    check_equal(changed, True, "improve_policy from the all-Left policy: policy_changed")
    check_equal(LoopOracle(spec).letters(new_policy), HAND_4X4, "improve_policy(env, 0.9, V*, ...) as letters")
    again, changed = _pair(student.call(MODULE, "improve_policy", spec, GAMMA, optimal, new_policy),
                           "improve_policy(env, 0.9, V*, greedy policy)")
    check_equal(changed, False, "improve_policy of an already greedy policy: policy_changed")
    check_close(again, new_policy, "improve_policy of an already greedy policy: new_policy", index_name="state")


@pytest.mark.parametrize("function", EVALUATIONS[:2])
@pytest.mark.parametrize(("which", "start"), [("optimal", "zeros"), ("all-down", "zeros"), ("optimal", "random")],
                         ids=["optimal-from-zeros", "all-down-from-zeros", "optimal-from-random-values"])
def test_evaluate_policy_sweep_counts_course_4x4(student, function, which, start):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    policy = oracle.greedy(oracle.optimal_values_deterministic(GAMMA), GAMMA) if which == "optimal" else [DOWN] * 16
    order = "sync" if function.endswith("sync") else "ordered"
    values0 = np.zeros(16) if start == "zeros" else np.random.default_rng(44).uniform(0, 1, 16)
    want_values, want_sweeps = oracle.sweeps(GAMMA, values0, policy, order)
    values, n_sweeps = _pair(student.call(MODULE, function, spec, values0, GAMMA, np.array(policy)), function)
    check_type(n_sweeps, int, f"{function}: n_sweeps")
    check_equal(n_sweeps, want_sweeps, f"{function} of the {which} policy on the course 4x4 from {start}: n_sweeps",
                hint=COUNT_HINT + ("" if order == "sync" else "; in place means V[s] is overwritten at once, "
                                   "so later states in the same sweep see it"))
    check_close(values, want_values, f"{function}: values after the last sweep", index_name="state")


@pytest.mark.parametrize("function", ["value_iteration_sync", "value_iteration_async_ordered",
                                      "value_iteration_async_custom"])
def test_value_iteration_sweep_counts_course_4x4(student, function):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    if function == "value_iteration_sync":
        # By hand: sweep k gives their value to the states k steps from the goal and changes one of them by
        # gamma**(k-1) >= 0.387 > tol; the sweep after the farthest state (d = 10) changes nothing.
        want = int(np.nanmax(np.where(np.isfinite(oracle.goal_distances()), oracle.goal_distances(), np.nan))) + 1
    else:
        order = "ordered" if function.endswith("ordered") else sorted(
            range(16), key=lambda s: (abs(s // 4 - 1) + abs(s % 4 - 1), s))
        want = oracle.sweeps(GAMMA, order=order)[1]
    _, n_sweeps = _pair(student.call(MODULE, function, spec, GAMMA), f"{function}(env, 0.9)")
    check_type(n_sweeps, int, f"{function}: n_sweeps")
    check_equal(n_sweeps, want, f"{function} on the course 4x4: n_sweeps", hint=COUNT_HINT)


@pytest.mark.parametrize("function", POLICY_ITERATIONS[:2])
def test_policy_iteration_counts_course_4x4(student, function):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    _, _, want_improvements, want_sweeps = oracle.policy_iteration(
        GAMMA, "sync" if function.endswith("sync") else "ordered")
    _, _, n_improvements, n_eval_sweeps = _pair(student.call(MODULE, function, spec, GAMMA),
                                                f"{function}(env, 0.9)", 4)
    check_type(n_improvements, int, f"{function}: n_improvements")
    check_type(n_eval_sweeps, int, f"{function}: n_eval_sweeps")
    check_equal(n_improvements, want_improvements, f"{function} on the course 4x4: n_improvements",
                hint="start from policy all 0 and values 0; count every improve_policy call, the last one too")
    check_equal(n_eval_sweeps, want_sweeps, f"{function} on the course 4x4: n_eval_sweeps",
                hint="sum the sweeps of every evaluation; warm-start each evaluation from the previous values")


RANDPERM_CASES = [
    pytest.param("value_iteration_async_randperm", lake("4x4", is_slippery=True), (GAMMA,), id="vi-slippery-4x4"),
    pytest.param("value_iteration_async_randperm", lake("8x8"), (GAMMA,), id="vi-course-8x8"),
    pytest.param("evaluate_policy_async_randperm", lake("8x8", is_slippery=True),
                 (np.zeros(64), GAMMA, np.full(64, DOWN)), id="eval-slippery-8x8"),
    pytest.param("policy_iteration_async_randperm", lake("4x4"), (GAMMA,), id="pi-course-4x4"),
]


@pytest.mark.parametrize(("function", "spec", "args"), RANDPERM_CASES)
def test_randperm_one_permutation_per_sweep(student, function, spec, args):
    oracle = LoopOracle(spec)
    out = student.probe("dp.call_with_rng", function, spec, *args, seed=2024, record=True)
    result, perms = out["result"], out["permutations"]
    check(not out["other_uses"], f"{function}: use of rng",
          f"it used rng.{', rng.'.join(out['other_uses'])}",
          hint="draw each sweep's order with rng.permutation(n_states) and use rng for nothing else")
    check(all(a == oracle.n for a in out["permutation_args"]), f"{function}: rng.permutation calls",
          f"called with {out['permutation_args'][:3]}...", hint="call rng.permutation(n_states)")
    if function.startswith("policy"):
        policy, values, n_improvements, n_sweeps = _pair(result, function, 4)
        want = oracle.policy_iteration(GAMMA, iter(perms))
        check_equal(n_sweeps, len(perms), f"{function}: rng.permutation calls vs n_eval_sweeps",
                    hint="draw a fresh permutation at the start of every sweep, and only then")
        check_equal(n_improvements, want[2], f"{function}: n_improvements, replaying the permutations drawn")
        check_close(values, want[1], f"{function}: values, replaying the permutations drawn", index_name="state")
        return
    values, n_sweeps = _pair(result, function)
    check_type(n_sweeps, int, f"{function}: n_sweeps")
    check_equal(n_sweeps, len(perms), f"{function}: rng.permutation calls vs n_sweeps",
                hint="draw a fresh permutation at the start of every sweep, and only then")
    if function.startswith("value"):
        want = oracle.sweeps(args[0], order=iter(perms))
    else:
        want = oracle.sweeps(args[1], args[0], args[2], order=iter(perms))
    check_close(values, want[0], f"{function}: values, replaying the permutations drawn (in place, in that order)",
                index_name="state")
    check_equal(n_sweeps, want[1], f"{function}: n_sweeps, replaying the permutations drawn", hint=COUNT_HINT)


@pytest.mark.parametrize("function", ["value_iteration_async_randperm", "evaluate_policy_async_randperm"])
def test_randperm_default_rng(student, function):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    args = (GAMMA,) if function.startswith("value") else (np.zeros(16), GAMMA, np.array(HAND_POLICY_4X4))
    for mode in ("none", "omitted"):
        values, n_sweeps = _pair(student.probe("dp.call_with_rng", function, spec, *args, rng_mode=mode)["result"],
                                 f"{function} with rng={'None' if mode == 'none' else '(default)'}")
        check_close(values, oracle.optimal_values_deterministic(GAMMA),
                    f"{function} with rng={'None' if mode == 'none' else '(default)'}: values", atol=1e-6,
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


def test_gamma_zero(student):
    spec = lake("4x4")
    # With gamma = 0 only the immediate reward counts: 1 for Right from state 4 (into the goal), 0 elsewhere.
    want = np.zeros(16)
    want[4] = 1.0
    for function in VALUE_ITERATIONS:
        values, n_sweeps = _pair(_run(student, function, spec, 0.0), f"{function}(env, gamma=0)")
        check_close(values, want, f"{function}(env, gamma=0): values", index_name="state")
        check_equal(n_sweeps, 2, f"{function}(env, gamma=0): n_sweeps (one sweep sets V[4] = 1, the next changes "
                    "nothing)", hint=COUNT_HINT)
    policy = student.call(MODULE, "value_func_to_policy", spec, 0.0, want)
    check_equal(int(policy[4]), RIGHT, "value_func_to_policy(env, gamma=0, ...) at state 4")
    check_equal([int(policy[s]) for s in (0, 2, 3, 8)], [LEFT] * 4,
                "value_func_to_policy(env, gamma=0, ...) where every look-ahead is 0 (ties to the lowest action)")


ZERO_REWARD_MAP = ["SFFH", "FFHG"]  # the goal is walled in by holes: no transition ever pays a reward


def test_zero_reward_map(student):
    spec = lake(ZERO_REWARD_MAP)
    for function in VALUE_ITERATIONS:
        values, n_sweeps = _pair(_run(student, function, spec, GAMMA), f"{function} on a map with no reachable goal")
        check_close(values, np.zeros(8), f"{function} on a map with no reachable goal: values", index_name="state")
        check_equal(n_sweeps, 1, f"{function} on a map with no reachable goal: n_sweeps (the first sweep "
                    "changes nothing)", hint=COUNT_HINT)
    for function in POLICY_ITERATIONS:
        policy, values, n_improvements, n_eval_sweeps = _pair(_run(student, function, spec, GAMMA), function, 4)
        check_close(policy, np.zeros(8), f"{function} on a map with no reachable goal: policy (all ties: action 0)")
        check_equal((n_improvements, n_eval_sweeps), (1, 1),
                    f"{function} on a map with no reachable goal: (n_improvements, n_eval_sweeps)",
                    hint="one evaluation of one sweep, one improvement that changes nothing")


def test_return_types(student):
    spec = lake("4x4", is_slippery=True)
    policy = np.full(16, RIGHT, dtype=np.int64)
    for function in VALUE_ITERATIONS + EVALUATIONS:
        args = (GAMMA,) if function.startswith("value") else (np.zeros(16), GAMMA, policy)
        values, count = _pair(_run(student, function, spec, *args), function)
        check_array(values, f"{function}: value_func", shape=(16,), dtype=np.float64)
        check_type(count, int, f"{function}: n_sweeps", hint="return a Python int")
    for function in POLICY_ITERATIONS:
        pol, values, n_improvements, n_eval_sweeps = _pair(_run(student, function, spec, GAMMA), function, 4)
        check_array(pol, f"{function}: policy", shape=(16,), dtype=np.int64)
        check_array(values, f"{function}: value_func", shape=(16,), dtype=np.float64)
        check_type(n_improvements, int, f"{function}: n_improvements", hint="return a Python int")
        check_type(n_eval_sweeps, int, f"{function}: n_eval_sweeps", hint="return a Python int")
    check_array(student.call(MODULE, "value_func_to_policy", spec, GAMMA, np.ones(16)), "value_func_to_policy",
                shape=(16,), dtype=np.int64, hint="np.argmax gives int64 on Linux; use .astype(np.int64)")
    new_policy, changed = _pair(student.call(MODULE, "improve_policy", spec, GAMMA, np.ones(16), policy),
                                "improve_policy")
    check_array(new_policy, "improve_policy: new_policy", shape=(16,), dtype=np.int64)
    check_type(changed, bool, "improve_policy: policy_changed", hint="return a Python bool, e.g. bool(np.any(...))")


MUTATION_CALLS = [
    ("value_func_to_policy", (GAMMA, "values")),
    ("improve_policy", (GAMMA, "values", "policy")),
    ("evaluate_policy_sync", ("values", GAMMA, "policy")),
    ("evaluate_policy_async_ordered", ("values", GAMMA, "policy")),
    ("evaluate_policy_async_randperm", ("values", GAMMA, "policy")),
]


@pytest.mark.parametrize(("function", "layout"), MUTATION_CALLS, ids=[c[0] for c in MUTATION_CALLS])
def test_inputs_not_mutated(student, function, layout):
    spec = lake("4x4", is_slippery=True)
    rng = np.random.default_rng(5)
    given = {"values": rng.uniform(0, 1, 16), "policy": rng.integers(0, 4, 16)}
    args = [given[a] if isinstance(a, str) else a for a in layout]
    out = student.probe("dp.inputs_after", function, spec, *args)
    for name, sent, after in zip(layout, args, out["args_after"]):
        if isinstance(name, str):
            check_close(after, sent, f"{function}: the {name} passed in, after the call",
                        index_name="state", hint="work on a copy (np.array(x, dtype=float)) instead of the input")
    check(out["dynamics_unchanged"], f"{function}: env.unwrapped.P after the call", "was modified")
