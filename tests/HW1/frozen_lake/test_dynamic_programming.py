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
``CALLS`` in ``tests/rubric.py``); when such a case ran a dependency that fails its own
test, the harness notes it (:meth:`harness.diagnosis.Diagnosis.dependency_notes`).

Every hint is a checked claim: a test shows one of :data:`HINTS` only when that mistake,
run by the oracle (:class:`LoopOracle` runs each as a variant), reproduces the student's
result exactly (:func:`diagnose`, :func:`diagnose_call`); otherwise the message says what
differs and nothing about why. Each hint has been checked against code with exactly that
mistake, and against code with other mistakes, which must not be shown it.
"""

from collections import deque

import numpy as np
import pytest
from lakes import COURSE_MAPS, lake, random_lake

from harness.checks import check, check_array, check_close, check_equal, check_type

LEFT, DOWN, RIGHT, UP = 0, 1, 2, 3
LETTERS = "LDRU"
GAMMA, TOL = 0.9, 1e-3
TIE_TOL = 1e-6  # the tie rule: look-aheads within this of the best are all best actions
MODULE = "dynamic_programming"

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
    "ignore_start": "an evaluation starts its sweeps from the value_func it is given (a warm start); your result "
                    "matches starting from zeros instead",
    "tol_not_passed": "policy iteration passes its tol on to every evaluation; your counts match evaluations that "
                      "use the default tol=1e-3 instead",
    "perm_once": "draw a fresh permutation at the start of every sweep; your result matches drawing one order once "
                 "and reusing it for every sweep",
    "last_change": "the change of a sweep is the largest |new - old| over all of its states; your result matches "
                   "measuring only the change of the last state updated",
    "no_gamma": "the greedy look-ahead is the sum over P[s][a] of p * (r + gamma * V[next]); your policy matches "
                "leaving gamma out (gamma = 1)",
    "from_start": "sort by the Manhattan distance to the goal tile 'G'; your order matches the distance to the "
                  "start tile 'S'",
    "mutated": "work on a copy (np.array(x, dtype=float)) instead of the input",
}
# Exceptions of Problem 2's code that name their cause (the harness words env.P itself).
ERROR_HINTS = (
    ("AttributeError", r"'(TimeLimit|OrderEnforcing|PassiveEnvChecker|\w*Wrapper\w*)' object has no attribute "
     r"'(ncol|nrow|desc)'",
     "read the lake's layout from env.unwrapped (env.unwrapped.ncol, env.unwrapped.nrow, env.unwrapped.desc): "
     "gymnasium.make wraps the lake (TimeLimit, OrderEnforcing, ...) and Gymnasium 1.x wrappers do not forward "
     "these attributes"),
    ("AttributeError", r"'NoneType' object has no attribute 'permutation'",
     "rng=None means a fresh generator: use rng = np.random.default_rng() when rng is None"),
)


def stopping_bound(gamma, tol=TOL):
    """Once a sweep changes no value by tol or more, the values are within gamma*tol/(1-gamma) of the fixed point."""
    return gamma * tol / (1 - gamma) + 1e-9


class OrdersExhausted(Exception):
    """A replay needed more sweep orders than the submission drew."""


class LoopOracle:
    """The conventions of HW1/README.md written as plain loops over ``env.unwrapped.P``.

    ``bug`` (in :meth:`sweeps`, :meth:`greedy`, :meth:`policy_iteration`, :meth:`custom_order`)
    runs one known mistake instead, so a test can tell which mistake a wrong result matches:
    ``"zero_based"`` counts, ``"in_place"`` synchronous sweeps, ``"synchronous"`` in-place
    sweeps, ``"keep_terminal"`` (terminal states keep their start values), ``"bootstrap"``
    (terminated tuples add ``gamma * V[next]``, terminal states are backed up like the others),
    ``"ignore_start"`` (sweeps start from zeros, whatever the start values), ``"last_change"``
    (an in-place sweep's change is the last state's), ``"perm_once"`` (the first drawn order is
    reused every sweep), ``"cold_start"`` and ``"tol_not_passed"`` (policy iteration),
    ``"no_guard"``, ``"ties_high"`` and ``"no_gamma"`` (greedy steps), ``"from_start"`` (the
    custom order measured from the start tile).
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
        V = [0.0] * self.n if V0 is None or bug == "ignore_start" else [float(v) for v in V0]
        orders = order if hasattr(order, "__next__") else None
        if bug == "in_place" and order == "sync":
            order = "ordered"
        elif bug == "synchronous" and order != "sync":
            order, orders = "sync", None
        elif bug == "perm_once" and orders is not None:
            try:
                order, orders = [int(s) for s in next(orders)], None
            except StopIteration:
                raise OrdersExhausted(0) from None
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
                    change = abs(value - V[int(s)])
                    delta = change if bug == "last_change" else max(delta, change)
                    V[int(s)] = value
            if delta < tol:
                return np.array(V), sweep - (bug == "zero_based")
        return np.array(V), max_iters

    def best_actions(self, V, gamma, s, bug=None):
        """The actions whose look-ahead is within TIE_TOL of the best (the tie rule)."""
        if bug == "no_gamma":
            gamma, bug = 1.0, None
        qs = [self.q(V, gamma, s, a, bug) for a in range(4)]
        return [a for a in range(4) if qs[a] >= max(qs) - TIE_TOL]

    def greedy(self, V, gamma, policy=None, bug=None):
        """The lowest-index best action; with ``policy``, improvement: keep ``policy[s]`` while it is best."""
        out = []
        for s in range(self.n):
            best = self.best_actions(V, gamma, s, bug if bug in ("bootstrap", "no_gamma") else None)
            keep = policy is not None and bug != "no_guard" and int(policy[s]) in best
            out.append(int(policy[s]) if keep else (best[-1] if bug == "ties_high" else best[0]))
        return out

    def policy_iteration(self, gamma, order="sync", tol=TOL, max_iters=1000, bug=None):
        policy, V = [0] * self.n, [0.0] * self.n
        improvements = eval_sweeps = 0
        if bug == "perm_once" and hasattr(order, "__next__"):
            try:
                order = [int(s) for s in next(order)]
            except StopIteration:
                raise OrdersExhausted(0) from None
        sweep_bug = bug if bug in ("zero_based", "in_place", "synchronous", "bootstrap", "last_change") else None
        while improvements < max_iters:
            start = [0.0] * self.n if bug == "cold_start" else V
            V, sweeps = self.sweeps(gamma, start, policy, order, TOL if bug == "tol_not_passed" else tol, max_iters,
                                    sweep_bug)
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

    def custom_order(self, bug=None):
        """The goal-distance order: Manhattan distance to the goal tile, ties by state index."""
        ncol = len(self.desc[0])
        tile = "S" if bug == "from_start" else "G"
        goals = [(r, c) for r, row in enumerate(self.desc) for c, ch in enumerate(row) if ch == tile]
        return sorted(range(self.n), key=lambda s: (min(abs(s // ncol - r) + abs(s % ncol - c) for r, c in goals), s))

    def non_greedy_states(self, policy, V, gamma):
        """Non-terminal states whose action is not a best action under V (the tie rule)."""
        return [s for s in range(self.n)
                if s not in self.terminal and int(policy[s]) not in self.best_actions(V, gamma, s)]

    def letters(self, policy):
        ncol = len(self.desc[0])
        return ["".join(tile if tile in "HG" else LETTERS[int(policy[r * ncol + c])] for c, tile in enumerate(row))
                for r, row in enumerate(self.desc)]


def diagnose(matches, bugs):
    """The hint of the one mistake in ``bugs`` for which ``matches(bug)`` holds; ``None`` when none does,
    or when several do (the result does not tell them apart, so naming one would be a guess)."""
    found = []
    for bug in bugs:
        try:
            if matches(bug):
                found.append(bug)
        except OrdersExhausted:
            continue
    return HINTS[found[0]] if len(found) == 1 else None


def same_result(got_values, got_count, want):
    """Whether a student's (values, count) is exactly what an oracle run gave (values within 1e-7)."""
    values, count = want
    try:
        return got_count == count and np.allclose(np.asarray(got_values, dtype=float), values, atol=1e-7, rtol=0)
    except (TypeError, ValueError):
        return False


# The mistakes each kind of function is diagnosed for, in the order they are tried.
BUGS = {
    "value_iteration": ("zero_based", "in_place", "synchronous", "last_change", "perm_once", "from_start",
                        "bootstrap"),
    "evaluate_policy": ("zero_based", "in_place", "synchronous", "ignore_start", "keep_terminal", "last_change",
                        "perm_once", "bootstrap"),
    "policy_iteration": ("zero_based", "cold_start", "tol_not_passed", "in_place", "synchronous", "last_change",
                         "perm_once", "no_guard", "ties_high", "no_gamma", "bootstrap"),
}


def _kind(function):
    return next(kind for kind in BUGS if function.startswith(kind))


def _applies(bug, function, kwargs, orders):
    """Whether ``bug`` can be told apart on a call of ``function`` (its order, its arguments)."""
    order = function.rsplit("_", 1)[1]
    # A custom order that visits the states farthest from the goal first gives exactly the synchronous
    # result on some maps: that mistake is not told apart there, so it is diagnosed in the other orders.
    return {"in_place": order == "sync", "synchronous": order in ("ordered", "randperm"),
            "last_change": order != "sync", "perm_once": order == "randperm", "from_start": order == "custom",
            "tol_not_passed": kwargs.get("tol", TOL) != TOL}.get(bug, True) and (order != "randperm" or orders)


def oracle_result(oracle, function, args, kwargs=None, bug=None, orders=None):
    """What :class:`LoopOracle` returns for ``function(env, *args, **kwargs)`` run with ``bug``
    (``orders``: the permutations a random-order call drew, replayed in that order)."""
    kwargs = kwargs or {}
    order = {"sync": "sync", "ordered": "ordered"}.get(function.rsplit("_", 1)[1])
    if function.endswith("custom"):
        order = oracle.custom_order(bug)
    elif function.endswith("randperm"):
        order = iter(orders)
    tol, max_iters = kwargs.get("tol", TOL), kwargs.get("max_iters", 1000)
    if function.startswith("policy_iteration"):
        return oracle.policy_iteration(args[0], order, tol, max_iters, bug)
    if function.startswith("value_iteration"):
        return oracle.sweeps(args[0], None, None, order, tol, max_iters, bug)
    start, gamma, policy = args
    return oracle.sweeps(gamma, start, policy, order, tol, max_iters, bug)


def reproduces(got, want):
    """Whether a result (a tuple as the function returns it) is exactly an oracle run's: counts equal,
    values within 1e-7, and for policy iteration the same policy."""
    try:
        if len(want) == 4:
            return ([int(a) for a in got[0]] == [int(a) for a in want[0]]
                    and same_result(got[1], (got[2], got[3]), (want[1], (want[2], want[3]))))
        return same_result(got[0], got[1], want)
    except (TypeError, ValueError, IndexError):
        return False


class SeededOrders:
    """The sweep orders a correct random-order call with ``np.random.default_rng(seed)`` draws: one
    ``rng.permutation(n)`` per sweep, replayable (each iteration starts the generator afresh)."""

    def __init__(self, seed, n):
        self.seed, self.n = seed, n

    def __iter__(self):
        rng = np.random.default_rng(self.seed)
        while True:
            yield rng.permutation(self.n)


def diagnose_call(spec, function, args, got, kwargs=None, orders=None, bugs=None, seed=None):
    """The hint of the mistake (of ``bugs``, default :data:`BUGS` for the function) that, run by the
    oracle on the same call, gives exactly the student's result ``got`` and not the right one, when
    exactly one does; else ``None``. Random orders are replayed: the ``orders`` the call drew, or those
    that ``np.random.default_rng(seed)`` gives one per sweep (a mistake in drawing them matches nothing)."""
    oracle, kwargs = LoopOracle(spec), kwargs or {}
    if orders is None and seed is not None and function.endswith("randperm"):
        orders = SeededOrders(seed, oracle.n)
    try:
        right = oracle_result(oracle, function, args, kwargs, None, orders)
    except OrdersExhausted:
        right = None
    def matches(bug):
        if not _applies(bug, function, kwargs, orders):
            return False
        wrong = oracle_result(oracle, function, args, kwargs, bug, orders)
        return (right is None or not reproduces(wrong, right)) and reproduces(got, wrong)  # told apart, and matches

    return diagnose(matches, bugs or BUGS[_kind(function)])


def _pair(result, what, n_items=2):
    check(isinstance(result, tuple) and len(result) == n_items, what,
          f"expected a tuple of {n_items} items, got {type(result).__name__}"
          + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
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


DETERMINISTIC_MAPS = [
    pytest.param(lake("4x4"), id="course-4x4"),
    pytest.param(lake("8x8"), id="course-8x8"),
    pytest.param(random_lake(6, seed=3), id="random-6x6"),
]


@pytest.mark.parametrize("spec", DETERMINISTIC_MAPS)
@pytest.mark.parametrize("function", VALUE_ITERATIONS)
def test_value_iteration_optimal_values_deterministic(student, function, spec):
    oracle = LoopOracle(spec)
    result = _pair(run(student, function, spec, GAMMA), shown_call(function, (GAMMA,)))
    values, n_sweeps = result
    check_array(values, f"{function}: value_func", shape=(oracle.n,), dtype=np.float64)
    # On a deterministic lake value iteration from 0 is exact once the reward has travelled the longest path.
    check_close(values, oracle.optimal_values_deterministic(GAMMA),
                f"{function}(env, gamma={GAMMA}) on {spec.describe()}: values vs gamma**(d-1), "
                "d = shortest safe path", index_name="state",
                hint=lambda: diagnose_call(spec, function, (GAMMA,), result, seed=0))
    check_type(n_sweeps, int, f"{function}: n_sweeps")


@pytest.mark.parametrize("spec", DETERMINISTIC_MAPS[:2])
@pytest.mark.parametrize("function", POLICY_ITERATIONS)
def test_policy_iteration_optimal_deterministic(student, function, spec):
    oracle = LoopOracle(spec)
    result = _pair(run(student, function, spec, GAMMA), shown_call(function, (GAMMA,)), 4)
    policy, values, n_improvements, n_eval_sweeps = result
    check_array(policy, f"{function}: policy", shape=(oracle.n,), dtype=np.int64)
    check_array(values, f"{function}: value_func", shape=(oracle.n,), dtype=np.float64)
    optimal = oracle.optimal_values_deterministic(GAMMA)
    bad = oracle.non_greedy_states(policy, optimal, GAMMA)
    diagnosis = lambda: diagnose_call(spec, function, (GAMMA,), result, seed=0)  # noqa: E731
    check(not bad, f"{function} on {spec.describe()}: policy", f"states {bad[:8]} do not take an optimal action",
          hint=diagnosis)
    check_close(values, optimal, f"{function}: the values of the last evaluation (within the stopping bound)",
                atol=stopping_bound(GAMMA), rtol=0, index_name="state", hint=diagnosis)


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
    args = (start, gamma, policy)
    result = _pair(run(student, function, spec, *args, seed=seed), shown_call(function, args, seed=seed))
    values, n_sweeps = result
    check_array(values, f"{function}: value_func", shape=(oracle.n,), dtype=np.float64)
    terminal = sorted(oracle.terminal)

    terminal_diagnosis = lambda: diagnose_call(spec, function, args, result, bugs=("keep_terminal", "bootstrap"),  # noqa: E731
                                               seed=seed)
    check_close(values[terminal], np.zeros(len(terminal)), f"{function} from a non-zero start: values of the "
                f"terminal states {terminal}", atol=1e-12, rtol=0, index_name="position", hint=terminal_diagnosis)
    check_close(values, oracle.exact_values(policy, gamma),
                f"{function} on {spec.describe()}, gamma={gamma}, a random policy: values vs an exact linear solve",
                atol=stopping_bound(gamma), rtol=0, index_name="state",
                hint=lambda: diagnose_call(spec, function, args, result, seed=seed))
    check_type(n_sweeps, int, f"{function}: n_sweeps")


HAND_4X4 = ["DHRD", "RGHD", "UHHD", "ULLL"]  # the only safe route: 2-3-7-11-15-14-13-12-8-4-5
HAND_POLICY_4X4 = [LETTERS.index(ch) if ch in LETTERS else 0 for ch in "".join(HAND_4X4)]


def diagnose_greedy(oracle, values, gamma, policy, bugs=("no_gamma", "bootstrap")):
    """The hint of the first greedy mistake under whose look-ahead every state that does not take a
    best action (the tie rule) does take one; else ``None``."""
    bad = oracle.non_greedy_states(policy, values, gamma)
    return diagnose(lambda bug: bool(bad) and all(int(policy[s]) in oracle.best_actions(values, gamma, s, bug)
                                                  for s in bad), bugs)


def test_value_func_to_policy_letters_course_4x4(student):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    optimal = oracle.optimal_values_deterministic(GAMMA)
    policy = student.call(MODULE, "value_func_to_policy", spec, GAMMA, optimal)
    check_array(policy, "value_func_to_policy(env, 0.9, V*)", shape=(16,), dtype=np.int64)
    # By hand, each non-terminal state of the course 4x4 has one optimal action under V*: these letters.
    check_equal(oracle.letters(policy), HAND_4X4, "value_func_to_policy on the course 4x4, as letters (H, G tiles; "
                "actions 0 Left, 1 Down, 2 Right, 3 Up)", hint=lambda: diagnose_greedy(oracle, optimal, GAMMA, policy))


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
              f"the best actions (any one within 1e-6 of the best look-ahead is accepted) are "
              f"{[LETTERS[a] for a in best]}", hint=lambda: diagnose_greedy(oracle, values, GAMMA, policy))


LOOKAHEAD_MAPS = [
    pytest.param(lake("4x4"), 0.9, id="course-4x4"),
    pytest.param(lake("4x4", is_slippery=True), 0.9, id="slippery-4x4"),
    pytest.param(lake("8x8", is_slippery=True), 0.95, id="slippery-8x8"),
]


@pytest.mark.parametrize(("spec", "gamma"), LOOKAHEAD_MAPS)
@pytest.mark.parametrize("function", ["value_func_to_policy", "improve_policy"])
def test_value_func_to_policy_any_values(student, function, spec, gamma):
    """Greedy for arbitrary values, non-zero at terminal states too (never bootstrapped through);
    improve_policy from the all-Left policy changes every state where Left is not a best action."""
    oracle = LoopOracle(spec)
    values = np.random.default_rng(oracle.n).uniform(0, 1, oracle.n)
    if function == "value_func_to_policy":
        policy = student.call(MODULE, function, spec, gamma, values)
        shown = f"value_func_to_policy(env, {gamma}, value_func)"
    else:
        start = np.zeros(oracle.n, dtype=np.int64)
        policy = _pair(student.call(MODULE, function, spec, gamma, values, start),
                       f"improve_policy(env, {gamma}, value_func, policy)")[0]
        shown = f"improve_policy(env, {gamma}, value_func, all-Left policy): new_policy"
    check_array(policy, shown, shape=(oracle.n,), dtype=np.int64)
    bad = oracle.non_greedy_states(policy, values, gamma)
    check(not bad, f"{function} on {spec.describe()}, gamma={gamma}, random values (terminal states "
          "included)", f"states {bad[:8]} do not take a best action of the one-step look-ahead",
          hint=lambda: diagnose_greedy(oracle, values, gamma, policy))


def test_improve_policy_reports_change(student):
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    optimal = oracle.optimal_values_deterministic(GAMMA)
    start = np.zeros(16, dtype=np.int64)
    new_policy, changed = _pair(student.call(MODULE, "improve_policy", spec, GAMMA, optimal, start),
                                "improve_policy(env, 0.9, value_func, policy) with V* and the all-Left policy")
    check_array(new_policy, "improve_policy: new_policy", shape=(16,), dtype=np.int64)
    check_type(changed, bool, "improve_policy: policy_changed (a Python bool)")
    check_equal(changed, True, "improve_policy from the all-Left policy: policy_changed")
    check_equal(oracle.letters(new_policy), HAND_4X4, "improve_policy(env, 0.9, V*, all-Left policy) as letters",
                hint=lambda: diagnose_greedy(oracle, optimal, GAMMA, new_policy))
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


EVAL_COUNT_CASES = [("optimal", "zeros"), ("all-down", "zeros"), ("optimal", "random"), ("all-down", "random")]
EVAL_COUNT_IDS = ["optimal-from-zeros", "all-down-from-zeros", "optimal-from-random-values",
                  "all-down-from-random-values"]


@pytest.mark.parametrize(("which", "start"), EVAL_COUNT_CASES, ids=EVAL_COUNT_IDS)
@pytest.mark.parametrize("function", EVALUATIONS[:2])
def test_evaluate_policy_sweep_counts_course_4x4(student, function, which, start):
    """From random values, the all-Down policy needs many sweeps (the bottom row keeps its value times gamma):
    an evaluation that starts from zeros instead of the value_func it is given shows here."""
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    policy = oracle.greedy(oracle.optimal_values_deterministic(GAMMA), GAMMA) if which == "optimal" else [DOWN] * 16
    order = _order_of(function)
    values0 = np.zeros(16) if start == "zeros" else np.random.default_rng(44).uniform(0, 1, 16)
    want_values, want_sweeps = oracle.sweeps(GAMMA, values0, policy, order)
    args = (values0, GAMMA, np.array(policy))
    result = _pair(student.call(MODULE, function, spec, *args), shown_call(function, args))
    values, n_sweeps = result
    check_type(n_sweeps, int, f"{function}: n_sweeps")
    hint = lambda: diagnose_call(spec, function, args, result)  # noqa: E731
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
    else:
        want = oracle.sweeps(GAMMA, order="ordered" if function.endswith("ordered") else oracle.custom_order())[1]
    result = _pair(student.call(MODULE, function, spec, GAMMA), shown_call(function, (GAMMA,)))
    check_type(result[1], int, f"{function}: n_sweeps")
    check_equal(result[1], want, f"{function} on the course 4x4: n_sweeps",
                hint=lambda: diagnose_call(spec, function, (GAMMA,), result))


# The course maps at the default tol; on the 8x8 a cold start gives other counts, so the warm start shows.
# With tol=0.6 the evaluations stop early (tol changes the counts), so a tol not passed on shows; at this tol,
# in-place and synchronous evaluations give other counts than either does at the default tol.
PI_COUNT_MAPS = [pytest.param("4x4", {}, id="course-4x4"), pytest.param("8x8", {}, id="course-8x8"),
                 pytest.param("4x4", {"tol": 0.6}, id="course-4x4-tol0.6")]


@pytest.mark.parametrize(("name", "kwargs"), PI_COUNT_MAPS)
@pytest.mark.parametrize("function", POLICY_ITERATIONS[:2])
def test_policy_iteration_counts(student, function, name, kwargs):
    spec = lake(name)
    oracle = LoopOracle(spec)
    order = _order_of(function)
    _, want_values, want_improvements, want_sweeps = oracle.policy_iteration(GAMMA, order, **kwargs)
    if name == "8x8":
        assert oracle.policy_iteration(GAMMA, order, bug="cold_start")[3] != want_sweeps, "oracle check: warm == cold"
    if kwargs:
        assert oracle.policy_iteration(GAMMA, order)[3] != want_sweeps, "oracle check: tol changes nothing"
    result = _pair(student.call(MODULE, function, spec, GAMMA, **kwargs), shown_call(function, (GAMMA,), kwargs), 4)
    _, values, n_improvements, n_eval_sweeps = result
    check_type(n_improvements, int, f"{function}: n_improvements")
    check_type(n_eval_sweeps, int, f"{function}: n_eval_sweeps")
    hint = lambda: diagnose_call(spec, function, (GAMMA,), result, kwargs)  # noqa: E731
    label = f"{function} on the course {name}" + "".join(f", {k}={v}" for k, v in kwargs.items())
    check_equal((n_improvements, n_eval_sweeps), (want_improvements, want_sweeps),
                f"{label}: (n_improvements, n_eval_sweeps)", hint=hint)
    check_close(values, want_values, f"{label}: values of the last evaluation", index_name="state", hint=hint)


RANDPERM_CASES = [
    pytest.param("value_iteration_async_randperm", lake("4x4", is_slippery=True), (GAMMA,),
                 id="value_iteration_async_randperm-slippery-4x4"),
    pytest.param("value_iteration_async_randperm", lake("8x8"), (GAMMA,), id="value_iteration_async_randperm-8x8"),
    pytest.param("evaluate_policy_async_randperm", lake("8x8", is_slippery=True),
                 (np.zeros(64), GAMMA, np.full(64, DOWN)), id="evaluate_policy_async_randperm-slippery-8x8"),
    pytest.param("policy_iteration_async_randperm", lake("4x4"), (GAMMA,), id="policy_iteration_async_randperm-4x4"),
]


def replay(what, n_drawn, n_sweeps, run_replay, hint=None):
    """Replay the drawn orders in the oracle; running out of them is the student's stopping rule, not ours."""
    try:
        return run_replay()
    except OrdersExhausted:
        check(False, what, f"it drew {n_drawn} permutations for {n_sweeps} sweeps, but replaying those orders in "
              f"place does not meet the tolerance within {n_drawn} sweeps", hint=hint)


@pytest.mark.parametrize(("function", "spec", "args"), RANDPERM_CASES)
def test_randperm_one_permutation_per_sweep(student, function, spec, args):
    oracle = LoopOracle(spec)
    out = student.probe("dp.call_with_rng", function, spec, *args, seed=2024, record=True,
                        shown_as=shown_call(function, args, seed=2024))
    perms = out["permutations"]
    check(not out["other_uses"], f"{function}: uses of rng (each sweep's order comes from rng.permutation(n_states), "
          "and rng serves nothing else)", f"it used rng.{', rng.'.join(out['other_uses'])}")
    check(all(a == oracle.n for a in out["permutation_args"]),
          f"{function}: the argument of rng.permutation (n_states = {oracle.n})",
          f"it passed {out['permutation_args'][:3]}{'...' if len(out['permutation_args']) > 3 else ''}")
    policy_iteration = function.startswith("policy")
    result = _pair(out["result"], function, 4 if policy_iteration else 2)
    count = "n_eval_sweeps" if policy_iteration else "n_sweeps"
    n_sweeps = result[3] if policy_iteration else result[1]
    check_type(n_sweeps, int, f"{function}: {count}")
    hint = lambda: diagnose_call(spec, function, args, result, orders=perms)  # noqa: E731
    check(n_sweeps == len(perms), f"{function}: one rng.permutation call per sweep",
          f"it returned {count} = {n_sweeps} sweeps but called rng.permutation {len(perms)} time(s)", hint=hint)
    what = f"{function}: replaying the permutations drawn"
    want = replay(what, len(perms), n_sweeps, lambda: oracle_result(oracle, function, args, orders=perms), hint)
    if policy_iteration:
        check_equal(result[2], want[2], f"{what}: n_improvements", hint=hint)
        check_close(result[1], want[1], f"{what}: values", index_name="state", hint=hint)
        return
    check_close(result[0], want[0], f"{what}: values (in place, in that order)", index_name="state", hint=hint)
    check_equal(n_sweeps, want[1], f"{what}: n_sweeps", hint=hint)


@pytest.mark.parametrize("function", ["value_iteration_async_randperm", "evaluate_policy_async_randperm"])
def test_randperm_default_rng(student, function):
    """rng=None (or no rng) means a fresh generator: any order reaches the exact values here."""
    spec = lake("4x4")
    oracle = LoopOracle(spec)
    args = (GAMMA,) if function.startswith("value") else (np.zeros(16), GAMMA, np.array(HAND_POLICY_4X4))
    for mode in ("none", "omitted"):
        shown = shown_call(function, args, rng_mode=mode)
        values, n_sweeps = _pair(student.probe("dp.call_with_rng", function, spec, *args, rng_mode=mode,
                                               shown_as=shown)["result"], shown)
        check_close(values, oracle.optimal_values_deterministic(GAMMA), f"{shown}: values", atol=1e-6)
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
    check_equal(order, want, f"goal_distance_order on the course {name} (Manhattan distance to the goal, ties by "
                "state index)", hint=lambda: diagnose_order(spec, order))


def diagnose_order(spec, order):
    """The hint of a goal-distance order measured from the wrong tile, when that reproduces ``order``."""
    oracle = LoopOracle(spec)
    return diagnose(lambda bug: order == oracle.custom_order(bug) != oracle.custom_order(), ["from_start"])


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
        hint = lambda: diagnose_greedy(oracle, want, 0.0, policy)  # noqa: E731
        check_equal(int(policy[4]), RIGHT, "value_func_to_policy(env, gamma=0, ...) at state 4 (Right, into the goal)",
                    hint=hint)
        bad = oracle.non_greedy_states(policy, want, 0.0)
        check(not bad, "value_func_to_policy(env, gamma=0, ...) (with gamma = 0 the look-ahead is the expected "
              "immediate reward)", f"states {bad[:8]} do not take a best action", hint=hint)
        return
    result = _pair(run(student, function, spec, 0.0), shown_call(function, (0.0,)))
    hint = lambda: diagnose_call(spec, function, (0.0,), result, seed=0)  # noqa: E731
    check_close(result[0], want, f"{function}(env, gamma=0): values", index_name="state", hint=hint)
    check_equal(result[1], 2, f"{function}(env, gamma=0): n_sweeps (one sweep sets V[4] = 1, the next changes "
                "nothing)", hint=hint)


ZERO_REWARD_MAP = ["SFFH", "FFHG"]  # the goal is walled in by holes: no transition ever pays a reward


@pytest.mark.parametrize("function", VALUE_ITERATIONS + POLICY_ITERATIONS)
def test_zero_reward_map(student, function):
    spec = lake(ZERO_REWARD_MAP)
    if function.startswith("value"):
        result = _pair(run(student, function, spec, GAMMA), shown_call(function, (GAMMA,)))
        hint = lambda: diagnose_call(spec, function, (GAMMA,), result, seed=0)  # noqa: E731
        check_close(result[0], np.zeros(8), f"{function} on a map with no reachable goal: values", index_name="state",
                    hint=hint)
        check_equal(result[1], 1, f"{function} on a map with no reachable goal: n_sweeps (the first sweep "
                    "changes nothing)", hint=hint)
        return
    result = _pair(run(student, function, spec, GAMMA), shown_call(function, (GAMMA,)), 4)
    policy, values, n_improvements, n_eval_sweeps = result
    hint = lambda: diagnose_call(spec, function, (GAMMA,), result, seed=0)  # noqa: E731
    check_close(policy, np.zeros(8), f"{function} on a map with no reachable goal: policy (all look-aheads 0, so "
                "improve_policy keeps the current action 0)", hint=hint)
    check_equal((n_improvements, n_eval_sweeps), (1, 1),
                f"{function} on a map with no reachable goal: (n_improvements, n_eval_sweeps) (one evaluation of "
                "one sweep, one improvement that changes nothing)", hint=hint)


def _well_formed(function, result, n):
    """Check a result's documented types and shapes (the tuple, float64 values, int64 policies, int counts, bool)."""
    if function in ("value_func_to_policy",):
        check_array(result, f"{function}: policy", shape=(n,), dtype=np.int64)
    elif function == "improve_policy":
        new_policy, changed = _pair(result, function)
        check_array(new_policy, f"{function}: new_policy", shape=(n,), dtype=np.int64)
        check_type(changed, bool, f"{function}: policy_changed (a Python bool)")
    elif function == "goal_distance_order":
        check_type(result, list, f"{function}(env)")
        check(all(type(s) is int for s in result) and sorted(result) == list(range(n)), f"{function}(env)",
              "expected a permutation of 0 .. S-1 as Python ints")
    elif function in POLICY_ITERATIONS:
        policy, values, n_improvements, n_eval_sweeps = _pair(result, function, 4)
        check_array(policy, f"{function}: policy", shape=(n,), dtype=np.int64)
        check_array(values, f"{function}: value_func", shape=(n,), dtype=np.float64)
        check_type(n_improvements, int, f"{function}: n_improvements (a Python int)")
        check_type(n_eval_sweeps, int, f"{function}: n_eval_sweeps (a Python int)")
    else:
        values, count = _pair(result, function)
        check_array(values, f"{function}: value_func", shape=(n,), dtype=np.float64)
        check_type(count, int, f"{function}: n_sweeps (a Python int)")


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
    _well_formed(function, run(student, function, spec, *args), 16)


@pytest.mark.parametrize("function", EVALUATIONS + ["value_func_to_policy", "improve_policy"])
def test_inputs_not_mutated(student, function):
    spec = lake("4x4", is_slippery=True)
    args = _arguments(function, 16)
    out = student.probe("dp.inputs_after", function, spec, *args, shown_as=shown_call(function, args, seed=0))
    for sent, after in zip(args, out["args_after"]):
        if isinstance(sent, np.ndarray):
            changed = not (isinstance(after, np.ndarray) and np.array_equal(after, sent))
            check_close(after, sent, f"{function}: the {_shown(sent)} passed in, after the call", index_name="state",
                        hint=HINTS["mutated"] if changed else None)
    check(out["dynamics_unchanged"], f"{function}: env.unwrapped.P after the call", "was modified")
    # No credit for doing nothing: the inputs are intact and the call returned a well-formed result.
    _well_formed(function, out["result"], 16)
