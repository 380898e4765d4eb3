"""CartPole outcome grading shared by the Problem 6 and extra-credit tests.

The test process drives CartPole-v1 itself and asks the worker only for actions, so no
return reported by student code is trusted. Partial credit comes in bands below 475.
:func:`grade_returns` is the one place that turns returns into credit and into the message
the student sees, pass or fail ("mean 498.3, lowest 471 over 20 hidden seeds; bar 475;
trained in 3.1 s of 60 s").
"""

import gymnasium
import numpy as np

from harness.checks import check, check_array

GAINS = np.array([0.1, 0.5, 10.0, 2.0])  # the given expert: push right iff obs @ GAINS > 0
OBSERVED = [0, 2]  # PartialObservation keeps x and theta
BAR = 475.0
BANDS = ((BAR, 1.0), (400.0, 0.75), (300.0, 0.5), (200.0, 0.25))
OUTCOME_LABELS = {"bc": "BC from 5 expert episodes", "dagger": "DAgger from a single 50-step demonstration"}


def expert_rule(obs):
    """The expert's actions for observations of shape (..., 4): int64."""
    return (np.asarray(obs, dtype=np.float64) @ GAINS > 0.0).astype(np.int64)


def band_credit(mean_return):
    """Fraction of the points for a mean return: 1 at 475, then 0.75 / 0.5 / 0.25 bands."""
    for bar, fraction in BANDS:
        if mean_return >= bar:
            return fraction
    return 0.0


def drive_cartpole(student, handle, seeds, what):
    """Step one CartPole-v1 per seed in lockstep, asking the worker for all actions once per step."""
    envs = [gymnasium.make("CartPole-v1") for _ in seeds]
    obs = np.stack([env.reset(seed=int(s))[0] for env, s in zip(envs, seeds)]).astype(np.float32)
    returns = np.zeros(len(seeds))
    active = np.ones(len(seeds), dtype=bool)
    while active.any():
        index = np.flatnonzero(active)
        actions = student.probe("imitation.act_batch", handle, obs[index], timeout=10)
        check_array(actions, what, shape=(len(index),))
        check(bool(np.isin(actions, (0, 1)).all()), what, "act returned an action other than 0 or 1")
        for j, i in enumerate(index):
            state, reward, terminated, truncated, _ = envs[i].step(int(actions[j]))
            obs[i] = state
            returns[i] += reward
            active[i] = not (terminated or truncated)
    return returns



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



def measured(returns, seeds_text, seconds, budget_s):
    """What an outcome test measured, in one line: returns against the bar, training time against its budget.

    ``seeds_text`` names the seeds ("20 hidden seeds", "seeds 100..119"); ``seconds`` may be
    None (not measured).
    """
    returns = np.asarray(returns, dtype=np.float64)
    text = f"mean {returns.mean():.1f}, lowest {returns.min():g} over {seeds_text}; bar {BAR:g}"
    if seconds is not None:
        text += f"; trained in {seconds:.1f} s of {budget_s:g} s"
    return text


def grade_returns(note, credit, what, returns, seeds_text, seconds, budget_s):
    """Credit for the mean of ``returns`` (bands), the measurement noted pass or fail, a check below the bar."""
    mean = float(np.mean(returns))
    fraction = band_credit(mean)
    summary = measured(returns, seeds_text, seconds, budget_s)
    note(summary if fraction == 1.0 else f"{summary}: {fraction:.0%} of the points")
    credit(fraction)
    check(fraction == 1.0, what, f"{summary}: the mean is below the bar, {fraction:.0%} of the points")


def run_outcome(student, kind, train_seed, eval_seeds, train_timeout):
    """Train ``kind`` ("bc" or "dagger") in the worker, then drive CartPole on ``eval_seeds``.

    Returns ``(label, training seconds, returns per seed)``.
    """
    student.probe("imitation.warm_up", timeout=60)
    probe = "imitation.train_bc_outcome" if kind == "bc" else "imitation.train_dagger_outcome"
    trained = student.probe(probe, train_seed, timeout=train_timeout)
    label = OUTCOME_LABELS[kind]
    returns = drive_cartpole(student, trained["handle"], eval_seeds, f"{label}: act on a batch of observations")
    return label, trained["seconds"], returns
