"""Outcome grading for Problem 5 and the extra credit: train in the worker, drive CartPole here.

The worker trains a learner with the given loop (``run.train``, the course's copy) on the
student's ``pg.py``; this process then steps one ``gymnasium.make("CartPole-v1")`` per evaluation
seed, all in lockstep, and asks the worker once per step for the greedy actions of the whole
batch: returns are counted here, never reported by student code. Credit comes in bands below the
bar (``BAR`` of the given ``run.py``), and the test notes what it measured, pass or fail ("mean
498.3, lowest 471 over 20 hidden seeds; bar 450; 183,000 environment steps, trained in 2.4 s of 60 s").

A learner is trained once per grading: the public test trains it, the hidden test of the same
learner evaluates that run on its own seeds (in the worker's registry). A near miss (a mean from
300 up to the bar) trains once more with seed 1 and the better run is graded, on each test's own
seeds (the second run too is trained once and kept). When the training itself
failed (too slow, a crash, an exception), the hidden test says so and points at the public test
instead of training again.
"""

import ast
from pathlib import Path

import gymnasium
import numpy as np

from harness.checks import check, check_array
from harness.errors import CheckFailed, NotImplementedYet, NotRun, StudentCodeError

# The given loop, the staff's copy (HW2/code beside tests/HW2: in the repository, the handout and the autograder):
# its constants are the protocol's. Read here as text, never imported (student code runs in the worker only).
RUN_PY = Path(__file__).resolve().parents[2] / "HW2" / "code" / "policy_gradient" / "run.py"


