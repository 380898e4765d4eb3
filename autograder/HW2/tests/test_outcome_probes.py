"""The outcome probes and grading of Problem 5 and the extra credit (``tests/HW2/probes/outcomes.py``,
``tests/HW2/pgoutcomes.py``).

Each learner is trained once per worker and training seed: the public and the hidden outcome test share that
run (and report its time); a training that failed is not run again by the hidden test, which reports the
failure of the same kind.
"""

import sys
import types

import numpy as np
import pgoutcomes
import pytest
from hw2 import HW2

from harness.errors import CheckFailed, NotImplementedYet, NotRun, StudentTimeout
from harness.modules import load_by_path
from probes import outcomes as probes


@pytest.fixture
def counting_run(monkeypatch):
    """A ``run`` module whose ``train`` counts its calls, and a ``pg`` module."""
    import torch

    calls = []

    class Module(torch.nn.Module):
        def forward(self, obs):
            return torch.stack([-obs[:, 2], obs[:, 2]], dim=1)

    def train(name, seed, impl=None):
        calls.append((name, seed))
        return types.SimpleNamespace(policy=Module(), wall_seconds=1.5, cpu_seconds=1.0, env_steps=1234,
                                     iterations=3, passed=True, checks=[(1, 500.0, 500.0)])

    def greedy_returns(policy, n_episodes, seed):
        return np.full(n_episodes, 20.0)

    monkeypatch.setitem(sys.modules, "run", types.SimpleNamespace(train=train, warm_up=lambda: None,
                                                                  greedy_returns=greedy_returns))
    monkeypatch.setitem(sys.modules, "pg", types.SimpleNamespace(PolicyNetwork=lambda obs_dim, n: torch.nn.Linear(
        obs_dim, n)))
    monkeypatch.setattr(probes, "_REGISTRY", {})
    monkeypatch.setattr(probes, "_REPORTS", {})
    return calls


def test_outcome_probe_trains_once_per_learner_and_seed(counting_run):
    first = probes.train("a2c1", 0)
    again = probes.train("a2c1", 0)
    other = probes.train("a2c1", 1)
    assert counting_run == [("a2c1", 0), ("a2c1", 1)], "the second call with seed 0 trained again"
    assert first["reused"] is False and again["reused"] is True and other["reused"] is False
    assert again["handle"] == first["handle"] != other["handle"]
    assert again["seconds"] == first["seconds"] == 1.5 and first["env_steps"] == 1234
    actions = probes.act_batch(first["handle"], np.array([[0, 0, 0.1, 0], [0, 0, -0.1, 0]], dtype=np.float32))
    assert actions.tolist() == [1, 0] and actions.dtype == np.int64


def test_act_batch_refuses_wrong_logits(counting_run):
    import torch

    probes._REGISTRY["bad"] = lambda obs: torch.zeros(len(obs), 3)
    with pytest.raises(TypeError, match="expected logits of shape"):
        probes.act_batch("bad", np.zeros((2, 4), dtype=np.float32))
    probes._REGISTRY["nan"] = lambda obs: torch.full((len(obs), 2), float("nan"))
    with pytest.raises(ValueError, match="not finite"):
        probes.act_batch("nan", np.zeros((2, 4), dtype=np.float32))
    with pytest.raises(LookupError):
        probes.act_batch("gone", np.zeros((2, 4), dtype=np.float32))


class _Student:
    """Answers the outcome probes like a worker whose training fails with ``error`` (a counter of trainings)."""

    def __init__(self, error):
        self.error, self.trainings = error, 0
        self.diagnosis = types.SimpleNamespace(number="5.1")

    def probe(self, name, *args, **kwargs):
        if name == "outcomes.train":
            self.trainings += 1
            raise self.error
        return "2.x"


@pytest.mark.parametrize("error", [StudentTimeout("run.train('a2c1', seed=0) did not finish within 60 s"),
                                   NotImplementedYet("pg.a2c_update: not implemented yet")], ids=["timeout", "stub"])
def test_a_failed_training_is_not_run_again(monkeypatch, error):
    monkeypatch.setattr(pgoutcomes, "_FAILED", {})
    student = _Student(error)
    with pytest.raises(type(error)):
        pgoutcomes.train(student, "a2c1", 0)
    student.diagnosis.number = "5.8"
    with pytest.raises(type(error)) as again:
        pgoutcomes.train(student, "a2c1", 0)
    assert student.trainings == 1 and "test 5.1" in str(again.value)


def test_a_spent_budget_is_no_failure_of_the_training(monkeypatch):
    monkeypatch.setattr(pgoutcomes, "_FAILED", {})
    student = _Student(NotRun("not run: the time budget of Problem 5 is used up"))
    with pytest.raises(NotRun):
        pgoutcomes.train(student, "gae", 0)
    assert pgoutcomes._FAILED == {}


def test_bands_and_the_bar_of_the_given_loop():
    """Full credit at the given run.py's BAR (read from its source, never imported: the staff copy is the protocol),
    then 75 % at 400, 50 % at 300, 25 % at 200."""
    bar = pgoutcomes.BAR
    assert bar == pgoutcomes.given_constant("BAR", HW2.code / "policy_gradient" / "run.py") and 400 < bar <= 500
    assert [pgoutcomes.band_credit(m) for m in (500, bar, bar - 0.1, 400, 300, 200, 199.9)] == \
        [1.0, 1.0, 0.75, 0.75, 0.5, 0.25, 0.0]
    with pytest.raises(LookupError):
        pgoutcomes.given_constant("NO_SUCH_CONSTANT")


