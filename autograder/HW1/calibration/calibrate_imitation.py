"""Calibrate the imitation-learning outcome tests (Problem 6 and the extra credit) on the reference.

For each training seed it trains the reference exactly as the grader does (the same probe
functions, ``tests/harness/probes/imitation.py``, run in this process), then drives
CartPole-v1 on 20 evaluation seeds drawn from that training seed, in lockstep, asking for
the actions as the tests do. It prints one line per run and a summary: the distribution of
the mean return over 20 episodes, the share of runs in each credit band, the full-credit
rate, and training times. Baselines show where the bands sit: BC on the 50-step
demonstration alone (what DAgger starts from) and a single-frame BC policy on (x, theta).

Learners: ``--learner reference`` (default) trains ``solutions/imitation/bc_dagger.py``;
any other name trains an independently written correct learner from
``imitation_learners.py`` (BC and DAgger: other architectures and initialisations) or
``imitation_memory_learners.py`` (the extra credit: another memory agent), with the
grader's settings of the reference unless ``--set NAME=VALUE`` overrides them. Every
record names its learner and settings; ``--summarize`` groups by them. The results are
written up in ``imitation-calibration.md`` next to this script.

Examples::

    python autograder/calibration/calibrate_imitation.py --seeds 200             # BC and DAgger
    python autograder/calibration/calibrate_imitation.py --learner relu16 --set BC_EPOCHS=30 --seeds 50
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

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
SETTINGS = ("BC_EPOCHS", "DAGGER_ITERATIONS", "DAGGER_EPISODES_PER_ITERATION", "DAGGER_EPOCHS")
BANDS = ((475.0, 1.0), (400.0, 0.75), (300.0, 0.5), (200.0, 0.25))
KINDS = ("bc", "dagger", "memory", "memory2", "bc50", "single-frame")
# memory2: the extra credit's sequential rule (tests/harness/cartpole.py, SECOND_TRAIN_SEED): when the
# agent trained with seed s misses the bar, the grader trains once more with another seed and grades the
# better run on the same evaluation seeds. Here the second run of s trains seed s + SECOND_SEED_OFFSET
# (never a first seed of a 200-seed calibration) and is evaluated on eval_seeds(s).
SECOND_SEED_OFFSET = 1000
EVAL_EPISODES = 20
OBSERVED = [0, 2]
SINGLE_FRAME_EPOCHS = 30  # the single-frame baseline's epochs (BC_EPOCHS when it was measured)
BC50_EPOCHS = 160  # the bc50 baseline's epochs (DAGGER_ITERATIONS x DAGGER_EPOCHS then, 8 x 20)


def _set_paths(solutions: Path, given: Path) -> None:
    sys.path[:0] = [str(solutions / "imitation"), str(solutions / "networks"), str(given / "imitation"),
                    str(ROOT / "tests"), str(ROOT / "tests" / "HW1")]


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


_REFERENCE = None


def use_learner(learner: str, overrides: dict[str, int]) -> dict[str, int]:
    """Make ``import bc_dagger`` (what the probes import) give ``learner``; apply ``overrides``.

    Returns the grader settings in force.
    """
    import importlib

    global _REFERENCE
    if _REFERENCE is None:  # sys.modules["bc_dagger"] may hold another learner afterwards
        _REFERENCE = importlib.import_module("bc_dagger")
    reference = _REFERENCE
    if learner == "reference":
        module = reference
    else:
        sys.path.insert(0, str(HERE))
        import imitation_learners
        import imitation_memory_learners

        if learner in imitation_learners.ARCHITECTURES:
            imitation_learners.configure(learner)
            module = imitation_learners
        elif learner in imitation_memory_learners.LEARNERS:
            # The extra credit: the reference for BC and DAgger, another memory agent.
            imitation_memory_learners.configure(learner)
            reference.train_memory_agent = imitation_memory_learners.train_memory_agent
            module = reference
        else:
            raise ValueError(f"unknown learner {learner!r}; choose from {learner_names()}")
    for name, value in overrides.items():
        if name not in SETTINGS:
            raise ValueError(f"unknown setting {name!r}; choose from {SETTINGS}")
        setattr(module, name, int(value))
    sys.modules["bc_dagger"] = module
    return {name: int(getattr(module, name)) for name in SETTINGS}


def learner_names() -> list[str]:
    sys.path.insert(0, str(HERE))
    import imitation_learners
    import imitation_memory_learners

    return ["reference", *imitation_learners.ARCHITECTURES, *imitation_memory_learners.LEARNERS]


def run_one(kind: str, train_seed: int) -> dict:
    from probes import imitation as probes

    seeds = eval_seeds(train_seed)
    cpu_start = time.process_time()
    if kind in ("bc", "dagger"):
        trained = (probes.train_bc_outcome if kind == "bc" else probes.train_dagger_outcome)(train_seed)
        cpu_seconds = time.process_time() - cpu_start
        returns = drive(lambda index, obs: probes.act_batch(trained["handle"], obs), seeds)
        del probes._REGISTRY[trained["handle"]]
    elif kind in ("memory", "memory2"):
        trained = probes.train_memory_outcome(train_seed + (SECOND_SEED_OFFSET if kind == "memory2" else 0))
        cpu_seconds = time.process_time() - cpu_start
        probes.memory_agent_reset(trained["handle"], len(seeds))
        returns = drive(lambda index, obs: probes.memory_agent_act(trained["handle"], index, obs), seeds,
                        partial=True)
        del probes._REGISTRY[trained["handle"]]
    else:
        trained, returns = _baseline(kind, train_seed, seeds)
        cpu_seconds = trained["seconds"]
    # seconds: training wall time (as the grader measures it); cpu_seconds: the CPU time of
    # this process while training, which a busy shared machine does not inflate.
    record = {"kind": kind, "train_seed": train_seed, "mean": float(np.mean(returns)),
              "min": float(np.min(returns)), "seconds": trained["seconds"], "cpu_seconds": cpu_seconds}
    if kind == "memory2":
        record["second_seed"] = train_seed + SECOND_SEED_OFFSET
    return record


def _baseline(kind: str, train_seed: int, seeds: list[int]):
    """BC on the 50-step demonstration alone, or single-frame BC on (x, theta): the bands' floor."""
    import bc_dagger
    import gymnasium
    import torch

    from probes import imitation as probes

    start = time.perf_counter()
    if kind == "bc50":
        short = gymnasium.make("CartPole-v1", max_episode_steps=50)
        obs, actions = probes._staff_rollouts(short, 1, train_seed * 1000)
        # As many epochs as DAgger trained on the 50 states it starts from (8 x 20) when the
        # numbers in the tests' docstrings (median 113) were measured; fixed so they stay valid.
        epochs = BC50_EPOCHS
        torch.manual_seed(train_seed)
        policy = bc_dagger.make_policy()
    else:
        obs, actions = probes._staff_rollouts(gymnasium.make("CartPole-v1"), 5, train_seed * 1000)
        obs = obs[:, OBSERVED]
        epochs = SINGLE_FRAME_EPOCHS
        torch.manual_seed(train_seed)
        policy = bc_dagger.make_policy(obs_dim=2, n_actions=2)
    bc_dagger.train_bc(policy, obs, actions, epochs, seed=train_seed)
    seconds = time.perf_counter() - start
    returns = drive(lambda index, rows: [bc_dagger.act(policy, row) for row in rows], seeds,
                    partial=kind == "single-frame")
    return {"seconds": seconds}, returns


