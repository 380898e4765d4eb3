"""Public test for the extra credit (``train_memory_agent`` in bc_dagger.py).

Your ``train_memory_agent(seed=0)`` runs in the worker (at most 120 s); then this process
drives CartPole-v1 itself, shows your agent only (x, theta) (what
``PartialObservation`` keeps), and asks it for an action once per step. Each episode
gets its own copy of the trained agent (``copy.deepcopy``), ``reset()`` before its first
step. Returns are counted here.
"""


from cartpole import drive_partial_cartpole, grade_returns

TRAIN_TIMEOUT = 120.0  # seconds for train_memory_agent (HW1/README.md)
# Partial credit below the bar (mean return over 20 episodes -> fraction). Single-frame
# BC policies on (x, theta) score 8.6 to 41.8 (the course staff's calibration, 200 seeds).
PUBLIC_EVAL_SEEDS = tuple(range(200, 220))
TRAIN_SEED = 0


def train_memory_agent(student):
    student.probe("imitation.warm_up", timeout=60)
    return student.probe("imitation.train_memory_outcome", TRAIN_SEED, timeout=TRAIN_TIMEOUT)


def test_memory_agent_public(student, credit, note):
    """train_memory_agent(seed=0) on CartPole seeing (x, theta) only, 20 public seeds: mean return >= 475.

    Calibration of the reference (the course staff's, 200 training seeds): 200/200 training
    seeds at full credit (every one of the 4000 episodes reached 500). An independently
    written design (an ``nn.LSTM`` of 64 units on scaled frames, no previous action,
    whole-episode training) reached full credit on 190 of 200 training seeds, and on every
    one of them when trained twice as long. Gradescope grades this same training run on 20
    hidden seeds.
    """
    trained = train_memory_agent(student)
    returns, _, _ = drive_partial_cartpole(student, trained["handle"], PUBLIC_EVAL_SEEDS,
                                           "the memory agent's act on (x, theta)")
    grade_returns(note, credit, "train_memory_agent(seed=0) (a single frame cannot tell which way the pole moves: "
                  "the agent remembers earlier frames; reset() clears that memory at each episode start)", returns,
                  f"{len(PUBLIC_EVAL_SEEDS)} seeds {PUBLIC_EVAL_SEEDS[0]}..{PUBLIC_EVAL_SEEDS[-1]}",
                  trained.get("seconds"), TRAIN_TIMEOUT)
