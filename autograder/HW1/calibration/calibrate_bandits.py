"""Calibrate Problem 3's statistical hidden tests on the reference agents.

``python autograder/calibration/calibrate_bandits.py --help``. Two modes:

* ``seeds``: the reference over many testbed seeds (default 200 from 1000): how the
  statistics vary with the problem instance;
* ``hidden``: the hidden tests' own testbeds with 200 other agent seeds: what a correct
  student whose agent draws its random numbers in another order would get.

Prints mean, standard deviation and minimum of each statistic; the margins in
``autograder/hidden/bandits/test_agents_hidden.py`` sit several standard deviations below.
``--margins`` also prints the reference's pass rate at the hidden tests' margins, and
``--only early`` restricts both modes to the 50-step optimistic statistics (seconds, not
the long 1000-step runs).
"""

import argparse
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT / "solutions" / "HW1" / "bandits"), str(ROOT / "HW1" / "code" / "bandits")]
import agents  # noqa: E402
import testbed  # noqa: E402

HIDDEN_SEED, HIDDEN_EARLY_SEED = 424242, 8675309
# Sutton & Barto figure 2.3's optimistic greedy agent (constant step size), as the hidden test runs it.
OPTIMISTIC = {"epsilon": 0.0, "initial_value": 5.0, "step_size": 0.1}
# The hidden tests' margins: statistic -> smallest passing value.
MARGINS = {"eps0.1 - greedy": 0.12, "ucb - eps0.1 (late)": 0.07, "optimistic jump": 0.18, "optimistic drop": 0.15}


def _factory(name, kwargs):
    return testbed.agent_factory(agents, name, kwargs)


def early_statistics(optimal):
    """The optimistic agent's spike: step 11 minus steps 1-10 (jump), step 11 minus steps 12-20 (drop)."""
    return {"optimistic jump": optimal[10] - optimal[:10].mean(),
            "optimistic drop": optimal[10] - optimal[11:20].mean()}


def over_seeds(seed, runs=200, steps=1000, early_steps=50, only_early=False):
    _, oo = testbed.run_experiment(_factory("EpsilonGreedyAgent", OPTIMISTIC), runs, early_steps, seed)
    if only_early:
        return early_statistics(oo)
    r01, _ = testbed.run_experiment(_factory("EpsilonGreedyAgent", {"epsilon": 0.1}), runs, steps, seed)
    r0, _ = testbed.run_experiment(_factory("EpsilonGreedyAgent", {"epsilon": 0.0}), runs, steps, seed)
    ru, _ = testbed.run_experiment(_factory("UCBAgent", {"c": 2.0}), runs, steps, seed)
    half = steps // 2
    return {"eps0.1 - greedy": r01.mean() - r0.mean(), "ucb - eps0.1 (late)": ru[half:].mean() - r01[half:].mean(),
            **early_statistics(oo)}


def at_hidden_seeds(agent_seed, only_early=False):
    # The optimistic greedy agent draws nothing: on the hidden seed every correct submission gets
    # the reference's statistics, whatever its random draws (they are reported for the record).
    _, oo = testbed.run_experiment(_factory("EpsilonGreedyAgent", OPTIMISTIC), 200, 50, HIDDEN_EARLY_SEED)
    if only_early:
        return early_statistics(oo)
    sequence = np.random.SeedSequence([777, agent_seed])
    make = lambda rng: agents.EpsilonGreedyAgent(10, 0.1, rng=np.random.default_rng(sequence.spawn(1)[0]))  # noqa: E731
    r0, _ = testbed.run_experiment(_factory("EpsilonGreedyAgent", {"epsilon": 0.0}), 200, 1000, HIDDEN_SEED)
    ru, _ = testbed.run_experiment(_factory("UCBAgent", {"c": 2.0}), 200, 1000, HIDDEN_SEED)
    r01, _ = testbed.run_experiment(make, 200, 1000, HIDDEN_SEED)
    return {"eps0.1 - greedy": r01.mean() - r0.mean(), "ucb - eps0.1 (late)": ru[500:].mean() - r01[500:].mean(),
            **early_statistics(oo)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["seeds", "hidden"])
    parser.add_argument("--n", type=int, default=200, help="number of seeds (default 200)")
    parser.add_argument("--start", type=int, default=1000, help="first testbed seed in 'seeds' mode")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", choices=["early"], default=None,
                        help="only the 50-step optimistic statistics (jump and drop)")
    args = parser.parse_args(argv)
    started = time.time()
    fn, seeds = (over_seeds, range(args.start, args.start + args.n)) if args.mode == "seeds" else \
        (at_hidden_seeds, range(args.n))
    with Pool(args.jobs) as pool:
        rows = pool.starmap(fn, [(seed, 200, 1000, 50, args.only == "early") if args.mode == "seeds" else
                                 (seed, args.only == "early") for seed in seeds])
    for key in rows[0]:
        values = np.array([row[key] for row in rows])
        passing = f"  pass rate at >= {MARGINS[key]:g}: {int((values >= MARGINS[key]).sum())}/{len(values)}" \
            if key in MARGINS else ""
        print(f"{key:22s} mean {values.mean():.4f}  sd {values.std(ddof=1):.4f}  min {values.min():.4f}  "
              f"max {values.max():.4f}{passing}")
    print(f"{len(rows)} seeds in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