def given_constant(name, path=RUN_PY):
    """A module-level number of the given ``run.py`` (``BAR``), read from its source."""
    for node in ast.parse(Path(path).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return float(ast.literal_eval(node.value))
    raise LookupError(f"{path} defines no {name}")


BAR = given_constant("BAR")  # full credit: the given loop's bar (its --check says the same)
BANDS = ((BAR, 1.0), (400.0, 0.75), (300.0, 0.5), (200.0, 0.25))
TRAIN_TIMEOUT = 60.0  # seconds of wall time for one run.train (HW2/README.md)
WARM_UP_TIMEOUT = 60.0
TRAIN_SEED = 0  # the outcome tests' training seed (`python run.py --check --seed 0 --seeds 1`)
SECOND_SEED = 1  # a near miss's one more training run
NEAR_MISS = 300.0  # a first run at or above this, below the bar, is a near miss (the 50 % band and up)
LABELS = {"reinforce": "REINFORCE", "baseline": "REINFORCE with a learned baseline", "a2c1": "A2C, N = 1",
          "a2c10": "A2C, N = 10", "a2c100": "A2C, N = 100", "gae": "GAE (lambda = 0.95)"}

_FAILED: dict = {}  # (learner, seed) -> (the test number where its training failed, the exception)


def band_credit(mean_return):
    """Fraction of the points for a mean return: 1 at the bar, then 0.75 / 0.5 / 0.25 bands."""
    for bar, fraction in BANDS:
        if mean_return >= bar:
            return fraction
    return 0.0


def train(student, name, seed):
    """Train learner ``name`` in the worker (once per grading); its report (seconds, environment steps)."""
    earlier = _FAILED.get((name, seed))
    if earlier is not None:  # the same failure, of the same kind, without training again
        number, exc = earlier
        if isinstance(exc, NotImplementedYet):
            raise NotImplementedYet(f"{LABELS[name]}: not implemented yet (its training run in test {number} "
                                    "reached a function that still raises NotImplementedError)")
        raise type(exc)(f"{LABELS[name]}: its training run failed in test {number} (a learner is trained once per "
                        f"grading): {exc.message.splitlines()[0]}")
    student.probe("outcomes.warm_up", timeout=WARM_UP_TIMEOUT)
    try:
        return student.probe("outcomes.train", name, seed, timeout=TRAIN_TIMEOUT)
    except NotRun:
        raise
    except StudentCodeError as exc:
        _FAILED[(name, seed)] = (student.diagnosis.number, exc)
        raise


def drive_cartpole(student, handle, seeds, what):
    """Step one CartPole-v1 per seed in lockstep, asking the worker for all actions once per step."""
    envs = [gymnasium.make("CartPole-v1") for _ in seeds]
    obs = np.stack([env.reset(seed=int(s))[0] for env, s in zip(envs, seeds)]).astype(np.float32)
    returns = np.zeros(len(seeds))
    active = np.ones(len(seeds), dtype=bool)
    while active.any():
        index = np.flatnonzero(active)
        actions = student.probe("outcomes.act_batch", handle, obs[index], timeout=10)
        check_array(actions, what, shape=(len(index),))
        check(bool(np.isin(actions, (0, 1)).all()), what, "an action other than 0 or 1")
        for j, i in enumerate(index):
            state, reward, terminated, truncated, _ = envs[i].step(int(actions[j]))
            obs[i] = state
            returns[i] += reward
            active[i] = not (terminated or truncated)
    for env in envs:
        env.close()
    return returns


def measured(returns, seeds_text, report):
    """What an outcome test measured, in one line: returns against the bar, the training against its limit."""
    returns = np.asarray(returns, dtype=np.float64)
    text = f"mean {returns.mean():.1f}, lowest {returns.min():g} over {seeds_text}; bar {BAR:g}"
    if report is not None:
        text += (f"; {report['env_steps']:,} environment steps, trained in {report['seconds']:.1f} s of "
                 f"{TRAIN_TIMEOUT:g} s")
    return text


def learned(report, what):
    """The outcome must come from learning: a ``PolicyNetwork`` whose actions do not depend on its parameters
    (a rule written into ``forward``), or one that balanced the pole before any update and that training left
    unchanged (a rule written into its weights), earns no outcome points. (Some correctly initialised
    networks balance by luck before training; their updates still change them.)"""
    if report.get("ignores_parameters"):
        check(False, what, "your PolicyNetwork's greedy actions still vary with the observation when every one "
              "of its parameters is 0: they come from a rule written into forward, not from what the learner "
              "learned. The outcome tests grade what training achieves: compute the logits from the network's "
              "layers only", )
    untrained = report.get("untrained_mean")
    if untrained is not None and untrained >= BAR and report.get("parameters_changed") is False:
        check(False, what, f"your PolicyNetwork reached a mean greedy return of {untrained:.1f} (bar {BAR:g}) "
              "before any update, and training changed none of its parameters: what it does was written into "
              "it, not learned. The outcome tests grade what training achieves: let the updates train its "
              "layers (their parameters in the optimizer, requires_grad on)")


def _evaluated(student, name, seed, eval_seeds, advice):
    """Train ``name`` with ``seed`` (or reuse its run) and drive CartPole on ``eval_seeds``: (report, returns)."""
    report = train(student, name, seed)
    what = f"{LABELS[name]}, training seed {seed} ({advice})"
    learned(report, what)
    return report, drive_cartpole(student, report["handle"], eval_seeds, f"{what}: greedy actions on a batch")


def _second_run(student, name, eval_seeds, advice):
    """The near miss's one more run (``SECOND_SEED``) on the same seeds, or None when it could not be trained
    or driven (a crash, the time limit, the problem's budget): the first run's credit then stands."""
    try:
        return _evaluated(student, name, SECOND_SEED, eval_seeds, advice)
    except (StudentCodeError, CheckFailed):
        return None


def grade_outcome(student, credit, note, name, seed, eval_seeds, seeds_text, advice):
    """Train ``name`` (or reuse its run), drive CartPole on ``eval_seeds``, give banded credit and note it.

    A near miss (a mean of at least ``NEAR_MISS`` but below the bar) trains once more with ``SECOND_SEED``
    and grades the better of the two runs on the same seeds: a correct learner that is slow on one training
    seed is not failed for it, while a learner that does not learn (far below) costs no second run."""
    report, returns = _evaluated(student, name, seed, eval_seeds, advice)
    what = f"{LABELS[name]}, training seed {seed} ({advice})"
    summary = measured(returns, seeds_text, report)
    if NEAR_MISS <= float(np.mean(returns)) < BAR and seed != SECOND_SEED:
        second = _second_run(student, name, eval_seeds, advice)
        first_text = (f"training seed {seed}: {summary}, a near miss, so the grader trained once more "
                      f"(seed {SECOND_SEED})")
        if second is None:
            summary = f"{first_text}, which could not finish; graded: training seed {seed}"
        else:
            second_summary = measured(second[1], seeds_text, second[0])
            better = float(np.mean(second[1])) > float(np.mean(returns))
            if better:
                report, returns = second
                what = f"{LABELS[name]}, training seeds {seed} and {SECOND_SEED} ({advice})"
            summary = (f"{first_text}: {second_summary}; graded: the better run, training seed "
                       f"{SECOND_SEED if better else seed}")
    fraction = band_credit(float(np.mean(returns)))
    note(summary if fraction == 1.0 else f"{summary}: {fraction:.0%} of the points")
    credit(fraction)
    check(fraction == 1.0, what, f"{summary}: the mean is below the bar, {fraction:.0%} of the points")
