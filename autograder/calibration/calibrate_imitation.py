"""Calibrate the imitation-learning outcome tests (Problem 6 and the extra credit) on the reference.

For each training seed it trains the reference exactly as the grader does (the same probe
functions, ``tests/harness/probes/imitation.py``, run in this process), then drives
CartPole-v1 on 20 evaluation seeds drawn from that training seed, in lockstep, asking for
the actions as the tests do. It prints one line per run and a summary: the distribution of
the mean return over 20 episodes, the share of runs in each credit band, the full-credit
rate, and training times. Baselines show where the bands sit: BC on the 50-step
demonstration alone (what DAgger starts from) and a single-frame BC policy on (x, theta).

Examples::

    python autograder/calibration/calibrate_imitation.py --seeds 200             # BC and DAgger
    python autograder/calibration/calibrate_imitation.py --kinds memory --seeds 200
    taskset -c 0 python autograder/calibration/calibrate_imitation.py --seeds 50 --start 150 --jsonl runs.jsonl
    python autograder/calibration/calibrate_imitation.py --summarize runs-*.jsonl

Run it with one thread per process (it sets ``torch.set_num_threads(1)``) and, for
timings, pinned to one core (``taskset -c 0``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
BANDS = ((475.0, 1.0), (400.0, 0.75), (300.0, 0.5), (200.0, 0.25))
KINDS = ("bc", "dagger", "memory", "bc50", "single-frame")
EVAL_EPISODES = 20
OBSERVED = [0, 2]


def _set_paths(solutions: Path, given: Path) -> None:
    sys.path[:0] = [str(solutions / "imitation"), str(solutions / "networks"), str(given / "imitation"),
                    str(ROOT / "tests")]


def band_credit(mean_return: float) -> float:
    for bar, fraction in BANDS:
        if mean_return >= bar:
            return fraction
    return 0.0


def eval_seeds(train_seed: int) -> list[int]:
    return [int(s) for s in np.random.default_rng([train_seed, 20240101]).integers(0, 2**31 - 1, EVAL_EPISODES)]


def drive(act_batch, seeds, partial=False) -> np.ndarray:
    """The tests' lockstep driver: one CartPole-v1 per seed, one batched action query per step."""
    import gymnasium

    envs = [gymnasium.make("CartPole-v1") for _ in seeds]
    obs = np.stack([env.reset(seed=s)[0] for env, s in zip(envs, seeds)]).astype(np.float32)
    returns, active = np.zeros(len(seeds)), np.ones(len(seeds), dtype=bool)
    while active.any():
        index = np.flatnonzero(active)
        shown = obs[index][:, OBSERVED] if partial else obs[index]
        actions = act_batch(index, shown)
        for j, i in enumerate(index):
            state, reward, terminated, truncated, _ = envs[i].step(int(actions[j]))
            obs[i] = state
            returns[i] += reward
            active[i] = not (terminated or truncated)
    return returns


def run_one(kind: str, train_seed: int) -> dict:
    from harness.probes import imitation as probes

    seeds = eval_seeds(train_seed)
    if kind in ("bc", "dagger"):
        trained = (probes.train_bc_outcome if kind == "bc" else probes.train_dagger_outcome)(train_seed)
        returns = drive(lambda index, obs: probes.act_batch(trained["handle"], obs), seeds)
        del probes._REGISTRY[trained["handle"]]
    elif kind == "memory":
        trained = probes.train_memory_outcome(train_seed)
        probes.memory_agent_reset(trained["handle"], len(seeds))
        returns = drive(lambda index, obs: probes.memory_agent_act(trained["handle"], index, obs), seeds,
                        partial=True)
        del probes._REGISTRY[trained["handle"]]
    else:
        trained, returns = _baseline(kind, train_seed, seeds)
    return {"kind": kind, "train_seed": train_seed, "mean": float(np.mean(returns)),
            "min": float(np.min(returns)), "seconds": trained["seconds"]}