def group_key(record: dict) -> tuple:
    """Runs are summarised per (learner, kind, settings); older records are the reference's."""
    settings = record.get("settings", {})
    relevant = ("BC_EPOCHS",) if record["kind"] in ("bc", "single-frame") else (
        SETTINGS[1:] if record["kind"] == "dagger" else ())
    return (_learner(record), record["kind"],
            tuple((name, settings[name]) for name in relevant if name in settings))


def _learner(record: dict) -> str:
    """The learner's name, with the code revision it was run on where one was recorded (``--variant``)."""
    name = record.get("learner", "reference")
    return f"{name} ({record['variant']})" if record.get("variant") else name


def summarize(records: list[dict]) -> None:
    groups: dict[tuple, list[dict]] = {}
    for record in records:
        groups.setdefault(group_key(record), []).append(record)
    for (learner, kind, settings), runs in sorted(groups.items(), key=lambda item: (KINDS.index(item[0][1]),
                                                                                     item[0][0], item[0][2])):
        means = np.array([r["mean"] for r in runs])
        seconds = np.array([r["seconds"] for r in runs if r["seconds"] is not None])
        full = int((means >= BANDS[0][0]).sum())
        shown = " ".join(f"{name}={value}" for name, value in settings)
        print(f"\n== {learner} {kind} {shown}: {len(runs)} training seeds, "
              f"mean return over {EVAL_EPISODES} episodes each")
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
        if len(seconds):
            cpu = [r["cpu_seconds"] for r in runs if r.get("cpu_seconds") is not None]
            print(f"   training seconds ({len(seconds)} runs one at a time): mean {seconds.mean():.2f}, "
                  f"max {seconds.max():.2f}"
                  + (f"; CPU seconds: mean {np.mean(cpu):.2f}, max {np.max(cpu):.2f}" if cpu else ""))
    rule = sequential_rule(records)
    if rule:
        print("\n== the extra credit's sequential rule (a second training seed only where the first misses)")
        for line in rule:
            print("   " + line)


