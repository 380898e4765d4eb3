"""Hidden outcome tests for Problem 5: the public tests' training runs, evaluated on 20 hidden seeds each.

Each learner is trained once per grading with training seed 0 (by the public test, 60 s limit;
the worker keeps the policy); here this process drives CartPole-v1 on 20 hidden seeds and asks
the worker for the greedy actions once per step. Bands: >= ``BAR`` of the given run.py full, >= 400
75 %, >= 300 50 %, >= 200 25 %; a near miss (from 300 up to the bar on these seeds) trains seed 1 once
more and the better run is graded.

Calibration: ``autograder/HW2/calibration/pg-calibration.md`` (the exact protocol over at least 200
training seeds of the reference and 100 of each of three independently written learners, one core):
pass rates, lowest means and training times per learner. Measured pass rates at full credit: the
reference 200/200 for every learner (lowest mean 468.1, A2C N = 100); relu128, relu64-rmsprop and
tanh32-orth 100/100 for every learner under the near-miss rule (on A2C N = 1, relu128 and
tanh32-orth each missed 3 first runs, 332 to 422, and each second run reached 496 or more). The
confirmed stop (a check of 20 greedy episodes at >= 495, confirmed on 100 more) is what makes the
evaluation on unseen seeds safe.
"""

from pgoutcomes import TRAIN_SEED, grade_outcome

HIDDEN_EVAL_SEEDS = {
    "reinforce": (517386202, 93542387, 822609735, 416118462, 718002123, 245096981, 958224418, 14582613, 630114952,
                  381936147, 804712063, 572043395, 136951370, 298661745, 903147282, 47119603, 661408270, 779213538,
                  325877196, 159032442),
    "baseline": (870123541, 318664907, 52109388, 741238716, 469002817, 985417260, 230576691, 613880104, 97412558,
                 404417823, 826110397, 171953624, 556902741, 938210566, 287604435, 61294817, 719845022, 443081976,
                 892557713, 125906348),
    "a2c1": (378104926, 912045873, 205786142, 664390517, 83957206, 527184930, 796301864, 140683755, 953718240,
             311290469, 687401823, 29846157, 470931286, 834017592, 196253708, 602719431, 751382069, 358027914,
             918640253, 243156870),
    "a2c10": (631970254, 188245906, 906317548, 47230681, 529648173, 764015392, 295871064, 873406215, 116742839,
              452098637, 987213054, 340675129, 608913476, 75392018, 821640597, 263108745, 714586032, 497320861,
              158904273, 936481520),
    "a2c100": (242857103, 803614925, 569130842, 120476398, 945281067, 386709254, 701843916, 54218370, 628975413,
               297361580, 862047139, 413589206, 180736524, 979204851, 335612097, 748093612, 21674538, 596318740,
               857026413, 463190285),
}
ADVICE = "the public test's training run, on other starting states; `python run.py --check --seeds 10` shows your " \
         "learner over training seeds"


def run(student, credit, note, name):
    grade_outcome(student, credit, note, name, TRAIN_SEED, HIDDEN_EVAL_SEEDS[name], "20 hidden seeds", ADVICE)


def test_reinforce_outcome_hidden(student, credit, note):
    run(student, credit, note, "reinforce")


def test_baseline_outcome_hidden(student, credit, note):
    run(student, credit, note, "baseline")


def test_a2c1_outcome_hidden(student, credit, note):
    run(student, credit, note, "a2c1")


def test_a2c10_outcome_hidden(student, credit, note):
    run(student, credit, note, "a2c10")


def test_a2c100_outcome_hidden(student, credit, note):
    run(student, credit, note, "a2c100")
