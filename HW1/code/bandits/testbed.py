# GIVEN CODE: complete, do not edit.
"""The k-armed Gaussian testbed (Sutton & Barto, section 2.3) and the experiment harness.

Run it from this folder once ``agents.py`` works: ``python testbed.py`` runs every agent
family over its parameter sweep and writes the plots into ``outputs/`` (``--outputs``,
``--runs``, ``--steps``, ``--seed``, ``--jobs``, ``--quick``; ``python testbed.py --help``).
2000 runs of 1000 steps (the book's figures) take about two minutes with the reference
agents on two idle cores; the script measures your agents on one run each and prints its
estimate before it starts. ``python testbed.py --quick`` (200 runs) is a quick look.
Plots, each with the average reward and the percentage of optimal actions per step:
``epsilon_greedy.png`` (epsilon in 0, 0.01, 0.1, 1; Q0 = 0; sample averages),
``optimistic.png`` (a greedy agent, epsilon = 0, with Q0 in 0, 1, 5, against the
realistic Q0 = 0, epsilon = 0.1 agent dashed; all with the constant step size
alpha = 0.1, ``step_size=0.1``, as in Sutton & Barto figure 2.3), ``ucb.png`` (c in 0.5,
1, 2), ``boltzmann.png`` (temperature in 0.1, 0.5, 1) and ``comparison.png`` (the best
setting of each family by average reward over all steps).

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

Speed. Agents are separate Python objects, one per run, built by your ``agents.py``.
The harness plays one run at a time to its end (one agent's state stays in the CPU's
cache; per step it calls only ``get_action()`` and ``update(action, reward)``, with the
reward a Python float), then computes the curves with NumPy. ``main`` splits every
configuration's runs into chunks and plays them in ``--jobs`` processes (default: one per
CPU); a run's result does not depend on the chunk or the process that plays it.
"""

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
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
    # Constant step size alpha = 0.1, as in the book: with sample averages the first pull of an
    # arm erases its optimistic value, and there is no spike to explain.
    "optimistic": ("optimistic.png", "Optimistic initial values (greedy, epsilon = 0, alpha = 0.1)", [
        (f"Q0 = {q0:g}, epsilon = 0, alpha = 0.1", "EpsilonGreedyAgent",
         {"epsilon": 0.0, "initial_value": q0, "step_size": 0.1})
        for q0 in (0.0, 1.0, 5.0)
    ]),
    "ucb": ("ucb.png", "Upper confidence bound", [
        (f"c = {c:g}", "UCBAgent", {"c": c}) for c in (0.5, 1.0, 2.0)
    ]),
    "boltzmann": ("boltzmann.png", "Boltzmann (softmax) exploration", [
        (f"temperature = {tau:g}", "BoltzmannAgent", {"temperature": tau}) for tau in (0.1, 0.5, 1.0)
    ]),
}
REALISTIC = ("realistic: Q0 = 0, epsilon = 0.1, alpha = 0.1", "EpsilonGreedyAgent",
             {"epsilon": 0.1, "step_size": 0.1})
PROGRESS_MIN_WORK = 200_000  # agent steps; smaller experiments never show a bar
QUICK_RUNS = 200
CHUNK_RUNS = 250  # runs per task of main's process pool: small enough to balance two processes


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
    return _draw_testbeds(run_seeds(seed, n_runs), n_steps, k)


def _draw_testbeds(seeds, n_steps, k):
    """``make_testbeds`` for the runs whose ``(testbed_seq, agent_seq)`` pairs are ``seeds``."""
    means = np.empty((len(seeds), k))
    noise = np.empty((n_steps, len(seeds)))
    for i, (testbed_seq, _) in enumerate(seeds):
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
    seeds = run_seeds(seed, n_runs)
    means, noise = _draw_testbeds(seeds, n_steps, k)
    runs = range(n_runs)
    if _show_progress(progress, n_runs * n_steps):
        from tqdm import tqdm

        runs = tqdm(runs, desc=label, unit="run", leave=False, dynamic_ncols=True)
    actions = _play(make_agent, means, noise, [agent_seq for _, agent_seq in seeds], runs)
    reward_sum, optimal_count = _sums(means, noise, actions)
    return reward_sum / n_runs, optimal_count / n_runs