def sequential_rule(records: list[dict]) -> list[str]:
    """The extra credit's rule per learner: a training seed passes when its first run reaches the bar,
    or else its second run (``memory2``, another training seed, the same evaluation seeds) does."""
    lines = []
    learners = sorted({_learner(r) for r in records if r["kind"] == "memory"})
    for learner in learners:
        mine = [r for r in records if _learner(r) == learner]
        first = {r["train_seed"]: r for r in mine if r["kind"] == "memory"}
        second = {r["train_seed"]: r for r in mine if r["kind"] == "memory2"}
        misses = sorted(s for s, r in first.items() if r["mean"] < BANDS[0][0])
        rescued = [s for s in misses if s in second and second[s]["mean"] >= BANDS[0][0]]
        failed = [s for s in misses if s in second and second[s]["mean"] < BANDS[0][0]]
        unmeasured = [s for s in misses if s not in second]
        text = (f"{learner}: {len(first) - len(misses)}/{len(first)} at full credit on the first run; with the "
                f"second training seed where the first missed: {len(first) - len(misses) + len(rescued)}/{len(first)}")
        if any(m in second for m in misses):
            text += ("; second runs: " + ", ".join(
                f"seed {s}: {first[s]['mean']:.1f} then {second[s]['mean']:.1f}" for s in misses if s in second))
        if failed:
            text += f"; both runs missed on seeds {failed}"
        if unmeasured:
            text += f"; second run not measured for seeds {unmeasured}"
        lines.append(text)
    return lines


def markdown_table(records: list[dict]) -> str:
    """One row per (learner, kind, settings): runs, full-credit rate, lowest / 5th percentile /
    median mean return, runs with an episode below 500, and training time one at a time."""
    groups: dict[tuple, list[dict]] = {}
    for record in records:
        groups.setdefault(group_key(record), []).append(record)
    lines = ["| learner | kind | settings | runs | full credit (>= 475) | lowest | p5 | median | "
             "runs with an episode < 500 | training s (CPU s), one at a time |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for (learner, kind, settings), runs in sorted(groups.items(), key=lambda item: (
            KINDS.index(item[0][1]), item[0][0], item[0][2])):
        means = np.array([r["mean"] for r in runs])
        full = int((means >= BANDS[0][0]).sum())
        timed = [r for r in runs if r.get("seconds") is not None]
        timing = (f"{np.mean([r['seconds'] for r in timed]):.1f} ({np.mean([r['cpu_seconds'] for r in timed]):.1f})"
                  f", {len(timed)} runs" if timed and all(r.get("cpu_seconds") is not None for r in timed) else "")
        shown = ", ".join(f"{name}={value}" for name, value in settings) or "-"
        lines.append(f"| {learner} | {kind} | {shown} | {len(runs)} | {full}/{len(runs)} | {means.min():.1f} | "
                     f"{np.percentile(means, 5):.1f} | {np.median(means):.1f} | "
                     f"{int(sum(r['min'] < 500.0 for r in runs))} | {timing} |")
    if all(line.endswith("|  |") for line in lines[2:]):  # no run was timed: drop the empty column
        lines = [line.rsplit(" |", 2)[0] + " |" for line in lines]
    return "\n".join(lines)