def _baseline(kind: str, train_seed: int, seeds: list[int]):
    """BC on the 50-step demonstration alone, or single-frame BC on (x, theta): the bands' floor."""
    import bc_dagger
    import gymnasium
    import torch

    from harness.probes import imitation as probes

    start = time.perf_counter()
    if kind == "bc50":
        short = gymnasium.make("CartPole-v1", max_episode_steps=50)
        obs, actions = probes._staff_rollouts(short, 1, train_seed * 1000)
        # As many gradient steps as DAgger gets, on the 50 states it starts from.
        epochs = bc_dagger.DAGGER_EPOCHS * bc_dagger.DAGGER_ITERATIONS
        torch.manual_seed(train_seed)
        policy = bc_dagger.make_policy()
    else:
        obs, actions = probes._staff_rollouts(gymnasium.make("CartPole-v1"), 5, train_seed * 1000)
        obs = obs[:, OBSERVED]
        epochs = bc_dagger.BC_EPOCHS
        torch.manual_seed(train_seed)
        policy = bc_dagger.make_policy(obs_dim=2, n_actions=2)
    bc_dagger.train_bc(policy, obs, actions, epochs, seed=train_seed)
    seconds = time.perf_counter() - start
    returns = drive(lambda index, rows: [bc_dagger.act(policy, row) for row in rows], seeds,
                    partial=kind == "single-frame")
    return {"seconds": seconds}, returns


def summarize(records: list[dict]) -> None:
    for kind in KINDS:
        runs = [r for r in records if r["kind"] == kind]
        if not runs:
            continue
        means = np.array([r["mean"] for r in runs])
        seconds = np.array([r["seconds"] for r in runs])
        full = int((means >= BANDS[0][0]).sum())
        print(f"\n== {kind}: {len(runs)} training seeds, mean return over {EVAL_EPISODES} episodes each")
        print(f"   distribution: min {means.min():.1f}  p1 {np.percentile(means, 1):.1f}  "
              f"p5 {np.percentile(means, 5):.1f}  median {np.median(means):.1f}  max {means.max():.1f}")
        worst = sorted(runs, key=lambda r: r["mean"])[:5]
        print("   lowest runs: " + ", ".join(f"seed {r['train_seed']}: {r['mean']:.1f}" for r in worst))
        print("   credit bands: " + ", ".join(
            f">= {bar:g}: {int(((means >= bar) & (means < upper)).sum())}"
            for (bar, _), upper in zip(BANDS, (np.inf,) + tuple(b for b, _ in BANDS[:-1])))
            + f", below {BANDS[-1][0]:g}: {int((means < BANDS[-1][0]).sum())}")
        print(f"   full-credit rate: {full}/{len(runs)} = {full / len(runs):.2%}"
              + (f" (95% upper bound on the failure rate: {3 / len(runs):.2%}, rule of three)"
                 if full == len(runs) and len(runs) >= 30 else ""))
        below = int(sum(r["min"] < 500.0 for r in runs))
        print(f"   runs with an episode below 500: {below}/{len(runs)}")
        print(f"   training seconds: mean {seconds.mean():.2f}, max {seconds.max():.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--seeds", type=int, default=200, help="number of training seeds (default 200)")
    parser.add_argument("--start", type=int, default=0, help="first training seed (default 0)")
    parser.add_argument("--kinds", default="bc,dagger",
                        help=f"comma-separated, from {', '.join(KINDS)} (default bc,dagger)")
    parser.add_argument("--jsonl", type=Path, default=None, help="append one JSON record per run to this file")
    parser.add_argument("--summarize", type=Path, nargs="+", default=None,
                        help="only summarise the records in these JSONL files")
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions", help="reference folder")
    parser.add_argument("--given", type=Path, default=ROOT / "HW1" / "code", help="given files folder")
    parser.add_argument("--quiet", action="store_true", help="no line per run")
    args = parser.parse_args(argv)

    if args.summarize:
        records = [json.loads(line) for path in args.summarize for line in path.read_text().splitlines() if line]
        unique = {(r["kind"], r["train_seed"]): r for r in records}  # chunks may overlap: one run per seed
        summarize(list(unique.values()))
        return 0
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown kinds {unknown}; choose from {KINDS}")

    _set_paths(args.solutions, args.given)
    import torch

    torch.set_num_threads(1)
    records = []
    for train_seed in range(args.start, args.start + args.seeds):
        for kind in kinds:
            record = run_one(kind, train_seed)
            records.append(record)
            if not args.quiet:
                print(f"{kind:>12} seed {train_seed:4d}: mean {record['mean']:6.1f}  min {record['min']:6.1f}  "
                      f"train {record['seconds']:5.2f} s", flush=True)
            if args.jsonl is not None:
                with args.jsonl.open("a") as handle:
                    handle.write(json.dumps(record) + "\n")
    summarize(records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
