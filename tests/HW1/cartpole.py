"""CartPole outcome grading shared by the Problem 6 and extra-credit tests.

The test process drives CartPole-v1 itself and asks the worker only for actions, so no
return reported by student code is trusted. Partial credit comes in bands below 475.
:func:`grade_returns` is the one place that turns returns into credit and into the message
the student sees, pass or fail ("mean 498.3, lowest 471 over 20 hidden seeds; bar 475;
trained in 3.1 s of 60 s").

The episodes of one evaluation run side by side in a :class:`CartPoleBatch` (Gymnasium's
equations on NumPy arrays, bit for bit what ``gymnasium.make("CartPole-v1")`` computes), so
stepping 20 environments costs about one step of one.

The extra credit grades by a sequential rule (:func:`memory_runs`): the agent trained with
``train_memory_agent(seed=0)``; only where its mean return misses the bar, a second one,
``train_memory_agent(seed=1)``, on the same evaluation seeds; the better run counts.
"""

import gymnasium
import numpy as np

from harness.checks import check, check_array
from harness.errors import StudentCodeError

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


class CartPoleBatch:
    """CartPole-v1 episodes side by side: Gymnasium's own equations on float64 arrays.

    ``CartPoleBatch(seeds)`` starts one episode per seed from the state ``reset(seed=s)``
    gives (Gymnasium's own reset); :meth:`step` applies one action per live episode. The
    arithmetic is ``CartPoleEnv.step``'s, operation for operation (elementwise IEEE float64
    gives the same bits for an array as for a scalar), with the 500-step time limit of
    ``gymnasium.make("CartPole-v1")``; the course staff check every observation, reward and ending
    against Gymnasium's on random and expert actions.
    """

    def __init__(self, seeds):
        env = gymnasium.make("CartPole-v1")
        self.limit = int(env.spec.max_episode_steps)
        self.model = model = env.unwrapped
        if model.kinematics_integrator != "euler":  # the only integrator CartPole-v1 uses
            raise ValueError("CartPoleBatch implements the Euler integrator of CartPole-v1 only")
        starts = []
        for seed in seeds:
            env.reset(seed=int(seed))
            starts.append(np.array(model.state, dtype=np.float64))
        env.close()
        self.state = np.stack(starts) if starts else np.zeros((0, 4))
        self.steps = np.zeros(len(starts), dtype=np.int64)
        self.active = np.ones(len(starts), dtype=bool)
        self.returns = np.zeros(len(starts))

    def observations(self, index):
        """The observations (float32 (len(index), 4)) of the episodes ``index``, as Gymnasium returns them."""
        return self.state[index].astype(np.float32)

    def step(self, index, actions):
        """Step the live episodes ``index`` with ``actions`` (0 or 1 each); count rewards and endings."""
        m = self.model
        x, x_dot, theta, theta_dot = self.state[index].T
        force = np.where(np.asarray(actions) == 1, m.force_mag, -m.force_mag)
        costheta = np.cos(theta)
        sintheta = np.sin(theta)
        temp = (force + m.polemass_length * np.square(theta_dot) * sintheta) / m.total_mass
        thetaacc = (m.gravity * sintheta - costheta * temp) / (
            m.length * (4.0 / 3.0 - m.masspole * np.square(costheta) / m.total_mass))
        xacc = temp - m.polemass_length * thetaacc * costheta / m.total_mass
        x = x + m.tau * x_dot
        x_dot = x_dot + m.tau * xacc
        theta = theta + m.tau * theta_dot
        theta_dot = theta_dot + m.tau * thetaacc
        self.state[index] = np.stack([x, x_dot, theta, theta_dot], axis=1)
        terminated = ((x < -m.x_threshold) | (x > m.x_threshold)
                      | (theta < -m.theta_threshold_radians) | (theta > m.theta_threshold_radians))
        self.steps[index] += 1
        self.returns[index] += 1.0  # CartPole-v1 rewards every step, the last one included
        self.active[index] = ~terminated & (self.steps[index] < self.limit)


