"""Public outcome tests for Problem 5: each learner balances the pole (5 points per learner).

For each learner the worker runs the given training loop (``run.train``, the course's copy) on
your ``pg.py`` with training seed 0, within 60 s of wall time on one CPU thread; then this process
drives CartPole-v1 itself on 20 public seeds and asks your policy for its greedy actions (the
argmax of your logits) once per step. Full credit at a mean return of at least ``BAR`` (run.py;
75 % at 400, 50 % at 300, 25 % at 200). A near miss (from 300 up to the bar) trains once more
with training seed 1, and the better run is graded. Each test prints what it measured, pass or
fail. Gradescope evaluates this same training run on 20 hidden seeds (4 of the learner's 5
points); `python run.py --check --seeds 10` shows your learners over other training seeds.

The course staff measured this protocol over many training seeds on one core, with the course's
solution and with independently written learners within the safe ranges of the networks' and
``make_optimizers``' docstrings: a learner trains in a few seconds (HW2/README.md).
"""

from pgoutcomes import TRAIN_SEED, grade_outcome

PUBLIC_EVAL_SEEDS = tuple(range(200, 220))
ADVICE = "`python run.py --check` runs the same protocol on your machine"


def run(student, credit, note, name):
    grade_outcome(student, credit, note, name, TRAIN_SEED, PUBLIC_EVAL_SEEDS,
                  f"{len(PUBLIC_EVAL_SEEDS)} seeds {PUBLIC_EVAL_SEEDS[0]}..{PUBLIC_EVAL_SEEDS[-1]}", ADVICE)


def test_reinforce_outcome_public(student, credit, note):
    """REINFORCE (``reinforce_update``, whole episodes of at least 16 x 128 steps), training seed 0."""
    run(student, credit, note, "reinforce")


def test_baseline_outcome_public(student, credit, note):
    """REINFORCE with a learned baseline (``baseline_update``), training seed 0."""
    run(student, credit, note, "baseline")


def test_a2c1_outcome_public(student, credit, note):
    """A2C with N = 1 (``a2c_update``, windows of 32 x 16), training seed 0."""
    run(student, credit, note, "a2c1")


def test_a2c10_outcome_public(student, credit, note):
    """A2C with N = 10 (``a2c_update``, windows of 32 x 16), training seed 0."""
    run(student, credit, note, "a2c10")


def test_a2c100_outcome_public(student, credit, note):
    """A2C with N = 100 (``a2c_update``, windows of 16 x 128), training seed 0."""
    run(student, credit, note, "a2c100")


