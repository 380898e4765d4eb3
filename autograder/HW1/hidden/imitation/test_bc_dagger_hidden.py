"""Hidden tests for Problem 6 (bc_dagger.py): mini-batch order and the outcomes on hidden seeds.

The outcome tests use the student's learner trained in the worker with training seed 0
(60 s limit per training run), once per grading and shared with the public outcome test
through the worker's registry, as the extra credit does; the hidden part is the 20
evaluation seeds. This process drives CartPole-v1 on them and asks the worker for the
greedy actions of all 20 environments once per step: returns are counted here, never
reported by student code. Thresholds and bands are calibrated with
``autograder/calibration/calibrate_imitation.py`` (see each test's docstring).
"""

import numpy as np
from cartpole import expert_rule, grade_returns, run_outcome

from harness import oracle_cache
from harness.checks import check, check_close, check_type

TRAIN_TIMEOUT = 60.0
# The public tests' training seed: one training run per learner serves both tests. Training
# twice on another seed doubled Problem 6's grading time (about 30 s of the 75 s on one core)
# for a second draw from a distribution the calibration already measures over 200 seeds.
TRAIN_SEED = 0
HIDDEN_BC_EVAL_SEEDS = (706963430, 876434269, 791846830, 386641921, 13995426, 923107086, 90886638, 934180570,
                        771370300, 888262244, 314883835, 471615005, 780458108, 8247132, 222420701, 416854603,
                        68404809, 930096431, 956571211, 846555550)
HIDDEN_DAGGER_EVAL_SEEDS = (243922921, 916389360, 799864723, 867249657, 6837560, 552097418, 21087186, 192986925,
                            397243139, 272465126, 733371116, 31565417, 677829965, 175326813, 82625878, 851159592,
                            701869191, 19788146, 191797403, 318954616)


def _reference_minibatch_order(reference, weights, obs, actions, epochs, batch_size, lr, seed):
    """The reference train_bc on a network holding ``weights``: (losses, weights after training).

    Imports torch and the reference solution: called only as the oracle cache's compute function.
    """
    import torch

    bc = reference("bc_dagger")
    net = torch.nn.Sequential(torch.nn.Linear(4, 12), torch.nn.Tanh(), torch.nn.Linear(12, 2))
    with torch.no_grad():
        for parameter, value in zip(net.parameters(), weights):
            parameter.copy_(torch.as_tensor(value))
    previous = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny oracle: extra threads only contend on a loaded box
    try:
        losses = bc.train_bc(net, obs, actions, epochs, batch_size=batch_size, lr=lr, seed=seed)
    finally:
        torch.set_num_threads(previous)
    return [float(loss) for loss in losses], [p.detach().numpy().copy() for p in net.parameters()]


def test_train_bc_minibatch_order(student, reference):
    """Several batches per epoch: the documented shuffle (randperm from a generator seeded once).

    The oracle's inputs are fixed, so its value goes through the oracle cache (recorded at build
    time from the reference): when grading, this process never imports torch.
    """
    rng = np.random.default_rng(99)
    weights = [rng.normal(0, 0.5, (12, 4)), rng.normal(0, 0.1, 12), rng.normal(0, 0.5, (2, 12)),
               rng.normal(0, 0.1, 2)]
    weights = [w.astype(np.float32) for w in weights]
    obs = rng.normal(0, 1, (150, 4)).astype(np.float32)
    actions = expert_rule(obs)
    out = student.probe("imitation.train_bc_known", weights, obs, actions, 3, 32, 5e-3, 11)

    args = (weights, obs, actions, 3, 32, 5e-3, 11)
    want_losses, want_weights = oracle_cache.cached(oracle_cache.key("reference_minibatch_order", *args),
                                                    lambda: _reference_minibatch_order(reference, *args))
    what = "train_bc(policy, obs (150, 4), actions, epochs=3, batch_size=32, lr=5e-3, seed=11)"
    losses = out["losses"]
    check(isinstance(losses, list) and len(losses) == 3, what, "expected a list of 3 losses (one per epoch)")
    for loss in losses:
        check_type(loss, float, f"{what}: each loss")
    convention = ("mini-batches: perm = torch.randperm(N, generator=g) every epoch, g = "
                  "torch.Generator().manual_seed(seed) created once per call; batches perm[i:i+batch_size]; "
                  "the epoch's loss is the mean of its batch losses")
    check_close(losses, want_losses, f"{what}: losses per epoch ({convention})", atol=1e-5, rtol=1e-4, reveal=False,
                index_name="epoch")
    for got, want in zip(out["weights"], want_weights):
        check_close(got, want, f"{what}: parameters after training ({convention})", atol=1e-5, rtol=1e-4,
                    reveal=False)