def _play(make_agent, means, noise, agent_seqs, runs):
    """Play run ``i`` (for ``i`` in ``runs``) to its end with a fresh agent; return every action.

    Returns an int64 array of shape (n_steps, n_runs): ``actions[t, i]`` is the arm run ``i``
    pulled at step ``t``. The reward of step ``t`` is ``means[i, a] + noise[t, i]``.
    """
    n_steps, k = noise.shape[0], means.shape[1]
    actions = np.empty((n_steps, len(agent_seqs)), dtype=np.int64)
    for i in runs:
        agent = make_agent(np.random.default_rng(agent_seqs[i]))
        get_action, update = agent.get_action, agent.update
        mu, run_noise = means[i].tolist(), noise[:, i].tolist()  # Python floats: the cheapest reward
        chosen = [0] * n_steps
        for t in range(n_steps):
            action = get_action()
            if action.__class__ is not int or not 0 <= action < k:
                action = _checked_action(action, k)
            chosen[t] = action
            update(action, mu[action] + run_noise[t])
        actions[:, i] = chosen
    return actions


def _checked_action(action, k):
    """``action`` as a Python int if it is an integer in ``[0, k)``; a clear ValueError otherwise."""
    if isinstance(action, (int, np.integer)) and not isinstance(action, (bool, np.bool_)) and 0 <= action < k:
        return int(action)
    raise ValueError(f"an agent returned action {action!r} ({type(action).__name__}), "
                     f"expected an int in [0, {k})")


def _sums(means, noise, actions):
    """Per step: the sum over runs of the rewards, and the number of runs that pulled their best arm."""
    runs = np.arange(actions.shape[1])
    rewards = means[runs, actions] + noise  # (n_steps, n_runs)
    best = np.argmax(means, axis=1)
    return rewards.sum(axis=1), np.count_nonzero(actions == best, axis=1).astype(np.float64)


def agent_factory(agents_module, class_name, kwargs, k=K):
    """``make_agent`` for ``run_experiment``: ``rng -> agents_module.<class_name>(k, **kwargs, rng=rng)``."""
    cls = getattr(agents_module, class_name)
    return lambda rng: cls(k, **kwargs, rng=rng)