def _read_text(path: Path) -> str:
    """A JSONL file, plain or gzip-compressed (``.gz``, as the committed run records are)."""
    if path.suffix == ".gz":
        import gzip

        with gzip.open(path, "rt") as handle:
            return handle.read()
    return path.read_text()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--seeds", type=int, default=200, help="number of training seeds (default 200)")
    parser.add_argument("--start", type=int, default=0, help="first training seed (default 0)")
    parser.add_argument("--learner", default="reference",
                        help="reference (default), or an independently written learner: "
                             "see imitation_learners.py and imitation_memory_learners.py")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help=f"a grader setting for this run, one of {', '.join(SETTINGS)} (repeatable)")
    parser.add_argument("--kinds", default="bc,dagger",
                        help=f"comma-separated, from {', '.join(KINDS)} (default bc,dagger)")
    parser.add_argument("--jsonl", type=Path, default=None, help="append one JSON record per run to this file")
    parser.add_argument("--summarize", type=Path, nargs="+", default=None,
                        help="only summarise the records in these JSONL files")
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions" / "HW1", help="reference folder")
    parser.add_argument("--given", type=Path, default=ROOT / "HW1" / "code", help="given files folder")
    parser.add_argument("--quiet", action="store_true", help="no line per run")
    parser.add_argument("--variant", default="",
                        help="a name for the code revision measured (recorded; --summarize keeps variants apart)")
    parser.add_argument("--markdown", action="store_true", help="with --summarize: print one Markdown table")
    args = parser.parse_args(argv)

    if args.summarize:
        records = [json.loads(line) for path in args.summarize for line in _read_text(path).splitlines() if line]
        unique = {(group_key(r), r["train_seed"]): r for r in records}  # chunks may overlap: one run per seed
        if args.markdown:
            print(markdown_table(list(unique.values())))
            for line in sequential_rule(list(unique.values())):
                print(f"\nSequential rule, {line}")
        else:
            summarize(list(unique.values()))
        return 0
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown kinds {unknown}; choose from {KINDS}")

    overrides = {}
    for item in args.overrides:
        name, _, value = item.partition("=")
        if not value.strip().lstrip("-").isdigit():
            parser.error(f"--set expects NAME=INTEGER, got {item!r}")
        overrides[name.strip()] = int(value)
    _set_paths(args.solutions, args.given)
    import torch

    torch.set_num_threads(1)
    try:
        settings = use_learner(args.learner, overrides)
    except ValueError as error:
        parser.error(str(error))
    records = []
    for train_seed in range(args.start, args.start + args.seeds):
        for kind in kinds:
            record = {"learner": args.learner, **run_one(kind, train_seed), "settings": settings}
            if args.variant:
                record["variant"] = args.variant
            records.append(record)
            if not args.quiet:
                print(f"{args.learner} {kind:>12} seed {train_seed:4d}: mean {record['mean']:6.1f}  "
                      f"min {record['min']:6.1f}  train {record['seconds']:5.2f} s "
                      f"({record['cpu_seconds']:5.2f} s CPU)", flush=True)
            if args.jsonl is not None:
                with args.jsonl.open("a") as handle:
                    handle.write(json.dumps(record) + "\n")
    summarize(records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