def grade_outcome(student, credit, note, kind, train_seed, eval_seeds):
    label, seconds, returns = run_outcome(student, kind, train_seed, eval_seeds, TRAIN_TIMEOUT)
    grade_returns(note, credit, f"{label}, training seed {train_seed} (the policy of the public test's training run, "
                  "on other starting states; `python bc_dagger.py --train-seeds 10` shows your learner over training "
                  "seeds)", returns, f"{len(eval_seeds)} hidden seeds", seconds, TRAIN_TIMEOUT)


def test_bc_outcome_hidden(student, credit, note):
    """BC from 5 expert episodes, the public training run, 20 hidden CartPole seeds: mean return >= 475.

    Bands: >= 475 full, >= 400 75%, >= 300 50%, >= 200 25%. Calibration with the shipped
    BC_EPOCHS = 200 against several correct designs (autograder/calibration/
    imitation-calibration.md; 200 training seeds per design, 20 evaluation seeds each): full
    credit in every run for one hidden layer of 16 or 32 ReLU units, the reference's 2x64
    tanh, 2x64 ReLU with orthogonal init and 2x128 ReLU; the lowest mean of all 1000 runs is
    496.8 (1x32), 21.8 above the bar. At the former BC_EPOCHS = 30 the reference passed
    200/200 but 1x16 and 1x32 ReLU 0/200 (medians 355 and 380). A linear policy, outside
    the safe range make_policy documents, fails: 0/200 at 200 epochs (median 350). The
    reference's Adam runs fused since issue 20 (the same update, other rounding): recalibrated
    one run at a time through the probes, 200/200, every episode at 500. Training on one core
    of the staff's CI machine: the reference 3 to 5 s (7.5 to 11.9 s before), 2x128 ReLU about
    10.5 s; the limit is 60 s of wall time.
    """
    grade_outcome(student, credit, note, "bc", TRAIN_SEED, HIDDEN_BC_EVAL_SEEDS)


def test_dagger_outcome_hidden(student, credit, note):
    """DAgger from a single 50-step demonstration, the public training run, 20 hidden seeds: mean return >= 475.

    Bands as for BC. Calibration with the shipped DAGGER_EPOCHS = 50 (8 iterations x 2
    episodes, 200 training seeds per design; autograder/calibration/imitation-calibration.md):
    full credit in every run for 1x16 ReLU (lowest mean 475.6: the edge of the documented
    range), 1x32 ReLU, the reference's 2x64 tanh, 2x64 ReLU orthogonal init and 2x128 ReLU
    (lowest 496.4). At the former DAGGER_EPOCHS = 20 the reference passed 200/200 but 1x16
    ReLU only 149/200 (lowest 92.2) and a linear policy 57/200. For contrast, BC on the same
    50 states without DAgger has a median of 113 (196 of 200 runs below the 200 band).
    The reference with fused Adam (issue 20), one run at a time through the probes: 200/200,
    every episode at 500. Training on one core of the staff's CI machine: the reference about
    8 s (20 s before), 2x128 ReLU 22.5 to 35 s of CPU; the limit is 60 s of wall time (hence
    the README's advice of a full CPU on Gradescope).
    """
    grade_outcome(student, credit, note, "dagger", TRAIN_SEED, HIDDEN_DAGGER_EVAL_SEEDS)
