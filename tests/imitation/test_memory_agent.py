"""Public test for the extra credit (``train_memory_agent`` in bc_dagger.py).

Your ``train_memory_agent(seed=0)`` runs in the worker (at most 120 s); then this process
drives CartPole-v1 itself, shows your agent only (x, theta) (what
``PartialObservation`` keeps), and asks it for an action once per step. Each episode
gets its own copy of the trained agent (``copy.deepcopy``), ``reset()`` before its first
step. Returns are counted here.
"""

import gymnasium
import numpy as np

from harness.checks import check, check_array

TRAIN_TIMEOUT = 120.0  # seconds for train_memory_agent (HW1-SPEC)
OBSERVED = [0, 2]  # PartialObservation keeps x and theta
# Partial credit below the bar (mean return over 20 episodes -> fraction). Single-frame
# BC policies on (x, theta) score 8.6 to 41.8 (calibrate_imitation.py --kinds single-frame).
BANDS = ((475.0, 1.0), (400.0, 0.75), (300.0, 0.5), (200.0, 0.25))
PUBLIC_EVAL_SEEDS = tuple(range(200, 220))
TRAIN_SEED = 0


def band_credit(mean_return):
    for bar, fraction in BANDS:
        if mean_return >= bar:
            return fraction
    return 0.0


def train_memory_agent(student):
    student.probe("imitation.warm_up", timeout=60)
    return student.probe("imitation.train_memory_outcome", TRAIN_SEED, timeout=TRAIN_TIMEOUT)


def drive_partial_cartpole(student, handle, seeds, what):
    """Episodes of CartPole-v1 showing (x, theta) only; lockstep when the agent can be copied.

    Returns the returns and, for the first episode, the frames shown and the actions taken.
    """
    returns = np.zeros(len(seeds))
    frames, taken = [], []
    parallel = student.probe("imitation.memory_agent_reset", handle, len(seeds))
    groups = [list(range(len(seeds)))] if parallel == len(seeds) else [[i] for i in range(len(seeds))]
    for group in groups:
        if len(group) == 1 and parallel != len(seeds):
            student.probe("imitation.memory_agent_reset", handle, 1)
        envs = {i: gymnasium.make("CartPole-v1") for i in group}
        obs = {i: envs[i].reset(seed=int(seeds[i]))[0] for i in group}
        active = list(group)
        while active:
            batch = np.stack([np.asarray(obs[i], dtype=np.float32)[OBSERVED] for i in active])
            copies = [group.index(i) for i in active]
            actions = student.probe("imitation.memory_agent_act", handle, copies, batch, timeout=10)
            check_array(actions, what, shape=(len(active),))
            check(bool(np.isin(actions, (0, 1)).all()), what, "agent.act returned an action other than 0 or 1")
            still = []
            for j, i in enumerate(active):
                if i == 0:
                    frames.append(batch[j])
                    taken.append(int(actions[j]))
                obs[i], reward, terminated, truncated, _ = envs[i].step(int(actions[j]))
                returns[i] += reward
                if not (terminated or truncated):
                    still.append(i)
            active = still
    return returns, np.asarray(frames, dtype=np.float32), np.asarray(taken, dtype=np.int64)


def test_memory_agent_public(student, credit):
    """train_memory_agent(seed=0) on CartPole seeing (x, theta) only, 20 public seeds: mean return >= 475.

    Calibration of the reference (calibrate_imitation.py --kinds memory --seeds 200): 200/200
    training seeds at full credit (every one of the 4000 episodes reached 500).
    """
    trained = train_memory_agent(student)
    returns, _, _ = drive_partial_cartpole(student, trained["handle"], PUBLIC_EVAL_SEEDS,
                                           "the memory agent's act on (x, theta)")
    mean = float(np.mean(returns))
    fraction = band_credit(mean)
    credit(fraction)
    took = f" (trained in {trained['seconds']:.1f} s)" if trained.get("seconds") is not None else ""
    check(fraction == 1.0, f"train_memory_agent(seed=0){took}",
          f"mean return {mean:.1f} over seeds {PUBLIC_EVAL_SEEDS[0]}..{PUBLIC_EVAL_SEEDS[-1]}, below 475: "
          f"{fraction:.0%} of the points",
          hint="a single frame cannot tell which way the pole moves: the agent must remember earlier frames "
               "(reset() clears that memory at each episode start)")
