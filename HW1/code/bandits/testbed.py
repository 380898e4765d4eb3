# GIVEN CODE: complete, do not edit.
"""The k-armed Gaussian testbed (Sutton & Barto, section 2.3) and the experiment harness.

Run it from this folder once ``agents.py`` works: ``python testbed.py`` runs every agent
family over its parameter sweep and writes the plots into ``outputs/`` (``--outputs``,
``--runs``, ``--steps``, ``--seed``; ``python testbed.py --help``). 2000 runs of 1000
steps (the book's figures) take a few minutes; ``--runs 200`` is a quick look. Plots,
each with the average reward and the percentage of optimal actions per step:
``epsilon_greedy.png`` (epsilon in 0, 0.01, 0.1, 1; Q0 = 0), ``optimistic.png`` (a greedy
agent, epsilon = 0, with Q0 in 0, 1, 5, against the realistic Q0 = 0, epsilon = 0.1 agent
dashed, as in Sutton & Barto figure 2.3, but with sample averages instead of a constant
step size), ``ucb.png`` (c in 0.5, 1, 2), ``boltzmann.png`` (temperature in 0.1, 0.5, 1)
and ``comparison.png`` (the best setting of each family by average reward over all steps).

The testbed. Each run draws fresh arm means ``mu ~ N(0, 1)`` (one per arm); pulling arm
``a`` at any step pays ``mu[a] + noise`` with ``noise ~ N(0, 1)``. The best arm of a run
is ``argmax(mu)``.

Seeding. ``run_experiment(..., seed)`` builds ``np.random.SeedSequence(seed)`` and spawns
one child per run; run ``i``'s child spawns two grandchildren,
``[testbed_seq, agent_seq] = children[i].spawn(2)``. The testbed draws from
``np.random.default_rng(testbed_seq)``: first the ``k`` arm means
(``standard_normal(k)``), then the ``n_steps`` reward noises (``standard_normal(n_steps)``,
the noise of step ``t`` is added to whichever arm is pulled at step ``t``). The agent gets
``np.random.default_rng(agent_seq)``. So run ``i`` depends only on ``seed`` and ``i``
(not on ``n_runs``, the agent, or the other runs), and two agents run with the same seed
face exactly the same testbeds and noise: their curves are a paired comparison.

Speed. Agents are separate Python objects, one per run; the harness steps all runs
together, computes every run's reward with one NumPy operation per step, and calls only
``get_action()`` and ``update(action, reward)`` per run and step.
"""

import argparse
import os
import sys
from pathlib import Path

import numpy as np

K = 10
SWEEPS = {
    # family: (file name, title, [(label, class name, keyword arguments), ...])
    "epsilon": ("epsilon_greedy.png", "Epsilon-greedy (sample averages, Q0 = 0)", [
        (f"epsilon = {eps:g}", "EpsilonGreedyAgent", {"epsilon": eps}) for eps in (0.0, 0.01, 0.1, 1.0)
    ]),
    # Sutton & Barto figure 2.3: optimism with a purely greedy agent (epsilon = 0), against
    # the realistic epsilon-greedy agent (Q0 = 0, epsilon = 0.1) drawn as a dashed reference.
    "optimistic": ("optimistic.png", "Optimistic initial values (greedy, epsilon = 0)", [
        (f"Q0 = {q0:g}, epsilon = 0", "EpsilonGreedyAgent", {"epsilon": 0.0, "initial_value": q0})
        for q0 in (0.0, 1.0, 5.0)
    ]),
    "ucb": ("ucb.png", "Upper confidence bound", [
        (f"c = {c:g}", "UCBAgent", {"c": c}) for c in (0.5, 1.0, 2.0)
    ]),
    "boltzmann": ("boltzmann.png", "Boltzmann (softmax) exploration", [
        (f"temperature = {tau:g}", "BoltzmannAgent", {"temperature": tau}) for tau in (0.1, 0.5, 1.0)
    ]),
}
REALISTIC = ("realistic: Q0 = 0, epsilon = 0.1", "EpsilonGreedyAgent", {"epsilon": 0.1})
PROGRESS_MIN_WORK = 200_000  # agent steps; smaller experiments never show a bar


def run_seeds(seed, n_runs):
    """The per-run seed sequences: a list of ``(testbed_seq, agent_seq)`` pairs.

    ``np.random.SeedSequence(seed).spawn(n_runs)``, then each child ``.spawn(2)``.
    """
    return [tuple(child.spawn(2)) for child in np.random.SeedSequence(seed).spawn(n_runs)]


def make_testbeds(seed, n_runs, n_steps, k=K):
    """Draw every run's arm means and reward noise (see the module docstring).

    Returns
    -------
    means : np.ndarray, float64, shape (n_runs, k)
    noise : np.ndarray, float64, shape (n_steps, n_runs)
        ``noise[t, i]`` is added to the mean of the arm run ``i`` pulls at step ``t``.
    """
    means = np.empty((n_runs, k))
    noise = np.empty((n_steps, n_runs))
    for i, (testbed_seq, _) in enumerate(run_seeds(seed, n_runs)):
        rng = np.random.default_rng(testbed_seq)
        means[i] = rng.standard_normal(k)
        noise[:, i] = rng.standard_normal(n_steps)
    return means, noise


def _show_progress(progress, work):
    if progress is not None:
        return bool(progress)
    return work >= PROGRESS_MIN_WORK and sys.stderr.isatty()