def drive_cartpole(student, handle, seeds, what):
    """Step one CartPole-v1 per seed in lockstep, asking the worker for all actions once per step."""
    episodes = CartPoleBatch(seeds)
    while episodes.active.any():
        index = np.flatnonzero(episodes.active)
        actions = student.probe("imitation.act_batch", handle, episodes.observations(index), timeout=10)
        check_array(actions, what, shape=(len(index),))
        check(bool(np.isin(actions, (0, 1)).all()), what, "act returned an action other than 0 or 1")
        episodes.step(index, actions)
    return episodes.returns


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
        episodes = CartPoleBatch([seeds[i] for i in group])
        while episodes.active.any():
            index = np.flatnonzero(episodes.active)  # positions in the group: the agent copies driven
            batch = episodes.observations(index)[:, OBSERVED]
            actions = student.probe("imitation.memory_agent_act", handle, index.tolist(), batch, timeout=10)
            check_array(actions, what, shape=(len(index),))
            check(bool(np.isin(actions, (0, 1)).all()), what, "agent.act returned an action other than 0 or 1")
            if group[0] == 0 and index[0] == 0:
                frames.append(batch[0])
                taken.append(int(actions[0]))
            episodes.step(index, actions)
        returns[group] = episodes.returns
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


MEMORY_TRAIN_SEEDS = (0, 1)  # the extra credit's sequential rule: the second only where the first misses


def train_memory(student, train_seed, train_timeout):
    """``train_memory_agent(seed=train_seed)`` in the worker, trained once per grading (the probe's registry)."""
    student.probe("imitation.warm_up", timeout=60)
    return student.probe("imitation.train_memory_outcome", train_seed, timeout=train_timeout)


def memory_runs(student, eval_seeds, train_timeout, what, train_seeds=MEMORY_TRAIN_SEEDS):
    """The extra credit's sequential rule: ``[(train seed, training seconds, returns), ...]``.

    The agent of ``train_memory_agent(seed=train_seeds[0])`` is driven on ``eval_seeds``; only
    when its mean return is below the bar is the next seed trained (once per grading, like the
    first) and driven on the same seeds. A correct design that misses on one training seed
    rarely misses on two (an independently written LSTM agent measured by the course staff: see
    the public test's docstring), while a wrong agent fails both runs.
    A first training that fails (an exception, the time limit) fails the test as before; a
    second one that fails leaves the first run's credit: ``(seed, None, error message)``.
    """
    runs = []
    for k, train_seed in enumerate(train_seeds):
        try:
            trained = train_memory(student, train_seed, train_timeout)
            returns, _, _ = drive_partial_cartpole(student, trained["handle"], eval_seeds, what)
        except StudentCodeError as exc:
            if k == 0:
                raise
            runs.append((train_seed, None, exc.message))
            break
        runs.append((train_seed, trained.get("seconds"), returns))
        if float(np.mean(returns)) >= BAR:
            break
    return runs


def grade_memory_runs(note, credit, what, runs, seeds_text, budget_s):
    """Credit for the better run of :func:`memory_runs`; the note says what each run measured."""
    graded = [(seed, seconds, returns) for seed, seconds, returns in runs if not isinstance(returns, str)]
    best = max(graded, key=lambda run: float(np.mean(run[2])))
    if len(runs) == 1:
        grade_returns(note, credit, what, best[2], seeds_text, best[1], budget_s)
        return
    lines = []
    for seed, seconds, returns in runs:
        if isinstance(returns, str):
            lines.append(f"train_memory_agent(seed={seed}) failed, so the first run counts: {returns}")
        else:
            lines.append(f"train_memory_agent(seed={seed}): {measured(returns, seeds_text, seconds, budget_s)}")
    head = (f"train_memory_agent(seed={runs[0][0]}) missed the bar, so the grader trained once more "
            f"and grades the better run (seed={best[0]}).\n" + "\n".join(lines))
    mean = float(np.mean(best[2]))
    fraction = band_credit(mean)
    note(head if fraction == 1.0 else f"{head}\n{fraction:.0%} of the points")
    credit(fraction)
    check(fraction == 1.0, what, f"{head}\nThe better mean is below the bar: {fraction:.0%} of the points")


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
