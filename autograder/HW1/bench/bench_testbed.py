"""Bench: the given bandit testbed's sweep, before (one process, all runs in lockstep) and after.

``python autograder/bench/bench_testbed.py [--runs 200] [--steps 1000] [--jobs N]`` (``make bench``).

Runs every agent configuration of ``testbed.py``'s plots (the reference agents of
``solutions/bandits/agents.py``) twice:

- before: the harness as it was, kept below (``lockstep_run_experiment``): one process, all
  runs stepped together, a NumPy array built per step, configurations one after another;
- after: ``testbed.run_all``, which plays each run to its end and spreads chunks of runs
  over ``--jobs`` processes (what ``python testbed.py`` does).

Checks that both give the same curves (within 1e-9) and prints wall and CPU seconds and the
ratio. The work grows linearly with ``--runs x --steps``: the default, a tenth of the book's
2000 runs, keeps the bench short; ``--runs 2000`` measures the book's settings. Wall time
depends on what else runs on the machine: the two harnesses run one after the other, so
compare them within one bench run.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT / "solutions" / "HW1" / "bandits"), str(ROOT / "HW1" / "code" / "bandits")]
import agents  # noqa: E402  (the reference agents: solutions/ comes first)
import numpy as np  # noqa: E402
import testbed  # noqa: E402


def lockstep_run_experiment(make_agent, n_runs, n_steps, seed, k=testbed.K):
    """The testbed's harness before: every run stepped together, one NumPy reward array per step."""
    means, noise = testbed.make_testbeds(seed, n_runs, n_steps, k)
    best = np.argmax(means, axis=1)
    agent_list = [make_agent(np.random.default_rng(agent_seq)) for _, agent_seq in testbed.run_seeds(seed, n_runs)]
    get_actions = [agent.get_action for agent in agent_list]
    updates = [agent.update for agent in agent_list]
    runs = np.arange(n_runs)
    reward_sum = np.zeros(n_steps)
    optimal_count = np.zeros(n_steps)
    for t in range(n_steps):
        actions = np.array([get_action() for get_action in get_actions], dtype=np.int64)
        rewards = means[runs, actions] + noise[t]
        for update, action, reward in zip(updates, actions.tolist(), rewards.tolist()):
            update(action, reward)
        reward_sum[t] = rewards.sum()
        optimal_count[t] = np.count_nonzero(actions == best)
    return reward_sum / n_runs, optimal_count / n_runs


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per configuration (default 200; the book: 2000)")
    parser.add_argument("--steps", type=int, default=1000, help="steps per run (default 1000)")
    parser.add_argument("--jobs", type=int, default=testbed._default_jobs(),
                        help="processes for the new harness (default: one per CPU, here %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    configs = testbed._configs()
    print(f"bandit testbed: {len(configs)} configurations x {args.runs} runs x {args.steps} steps "
          f"(reference agents), {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")

    wall, cpu = time.perf_counter(), _cpu_seconds()
    expected, _ = testbed.estimate_seconds(configs, args.runs, args.steps, args.jobs)
    estimate_wall = time.perf_counter() - wall
    wall, cpu = time.perf_counter(), _cpu_seconds()
    after = testbed.run_all(configs, args.runs, args.steps, args.seed, args.jobs, progress=False)
    after_wall, after_cpu = time.perf_counter() - wall, _cpu_seconds() - cpu

    wall, cpu = time.perf_counter(), _cpu_seconds()
    before = {key: lockstep_run_experiment(testbed.agent_factory(agents, *config), args.runs, args.steps, args.seed)
              for key, config in configs.items()}
    before_wall, before_cpu = time.perf_counter() - wall, _cpu_seconds() - cpu

    worst = max(float(np.max(np.abs(np.asarray(before[key]) - np.asarray(after[key])))) for key in configs)
    same = "same curves" if worst <= 1e-9 else "CURVES DIFFER"
    print(f"  before (lockstep, 1 process):        wall {before_wall:7.1f} s   CPU {before_cpu:7.1f} s")
    print(f"  after  (run by run, {args.jobs} process(es)): wall {after_wall:7.1f} s   CPU {after_cpu:7.1f} s"
          f"   (its printed estimate: {expected:.1f} s, made in {estimate_wall:.1f} s)")
    print(f"  wall-time speed-up {before_wall / after_wall:.2f}x, CPU {before_cpu / after_cpu:.2f}x; "
          f"{same} (largest difference {worst:.1e})")
    scale = 2000 * 1000 / (args.runs * args.steps)
    if scale != 1:
        print(f"  at the book's 2000 x 1000 (x{scale:g}): before about {before_wall * scale / 60:.1f} min, "
              f"after about {after_wall * scale / 60:.1f} min of wall time")
    return 0 if worst <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