def _plot(path, title, curves, n_runs, dashed=()):
    """Two panels (average reward, % optimal action) of ``{label: (reward, optimal)}``.

    The legend sits below both panels, so that it never hides a curve.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 8), sharex=True)
    for label, (reward, optimal) in curves.items():
        style = "--" if label in dashed else "-"
        steps = np.arange(1, len(reward) + 1)
        top.plot(steps, reward, style, label=label, linewidth=1)
        bottom.plot(steps, 100 * optimal, style, label=label, linewidth=1)
    top.set_ylabel("average reward")
    bottom.set_ylabel("% optimal action")
    bottom.set_xlabel("steps")
    bottom.set_ylim(0, 100)
    top.set_title(f"{title} ({n_runs} runs)")
    for axis in (top, bottom):
        axis.grid(alpha=0.3)
    handles, labels = top.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize="small", frameon=False)
    rows = (len(labels) + 1) // 2
    fig.tight_layout(rect=(0, 0.025 + 0.03 * rows, 1, 1))
    fig.savefig(path, dpi=100)
    plt.close(fig)


# main's pool. Agents are built from (class name, keyword arguments) in each worker process,
# which imports the student's agents.py itself: nothing unpicklable crosses processes.
def _chunk(class_name, kwargs, n_runs, n_steps, seed, start, stop):
    """Runs ``start .. stop-1`` of an experiment: (reward sums, optimal counts, seconds), per step."""
    import agents  # the student's file, next to this one

    began = time.perf_counter()
    seeds = run_seeds(seed, n_runs)[start:stop]
    means, noise = _draw_testbeds(seeds, n_steps, K)
    actions = _play(agent_factory(agents, class_name, kwargs), means, noise, [a for _, a in seeds],
                    range(len(seeds)))
    reward_sum, optimal_count = _sums(means, noise, actions)
    return reward_sum, optimal_count, time.perf_counter() - began


def _configs():
    """Every distinct ``(class name, kwargs)`` the sweeps need, in the order they are plotted."""
    out = {}
    for _, _, configs in SWEEPS.values():
        for _, class_name, kwargs in configs:
            out.setdefault(_key(class_name, kwargs), (class_name, kwargs))
    out.setdefault(_key(*REALISTIC[1:]), REALISTIC[1:])
    return out


def _key(class_name, kwargs):
    return class_name, tuple(sorted(kwargs.items()))


def _default_jobs():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _format_seconds(seconds):
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def estimate_seconds(configs, n_runs, n_steps, jobs):
    """Expected wall time of ``main``: one run of each configuration, timed here, scaled up.

    Returns ``(seconds, pilot seconds)``. Parallel processes are assumed to share the work
    perfectly, so on a busy machine it is an underestimate.
    """
    began = time.perf_counter()
    work = sum(_chunk(class_name, kwargs, 1, min(n_steps, 1000), 0, 0, 1)[2] * n_steps / min(n_steps, 1000)
               for class_name, kwargs in configs.values())
    return work * n_runs / min(jobs, max(1, len(configs) * -(-n_runs // CHUNK_RUNS))), time.perf_counter() - began


def run_all(configs, n_runs, n_steps, seed, jobs, progress=True):
    """Every configuration's curves, ``{key: (mean_reward, optimal_fraction)}``, over ``jobs`` processes.

    The runs of each configuration are played in chunks of ``CHUNK_RUNS``; the sums are the
    same whatever ``jobs`` is.
    """
    tasks = [(key, start, min(start + CHUNK_RUNS, n_runs)) for key in configs
             for start in range(0, n_runs, CHUNK_RUNS)]
    sums = {key: [np.zeros(n_steps), np.zeros(n_steps)] for key in configs}
    parts = {}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), desc="chunks of runs", unit="chunk", leave=False, dynamic_ncols=True)
    if jobs <= 1:
        for key, start, stop in tasks:
            parts[(key, start)] = _chunk(*configs[key], n_runs, n_steps, seed, start, stop)
            if bar is not None:
                bar.update()
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_chunk, *configs[key], n_runs, n_steps, seed, start, stop): (key, start)
                       for key, start, stop in tasks}
            for future in as_completed(futures):
                parts[futures[future]] = future.result()
                if bar is not None:
                    bar.update()
    if bar is not None:
        bar.close()
    for key, start, _ in tasks:  # add the chunks in a fixed order: the same sums for any --jobs
        sums[key][0] += parts[(key, start)][0]
        sums[key][1] += parts[(key, start)][1]
    return {key: (reward / n_runs, optimal / n_runs) for key, (reward, optimal) in sums.items()}


def main(argv=None):
    """Run every sweep, write one plot per family and a best-of-each comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outputs", type=Path, default=Path("outputs"), help="folder for the PNG plots")
    parser.add_argument("--runs", type=int, default=None, help="independent runs per agent (default 2000)")
    parser.add_argument("--steps", type=int, default=1000, help="steps per run (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every experiment (default 0)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a quick look: {QUICK_RUNS} runs per agent instead of 2000 (noisier curves)")
    parser.add_argument("--jobs", type=int, default=_default_jobs(),
                        help="processes playing the runs (default: one per CPU, here %(default)s)")
    parser.add_argument("--no-progress", action="store_true", help="never show progress bars")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = QUICK_RUNS if args.quick else 2000
    elif args.quick:
        parser.error("--quick sets --runs; give one of them")
    if args.runs < 1 or args.steps < 1 or args.jobs < 1:
        parser.error("--runs, --steps and --jobs must be positive")

    import agents  # noqa: F401  (the student's file, next to this one: fail here, before any work)

    args.outputs.mkdir(parents=True, exist_ok=True)
    configs = _configs()
    expected, pilot = estimate_seconds(configs, args.runs, args.steps, args.jobs)
    print(f"{len(configs)} agent configurations x {args.runs} runs x {args.steps} steps, seed {args.seed}, "
          f"{args.jobs} process(es): expect about {_format_seconds(expected)} (your agents, timed on one run "
          f"each in {pilot:.1f} s).", flush=True)
    if not args.quick and args.runs > QUICK_RUNS:
        print(f"  (python testbed.py --quick: {QUICK_RUNS} runs, about "
              f"{_format_seconds(expected * QUICK_RUNS / args.runs)})", flush=True)
    began = time.perf_counter()
    show = not args.no_progress and sys.stderr.isatty()
    results = run_all(configs, args.runs, args.steps, args.seed, args.jobs, progress=show)

    def run(label, class_name, kwargs):
        return results[_key(class_name, kwargs)]

    best = {}
    print("average reward over all steps:")
    for family, (filename, title, family_configs) in SWEEPS.items():
        curves = {label: run(label, class_name, kwargs) for label, class_name, kwargs in family_configs}
        for label, (reward, optimal) in curves.items():
            print(f"  {label:<40} {reward.mean():7.4f}   ({100 * optimal[-1]:5.1f}% optimal at the last step)")
        dashed = ()
        if family == "optimistic":
            curves[REALISTIC[0]] = run(*REALISTIC)
            dashed = (REALISTIC[0],)
        _plot(args.outputs / filename, title, curves, args.runs, dashed)
        print(f"wrote {args.outputs / filename}")
        label, class_name, kwargs = max(family_configs, key=lambda config: run(*config)[0].mean())
        best[f"{title.split(' (')[0]}: {label}"] = run(label, class_name, kwargs)
    path = args.outputs / "comparison.png"
    _plot(path, "Best of each family (by average reward)", best, args.runs)
    print(f"wrote {path}")
    print(f"done in {_format_seconds(time.perf_counter() - began)} (expected {_format_seconds(expected)})")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.exit(main())
