"""Calibrate Problem 3's statistical hidden tests on the reference agents.

``python autograder/calibration/calibrate_bandits.py --help``. Two modes:

* ``seeds``: the reference over many testbed seeds (default 200 from 1000): how the
  statistics vary with the problem instance;
* ``hidden``: the hidden tests' own testbeds with 200 other agent seeds: what a correct
  student whose agent draws its random numbers in another order would get.

Prints mean, standard deviation and minimum of each statistic; the margins in
``autograder/hidden/bandits/test_agents_hidden.py`` sit several standard deviations below.
"""

import argparse
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "solutions" / "bandits"), str(ROOT / "HW1" / "code" / "bandits")]
import agents  # noqa: E402
import testbed  # noqa: E402

HIDDEN_SEED, HIDDEN_EARLY_SEED = 424242, 8675309


def _factory(name, kwargs):
    return testbed.agent_factory(agents, name, kwargs)


def over_seeds(seed, runs=200, steps=1000, early_steps=50):
    r01, _ = testbed.run_experiment(_factory("EpsilonGreedyAgent", {"epsilon": 0.1}), runs, steps, seed)
    r0, _ = testbed.run_experiment(_factory("EpsilonGreedyAgent", {"epsilon": 0.0}), runs, steps, seed)
    ru, _ = testbed.run_experiment(_factory("UCBAgent", {"c": 2.0}), runs, steps, seed)
    _, oo = testbed.run_experiment(_factory("EpsilonGreedyAgent", {"epsilon": 0.0, "initial_value": 5.0}),
                                   runs, early_steps, seed)
    _, orr = testbed.run_experiment(_factory("EpsilonGreedyAgent", {"epsilon": 0.1}), runs, early_steps, seed)
    half = steps // 2
    return {"eps0.1 - greedy": r01.mean() - r0.mean(), "ucb - eps0.1 (late)": ru[half:].mean() - r01[half:].mean(),
            "optimistic jump": oo[10] - oo[:10].mean(), "optimistic lead": oo[10:].mean() - orr[10:].mean()}


def at_hidden_seeds(agent_seed):
    sequence = np.random.SeedSequence([777, agent_seed])
    make = lambda rng: agents.EpsilonGreedyAgent(10, 0.1, rng=np.random.default_rng(sequence.spawn(1)[0]))  # noqa: E731
    r0, _ = testbed.run_experiment(_factory("EpsilonGreedyAgent", {"epsilon": 0.0}), 200, 1000, HIDDEN_SEED)
    ru, _ = testbed.run_experiment(_factory("UCBAgent", {"c": 2.0}), 200, 1000, HIDDEN_SEED)
    _, oo = testbed.run_experiment(_factory("EpsilonGreedyAgent", {"epsilon": 0.0, "initial_value": 5.0}),
                                   200, 50, HIDDEN_EARLY_SEED)
    r01, _ = testbed.run_experiment(make, 200, 1000, HIDDEN_SEED)
    _, orr = testbed.run_experiment(make, 200, 50, HIDDEN_EARLY_SEED)
    return {"eps0.1 - greedy": r01.mean() - r0.mean(), "ucb - eps0.1 (late)": ru[500:].mean() - r01[500:].mean(),
            "optimistic lead": oo[10:].mean() - orr[10:].mean()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["seeds", "hidden"])
    parser.add_argument("--n", type=int, default=200, help="number of seeds (default 200)")
    parser.add_argument("--start", type=int, default=1000, help="first testbed seed in 'seeds' mode")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    started = time.time()
    fn, seeds = (over_seeds, range(args.start, args.start + args.n)) if args.mode == "seeds" else \
        (at_hidden_seeds, range(args.n))
    with Pool(args.jobs) as pool:
        rows = pool.map(fn, seeds)
    for key in rows[0]:
        values = np.array([row[key] for row in rows])
        print(f"{key:22s} mean {values.mean():.4f}  sd {values.std(ddof=1):.4f}  min {values.min():.4f}  "
              f"max {values.max():.4f}")
    print(f"{len(rows)} seeds in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