def test_hidden_outcome_tests_share_the_public_training_seed():
    public = load_by_path(HW2.tests / "policy_gradient" / "test_outcomes.py", "_hw2_public_outcomes")
    hidden = load_by_path(HW2.hidden / "policy_gradient" / "test_outcomes_hidden.py", "_hw2_hidden_outcomes")
    gae = load_by_path(HW2.hidden / "policy_gradient" / "test_gae_hidden.py", "_hw2_hidden_gae")
    seeds = [set(s) for s in hidden.HIDDEN_EVAL_SEEDS.values()] + [set(gae.HIDDEN_EVAL_SEEDS)]
    assert all(len(s) == 20 for s in seeds)
    assert not set().union(*seeds) & set(public.PUBLIC_EVAL_SEEDS)
    assert set(hidden.HIDDEN_EVAL_SEEDS) == {"reinforce", "baseline", "a2c1", "a2c10", "a2c100"}


def test_outcome_probe_reports_a_rule_that_ignores_the_parameters(counting_run):
    """The fixture's trained "policy" computes its logits from the observation alone (no parameter): the
    report says so, and the outcome grading gives it nothing; a real layer's actions depend on its weights."""
    import torch

    report = probes.train("a2c1", 0)
    assert report["ignores_parameters"] is True and report["untrained_mean"] == 20.0
    with pytest.raises(CheckFailed, match="rule written into forward"):
        pgoutcomes.learned(report, "A2C")
    assert probes._ignores_parameters(torch.nn.Linear(4, 2), 0) is False
    pgoutcomes.learned({**report, "ignores_parameters": False}, "A2C")  # nothing to object to


def test_a_policy_balancing_before_training_passes_only_if_training_changed_it():
    lucky = {"ignores_parameters": False, "untrained_mean": 500.0, "parameters_changed": True}
    pgoutcomes.learned(lucky, "A2C")  # some correctly initialised networks balance by luck
    with pytest.raises(CheckFailed, match="changed none of its parameters"):
        pgoutcomes.learned({**lucky, "parameters_changed": False}, "A2C")


class _Runs:
    """A student whose training runs evaluate to given means (per training seed); counts the trainings."""

    def __init__(self, means: dict, fail_second: Exception | None = None):
        self.means, self.fail_second, self.trained = means, fail_second, []
        self.diagnosis = types.SimpleNamespace(number="5.1")

    def probe(self, name, *args, timeout=None):
        if name == "outcomes.train":
            learner, seed = args
            if seed == pgoutcomes.SECOND_SEED and self.fail_second is not None:
                raise self.fail_second
            self.trained.append(seed)
            return {"handle": f"{learner}-{seed}", "env_steps": 1000, "seconds": 1.0, "ignores_parameters": False}
        return None


def _grade(monkeypatch, student):
    monkeypatch.setattr(pgoutcomes, "_FAILED", {})
    monkeypatch.setattr(pgoutcomes, "drive_cartpole", lambda s, handle, seeds, what: np.full(
        len(seeds), s.means[int(handle.rsplit("-", 1)[1])]))
    credits, notes = [], []
    try:
        pgoutcomes.grade_outcome(student, credits.append, notes.append, "a2c1", 0, range(20), "20 seeds", "advice")
    except CheckFailed:
        pass
    return credits, notes


@pytest.mark.parametrize("means, trained, credit", [
    ({0: 500.0}, [0], 1.0),                    # passes: no second run
    ({0: 421.8, 1: 500.0}, [0, 1], 1.0),        # a near miss, the second run passes: graded on it
    ({0: 332.3, 1: 310.0}, [0, 1], 0.5),        # both near misses: the better (the first)
    ({0: 420.0, 1: 380.0}, [0, 1], 0.75),       # the second run worse: the first stands
    ({0: 299.0, 1: 500.0}, [0], 0.25),          # far below the bar (not learning): no second run
    ({0: 9.4, 1: 500.0}, [0], 0.0),
], ids=["pass", "near-miss-rescued", "both-near", "second-worse", "below-near", "no-learning"])
def test_a_near_miss_trains_once_more_and_grades_the_better_run(monkeypatch, means, trained, credit):
    """The sequential rule: only a first run from ``NEAR_MISS`` up to the bar trains seed ``SECOND_SEED``; the
    better of the two runs on the same seeds is graded, and the note says both."""
    student = _Runs(means)
    credits, notes = _grade(monkeypatch, student)
    assert student.trained == trained and credits == [credit]
    assert ("trained once more" in notes[0]) == (trained == [0, 1])


@pytest.mark.parametrize("error", [StudentTimeout("run.train('a2c1', seed=1) did not finish within 60 s"),
                                   NotRun("not run: the time budget of Problem 5 is used up")],
                         ids=["timeout", "budget"])
def test_a_second_run_that_cannot_finish_leaves_the_first_runs_credit(monkeypatch, error):
    credits, notes = _grade(monkeypatch, _Runs({0: 420.0}, fail_second=error))
    assert credits == [0.75] and "could not finish" in notes[0]
