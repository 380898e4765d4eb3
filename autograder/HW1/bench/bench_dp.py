"""Bench: the reference value iteration against a straightforward per-state loop.

Times ``value_iteration_sync`` from ``solutions/frozen_lake/dynamic_programming.py`` (model
arrays built once per call from ``env.unwrapped.P``, one vectorised backup per sweep) against
a plain loop over states, actions and transition tuples written below (and, for reference,
the same loop tuned for CPython) on a slippery random lake (``generate_random_map(size,
seed=...)``); checks that all agree (same sweep count, values within 1e-9) and prints the
CPU times and ratios. Target: reference vs loop >= 50x on a 64x64 lake at the headline
settings (gamma 0.99, tol 1e-4: some 270 sweeps). A second row shows the course's settings
(gamma 0.9, tol 1e-3: some 20 sweeps), where the reference's one-off read of
``env.unwrapped.P`` (a few ms of Python, about one loop sweep) weighs more.

Usage: ``python autograder/bench/bench_dp.py [--size 64] [--seed 0] [--gamma 0.99] [--tol 1e-4]``
(``make bench``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
for folder in (ROOT / "HW1" / "code" / "frozen_lake", ROOT / "solutions" / "HW1" / "frozen_lake"):
    sys.path.insert(0, str(folder))

import dynamic_programming  # noqa: E402  (the reference: solutions/ comes first on sys.path)
import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
from gymnasium.envs.toy_text.frozen_lake import generate_random_map  # noqa: E402


def loop_value_iteration_sync(env, gamma, max_iters=1000, tol=1e-3):
    """Synchronous value iteration written straight from the equations, as a first attempt looks.

    NumPy value arrays (as the functions must return), one state, action and tuple at a time.
    """
    P = env.unwrapped.P
    n_states, n_actions = env.observation_space.n, env.action_space.n
    V = np.zeros(n_states)
    for sweep in range(1, max_iters + 1):
        new_V = np.zeros(n_states)
        delta = 0.0
        for s in range(n_states):
            q_values = np.zeros(n_actions)
            for a in range(n_actions):
                for p, next_state, reward, terminated in P[s][a]:
                    if terminated:
                        q_values[a] += p * reward
                    else:
                        q_values[a] += p * (reward + gamma * V[next_state])
            new_V[s] = np.max(q_values)
            delta = max(delta, abs(new_V[s] - V[s]))
        V = new_V
        if delta < tol:
            return V, sweep
    return V, max_iters


def tuned_loop_value_iteration_sync(env, gamma, max_iters=1000, tol=1e-3):
    """The same loop tuned for CPython: Python lists and floats, terminal states skipped."""
    P = env.unwrapped.P
    n_states, n_actions = env.observation_space.n, env.action_space.n
    terminal = {ns for s in range(n_states) for a in range(n_actions) for _, ns, _, done in P[s][a] if done}
    V = [0.0] * n_states
    for sweep in range(1, max_iters + 1):
        new = [0.0] * n_states
        delta = 0.0
        for s in range(n_states):
            if s in terminal:
                continue
            best = None
            for a in range(n_actions):
                q = 0.0
                for p, ns, r, done in P[s][a]:
                    q += p * r if done else p * (r + gamma * V[ns])
                if best is None or q > best:
                    best = q
            new[s] = best
            delta = max(delta, abs(best - V[s]))
        V = new
        if delta < tol:
            return np.array(V), sweep
    return np.array(V), max_iters


def best_time(fn, repeats):
    times, result = [], None
    for _ in range(repeats):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    return min(times), result


IMPLEMENTATIONS = {
    "reference": lambda env, gamma, tol: dynamic_programming.value_iteration_sync(env, gamma, 100000, tol),
    "loop": lambda env, gamma, tol: loop_value_iteration_sync(env, gamma, 100000, tol),
    "tuned loop": lambda env, gamma, tol: tuned_loop_value_iteration_sync(env, gamma, 100000, tol),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=64, help="lake side (default 64)")
    parser.add_argument("--seed", type=int, default=0, help="generate_random_map seed (default 0)")
    parser.add_argument("--gamma", type=float, default=0.99, help="discount of the headline run (default 0.99)")
    parser.add_argument("--tol", type=float, default=1e-4, help="tolerance of the headline run (default 1e-4)")
    parser.add_argument("--repeats", type=int, default=5, help="best of this many reference runs (default 5)")
    parser.add_argument("--loop-repeats", type=int, default=1, help="best of this many loop runs (default 1)")
    parser.add_argument("--target", type=float, default=50.0, help="headline ratio to meet (default 50)")
    args = parser.parse_args(argv)

    env = gym.make("FrozenLake-v1", desc=generate_random_map(args.size, seed=args.seed), is_slippery=True)
    print(f"value_iteration_sync on a {args.size}x{args.size} slippery lake (generate_random_map({args.size}, "
          f"seed={args.seed})); CPU time of this process, best of {args.repeats} reference and "
          f"{args.loop_repeats} loop run(s)")
    print(f"{'settings':<24} {'sweeps':>6} {'reference':>11} {'loop':>11} {'ratio':>7} {'tuned loop':>11} {'ratio':>7}")
    agree, headline = True, None
    for gamma, tol in ((args.gamma, args.tol), (0.9, 1e-3)):
        runs = {name: best_time(lambda fn=fn, g=gamma, t=tol: fn(env, g, t), args.repeats if name == "reference"
                                else args.loop_repeats) for name, fn in IMPLEMENTATIONS.items()}
        ref_time, (ref_values, ref_sweeps) = runs["reference"]
        for name in ("loop", "tuned loop"):
            values, sweeps = runs[name][1]
            agree &= sweeps == ref_sweeps and np.allclose(values, ref_values, atol=1e-9, rtol=0)
        ratios = {name: runs[name][0] / ref_time for name in ("loop", "tuned loop")}
        headline = ratios["loop"] if headline is None else headline
        setting = f"gamma {gamma:g}, tol {tol:g}"
        print(f"{setting:<24} {ref_sweeps:>6} {ref_time * 1e3:>8.1f} ms {runs['loop'][0] * 1e3:>8.0f} ms "
              f"{ratios['loop']:>6.1f}x {runs['tuned loop'][0] * 1e3:>8.0f} ms {ratios['tuned loop']:>6.1f}x")
    verdict = "met" if headline >= args.target else "NOT met"
    print(f"headline: reference vs loop at gamma {args.gamma:g}, tol {args.tol:g}: {headline:.1f}x "
          f"(target >= {args.target:g}x: {verdict}); results agree: {'yes' if agree else 'NO'}.")
    print("Every implementation reads env.unwrapped.P; the reference does it once per call (a few ms of Python), "
          "so with few sweeps (the course's settings) that one-off read dominates its time.")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