def run_experiment(make_agent, n_runs, n_steps, seed, k=K, progress=None, label=None):
    """Run ``n_runs`` independent runs of ``n_steps`` steps and average the curves.

    Parameters
    ----------
    make_agent : callable ``make_agent(rng) -> agent``
        Builds one fresh agent for a ``k``-armed bandit from a ``np.random.Generator``
        (e.g. ``lambda rng: agents.UCBAgent(10, c=2, rng=rng)``). The agent needs
        ``get_action() -> int`` and ``update(action, reward)``.
    n_runs, n_steps : int
    seed : int
        Seeds everything, as the module docstring says.
    k : int
        Number of arms (10, the standard testbed).
    progress : bool or None
        Show a tqdm progress bar: ``None`` (default) shows one only for long experiments
        (at least 200,000 agent steps) when stderr is a terminal; ``False`` never; ``True`` always.
    label : str or None
        Text shown before the progress bar.

    Returns
    -------
    mean_reward : np.ndarray, float64, shape (n_steps,)
        Reward at each step (step ``t`` is entry ``t - 1``), averaged over runs.
    optimal_fraction : np.ndarray, float64, shape (n_steps,)
        Fraction of runs that pulled their best arm at each step.
    """
    means, noise = make_testbeds(seed, n_runs, n_steps, k)
    best = np.argmax(means, axis=1)
    agents = [make_agent(np.random.default_rng(agent_seq)) for _, agent_seq in run_seeds(seed, n_runs)]
    get_actions = [agent.get_action for agent in agents]
    updates = [agent.update for agent in agents]
    runs = np.arange(n_runs)
    reward_sum = np.zeros(n_steps)
    optimal_count = np.zeros(n_steps)
    steps = range(n_steps)
    if _show_progress(progress, n_runs * n_steps):
        from tqdm import tqdm

        steps = tqdm(steps, desc=label, unit="step", leave=False, dynamic_ncols=True)
    for t in steps:
        actions = np.array([get_action() for get_action in get_actions], dtype=np.int64)
        if actions.min() < 0 or actions.max() >= k:
            bad = actions[(actions < 0) | (actions >= k)][0]
            raise ValueError(f"an agent returned action {bad}, outside [0, {k})")
        rewards = means[runs, actions] + noise[t]
        for update, action, reward in zip(updates, actions.tolist(), rewards.tolist()):
            update(action, reward)
        reward_sum[t] = rewards.sum()
        optimal_count[t] = np.count_nonzero(actions == best)
    return reward_sum / n_runs, optimal_count / n_runs


def agent_factory(agents_module, class_name, kwargs, k=K):
    """``make_agent`` for ``run_experiment``: ``rng -> agents_module.<class_name>(k, **kwargs, rng=rng)``."""
    cls = getattr(agents_module, class_name)
    return lambda rng: cls(k, **kwargs, rng=rng)


def _plot(path, title, curves, n_runs, dashed=()):
    """Two panels (average reward, % optimal action) of ``{label: (reward, optimal)}``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    for label, (reward, optimal) in curves.items():
        style = "--" if label in dashed else "-"
        steps = np.arange(1, len(reward) + 1)
        top.plot(steps, reward, style, label=label, linewidth=1)
        bottom.plot(steps, 100 * optimal, style, label=label, linewidth=1)
    top.set_ylabel("average reward")
    bottom.set_ylabel("% optimal action")
    bottom.set_xlabel("steps")
    bottom.set_ylim(0, 100)
    top.legend(loc="lower right", fontsize="small")
    top.set_title(f"{title} ({n_runs} runs)")
    for axis in (top, bottom):
        axis.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    """Run every sweep, write one plot per family and a best-of-each comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outputs", type=Path, default=Path("outputs"), help="folder for the PNG plots")
    parser.add_argument("--runs", type=int, default=2000, help="independent runs per agent (default 2000)")
    parser.add_argument("--steps", type=int, default=1000, help="steps per run (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every experiment (default 0)")
    parser.add_argument("--no-progress", action="store_true", help="never show progress bars")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.steps < 1:
        parser.error("--runs and --steps must be positive")

    import agents  # the student's file, next to this one

    args.outputs.mkdir(parents=True, exist_ok=True)
    progress = False if args.no_progress else None
    results = {}  # (label, class name, kwargs as a tuple) -> curves; the realistic agent runs once

    def run(label, class_name, kwargs):
        key = (class_name, tuple(sorted(kwargs.items())))
        if key not in results:
            results[key] = run_experiment(agent_factory(agents, class_name, kwargs), args.runs, args.steps,
                                          args.seed, progress=progress, label=label)
        return results[key]

    best = {}
    print(f"{args.runs} runs x {args.steps} steps, seed {args.seed}; average reward over all steps:")
    for family, (filename, title, configs) in SWEEPS.items():
        curves = {label: run(label, class_name, kwargs) for label, class_name, kwargs in configs}
        for label, (reward, optimal) in curves.items():
            print(f"  {label:<32} {reward.mean():7.4f}   ({100 * optimal[-1]:5.1f}% optimal at the last step)")
        dashed = ()
        if family == "optimistic":
            curves[REALISTIC[0]] = run(*REALISTIC)
            dashed = (REALISTIC[0],)
        _plot(args.outputs / filename, title, curves, args.runs, dashed)
        print(f"wrote {args.outputs / filename}")
        label, class_name, kwargs = max(configs, key=lambda config: run(*config)[0].mean())
        best[f"{title.split(' (')[0]}: {label}"] = run(label, class_name, kwargs)
    path = args.outputs / "comparison.png"
    _plot(path, "Best of each family (by average reward)", best, args.runs)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.exit(main())
