"""Calibrate BC and DAgger over hundreds of training seeds at once: many seeds, one process.

``calibrate_imitation.py`` runs the grader's code path (the probes, one training seed at a
time): about 1 s of CPU per BC run at 30 epochs and 5 to 10 s per DAgger run, far too slow
for 200 seeds x several learners x several settings on one core. This script computes
the same runs for all training seeds together, exactly as the grader would run them one
by one, only batched:

- the networks are the learner's own ``make_policy()`` (``torch.manual_seed(seed)``
  first, as the grader does), stacked with ``torch.func.stack_module_state`` and run
  with ``torch.vmap``, so every seed keeps its own weights;
- ``train_bc`` is the documented loop (Adam with lr 1e-3 and PyTorch's defaults, mean
  cross-entropy, batches of 64 from ``torch.randperm(N, generator=g)`` with ``g`` seeded
  once per call), with Adam written out elementwise so that a seed whose epoch has no
  batch left is not stepped (DAgger's data sizes differ between seeds);
- CartPole-v1 is stepped in NumPy, vectorised over all environments, with Gymnasium's
  own equations (``gymnasium.envs.classic_control.cartpole``) from the states that
  ``reset(seed=s)`` gives; the expert's demonstrations come from Gymnasium itself (the
  probes' ``_staff_rollouts``); the evaluation seeds are ``calibrate_imitation.eval_seeds``.

Batching changes only floating-point rounding (batched matrix products), so a run may
differ from the one-at-a-time run in the last bits, and at a near-tie an action may flip;
``--check N`` reruns the first N seeds through ``calibrate_imitation.py``'s path and
prints both means side by side (see ``imitation-calibration.md`` for the agreement).

Records are the JSONL of ``calibrate_imitation.py`` (``--summarize`` there reads them),
with ``"engine": "batched"`` and no per-run training time.

Examples::

    python autograder/calibration/calibrate_imitation_batched.py --learners relu16,linear \\
        --kinds bc --bc-epochs 30,100 --seeds 200 --jsonl runs.jsonl
    python autograder/calibration/calibrate_imitation_batched.py --learners reference --check 5
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import calibrate_imitation as calib
import numpy as np

BATCH_SIZE = 64
LR = 1e-3
BETAS = (0.9, 0.999)
EPS = 1e-8


# ---------------------------------------------------------------- CartPole, vectorised


class CartPoles:
    """``len(seeds)`` CartPole-v1 environments stepped together (Gymnasium's equations, float64)."""

    def __init__(self, seeds, max_steps=500):
        import gymnasium

        env = gymnasium.make("CartPole-v1")
        self.physics = env.unwrapped
        starts = []
        for seed in seeds:
            env.reset(seed=int(seed))
            starts.append(np.array(self.physics.state, dtype=np.float64))
        env.close()
        self.state = np.stack(starts) if starts else np.zeros((0, 4))
        self.max_steps = max_steps
        self.steps = 0
        self.active = np.ones(len(seeds), dtype=bool)
        self.returns = np.zeros(len(seeds))

    def observation(self):
        return self.state.astype(np.float32)

    def step(self, actions):
        """Step the active environments with ``actions`` (one per environment; others ignored)."""
        p = self.physics
        x, x_dot, theta, theta_dot = (self.state[:, i].copy() for i in range(4))
        force = np.where(np.asarray(actions) == 1, p.force_mag, -p.force_mag)
        costheta = np.cos(theta)
        sintheta = np.sin(theta)
        temp = (force + p.polemass_length * np.square(theta_dot) * sintheta) / p.total_mass
        thetaacc = (p.gravity * sintheta - costheta * temp) / (
            p.length * (4.0 / 3.0 - p.masspole * np.square(costheta) / p.total_mass))
        xacc = temp - p.polemass_length * thetaacc * costheta / p.total_mass
        x = x + p.tau * x_dot
        x_dot = x_dot + p.tau * xacc
        theta = theta + p.tau * theta_dot
        theta_dot = theta_dot + p.tau * thetaacc
        new = np.stack([x, x_dot, theta, theta_dot], axis=1)
        self.state = np.where(self.active[:, None], new, self.state)
        self.returns += self.active
        self.steps += 1
        terminated = (x < -p.x_threshold) | (x > p.x_threshold) | (theta < -p.theta_threshold_radians) | (
            theta > p.theta_threshold_radians)
        self.active &= ~terminated
        if self.steps >= self.max_steps:
            self.active[:] = False


# ---------------------------------------------------------------- stacked policies


class Stack:
    """One ``make_policy()`` per training seed, stacked: ``forward(x)`` maps (S, B, obs) to (S, B, A)."""

    def __init__(self, module, seeds):
        import copy

        import torch
        from torch.func import functional_call, stack_module_state

        models = []
        for seed in seeds:
            calib_seed_all(int(seed))
            models.append(module.make_policy())
        self.params, self.buffers = stack_module_state(models)
        base = copy.deepcopy(models[0]).to("meta")
        base.eval()

        def one(params, buffers, x):
            return functional_call(base, (params, buffers), (x,))

        self._forward = torch.vmap(one)
        self.base = base
        self.layers = _plain_layers(base)
        self.reset_adam()

    def forward(self, x):
        if self.layers is None:
            return self._forward(self.params, self.buffers, x)
        import torch

        # A Sequential of Linear layers and parameter-free elementwise modules (every learner
        # here): batched matrix products, the same arithmetic as vmap without its overhead.
        for name, layer in self.layers:
            if name is None:
                x = layer(x)
            else:
                weight, bias = self.params[f"{name}weight"], self.params[f"{name}bias"]
                x = torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))
        return x

    def act(self, obs):
        """Greedy actions, (S, B) int64, for float32 observations (S, B, obs)."""
        import torch

        with torch.no_grad():
            logits = self.forward(torch.as_tensor(obs))
        return torch.argmax(logits, dim=-1).numpy()

    def reset_adam(self):
        """A fresh Adam (``train_bc`` creates one per call)."""
        import torch

        self.m = {k: torch.zeros_like(v) for k, v in self.params.items()}
        self.v = {k: torch.zeros_like(v) for k, v in self.params.items()}
        self.t = torch.zeros(len(next(iter(self.params.values()))), dtype=torch.float64)

    def adam_step(self, grads, active):
        """torch.optim.Adam's update (defaults, lr=LR), only for the seeds in ``active`` (bool (S,))."""
        import torch

        everyone = bool(np.all(active))
        active_t = torch.as_tensor(active)
        self.t = self.t + active_t.double()
        beta1, beta2 = BETAS
        step = self.t.clamp(min=1.0)
        step_size = (LR / (1 - beta1 ** step)).float()
        bias2_sqrt = torch.sqrt(1 - beta2 ** step).float()
        for name, param in self.params.items():
            grad = grads[name]
            shape = (-1,) + (1,) * (param.dim() - 1)
            m_new = self.m[name].lerp(grad, 1 - beta1)
            v_new = self.v[name].mul(beta2).addcmul(grad, grad, value=1 - beta2)
            denom = (v_new.sqrt() / bias2_sqrt.reshape(shape)).add(EPS)
            update = step_size.reshape(shape) * (m_new / denom)
            if not everyone:
                mask = active_t.reshape(shape)
                update = torch.where(mask, update, torch.zeros_like(update))
                m_new = torch.where(mask, m_new, self.m[name])
                v_new = torch.where(mask, v_new, self.v[name])
            with torch.no_grad():
                param.sub_(update)
            self.m[name], self.v[name] = m_new, v_new

    def train_bc(self, data, epochs, seeds):
        """``train_bc(policy_s, obs_s, actions_s, epochs, seed=seeds[s])`` for every s, together.

        ``data``: per seed (obs float32 (N_s, 4), actions int64 (N_s,)).
        """
        import torch

        n_seeds = len(data)
        sizes = np.array([len(a) for _, a in data])
        longest = int(sizes.max())
        x = torch.zeros(n_seeds, longest, data[0][0].shape[1])
        y = torch.zeros(n_seeds, longest, dtype=torch.int64)
        for s, (obs, actions) in enumerate(data):
            x[s, :len(actions)] = torch.as_tensor(obs)
            y[s, :len(actions)] = torch.as_tensor(actions)
        generators = [torch.Generator().manual_seed(int(seed)) for seed in seeds]
        self.reset_adam()
        for p in self.params.values():
            p.requires_grad_(True)
        rows = torch.arange(n_seeds)[:, None]
        for _ in range(epochs):
            perm = torch.full((n_seeds, longest), -1, dtype=torch.int64)
            for s in range(n_seeds):
                perm[s, :sizes[s]] = torch.randperm(int(sizes[s]), generator=generators[s])
            for start in range(0, longest, BATCH_SIZE):
                index = perm[:, start:start + BATCH_SIZE]
                weight = (index >= 0).float()
                counts = weight.sum(dim=1)
                active = (counts > 0).numpy()
                safe = index.clamp(min=0)
                logits = self.forward(x[rows, safe])
                per_sample = torch.nn.functional.cross_entropy(
                    logits.reshape(-1, logits.shape[-1]), y[rows, safe].reshape(-1), reduction="none")
                loss = ((per_sample.reshape(weight.shape) * weight).sum(dim=1) / counts.clamp(min=1.0)).sum()
                grads = torch.autograd.grad(loss, list(self.params.values()))
                self.adam_step(dict(zip(self.params, grads)), active)
        for p in self.params.values():
            p.requires_grad_(False)


def _plain_layers(base):
    """``[(parameter prefix or None, module)]`` when ``base`` is Linear or a Sequential of Linear
    layers and parameter-free elementwise modules; else None (use vmap)."""
    from torch import nn

    if isinstance(base, nn.Linear):
        return [("", base)] if base.bias is not None else None
    if not isinstance(base, nn.Sequential):
        return None
    layers = []
    for index, child in enumerate(base):
        if isinstance(child, nn.Linear) and child.bias is not None:
            layers.append((f"{index}.", child))
        elif isinstance(child, (nn.Tanh, nn.ReLU, nn.ELU, nn.LeakyReLU, nn.GELU, nn.SiLU, nn.Sigmoid)):
            layers.append((None, child))
        else:
            return None
    return layers


def calib_seed_all(seed):
    import random

    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# ---------------------------------------------------------------- the grader's runs, batched


def expert_demos(seeds, n_episodes, max_steps):
    """The probes' staff rollouts (Gymnasium itself), reset with ``seed * 1000 + i``."""
    import gymnasium

    from probes import imitation as probes

    env = gymnasium.make("CartPole-v1", max_episode_steps=max_steps)
    demos = [probes._staff_rollouts(env, n_episodes, int(seed) * 1000) for seed in seeds]
    env.close()
    return demos


def rollout(stack, seeds_per_policy, expert=None):
    """Greedy episodes of each policy s on its reset seeds ``seeds_per_policy[s]`` (same count for all).

    Returns the returns (S, E) and, with ``expert``, per policy the visited observations
    (episode after episode, time order) and their expert labels.
    """
    n_seeds, per = len(seeds_per_policy), len(seeds_per_policy[0])
    envs = CartPoles([seed for row in seeds_per_policy for seed in row])
    visited, alive = [], []
    while envs.active.any():
        obs = envs.observation()
        actions = stack.act(obs.reshape(n_seeds, per, -1)).reshape(-1)
        if expert is not None:
            visited.append(obs)
            alive.append(envs.active.copy())
        envs.step(actions)
    returns = envs.returns.reshape(n_seeds, per)
    if expert is None:
        return returns, None
    visited, alive = np.stack(visited), np.stack(alive)  # (T, S*per, 4), (T, S*per)
    data = []
    for s in range(n_seeds):
        parts = [visited[alive[:, e], e] for e in range(s * per, (s + 1) * per)]
        obs = np.concatenate(parts).astype(np.float32)
        data.append((obs, (obs.astype(np.float64) @ expert > 0.0).astype(np.int64)))
    return returns, data


def run_bc(module, seeds, epochs, demos):
    stack = Stack(module, seeds)
    stack.train_bc(demos, epochs, seeds)
    return stack


def run_dagger(module, seeds, iterations, per_iteration, dagger_epochs, demos, expert):
    stack = Stack(module, seeds)
    data = [(np.array(o, dtype=np.float32), np.array(a, dtype=np.int64)) for o, a in demos]
    for k in range(iterations):
        stack.train_bc(data, dagger_epochs, [int(s) + k for s in seeds])
        episode_seeds = [[int(s) + k * per_iteration + j for j in range(per_iteration)] for s in seeds]
        _, new = rollout(stack, episode_seeds, expert=expert)
        data = [(np.concatenate([o, no]), np.concatenate([a, na])) for (o, a), (no, na) in zip(data, new)]
    return stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--learners", default="reference", help="comma-separated learner names (default reference)")
    parser.add_argument("--kinds", default="bc,dagger", help="bc, dagger or both (default bc,dagger)")
    parser.add_argument("--seeds", type=int, default=200, help="number of training seeds (default 200)")
    parser.add_argument("--start", type=int, default=0, help="first training seed (default 0)")
    parser.add_argument("--bc-epochs", default="200",
                        help="comma-separated BC_EPOCHS values to run (default 200, the shipped value)")
    parser.add_argument("--dagger", default="8:2:50",
                        help="comma-separated ITERATIONS:EPISODES_PER_ITERATION:DAGGER_EPOCHS (default 8:2:50)")
    parser.add_argument("--chunk", type=int, default=200, help="training seeds per batch (memory; default 200)")
    parser.add_argument("--jsonl", type=Path, default=None, help="append one record per run to this file")
    parser.add_argument("--check", type=int, default=0,
                        help="also run the first N seeds through calibrate_imitation.py's path and compare")
    parser.add_argument("--solutions", type=Path, default=calib.ROOT / "solutions" / "HW1")
    parser.add_argument("--given", type=Path, default=calib.ROOT / "HW1" / "code")
    args = parser.parse_args(argv)

    calib._set_paths(args.solutions, args.given)
    import torch

    torch.set_num_threads(1)
    from expert import EXPERT_GAINS

    seeds_all = list(range(args.start, args.start + args.seeds))
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    configs = []
    if "bc" in kinds:
        configs += [("bc", {"BC_EPOCHS": int(e)}) for e in args.bc_epochs.split(",")]
    if "dagger" in kinds:
        for item in args.dagger.split(","):
            iterations, per, epochs = (int(v) for v in item.split(":"))
            configs.append(("dagger", {"DAGGER_ITERATIONS": iterations, "DAGGER_EPISODES_PER_ITERATION": per,
                                       "DAGGER_EPOCHS": epochs}))
    demos = {}
    records = []
    for learner in [name.strip() for name in args.learners.split(",") if name.strip()]:
        for kind, overrides in configs:
            settings = calib.use_learner(learner, overrides)
            module = sys.modules["bc_dagger"]
            started_wall, started_cpu = time.perf_counter(), time.process_time()
            for first in range(0, len(seeds_all), args.chunk):
                seeds = seeds_all[first:first + args.chunk]
                key = (kind, tuple(seeds))
                if key not in demos:
                    demos[key] = expert_demos(seeds, 5, 500) if kind == "bc" else expert_demos(seeds, 1, 50)
                if kind == "bc":
                    stack = run_bc(module, seeds, settings["BC_EPOCHS"], demos[key])
                else:
                    stack = run_dagger(module, seeds, settings["DAGGER_ITERATIONS"],
                                       settings["DAGGER_EPISODES_PER_ITERATION"], settings["DAGGER_EPOCHS"],
                                       demos[key], EXPERT_GAINS)
                returns, _ = rollout(stack, [calib.eval_seeds(s) for s in seeds])
                for s, row in zip(seeds, returns):
                    record = {"learner": learner, "kind": kind, "train_seed": s, "mean": float(row.mean()),
                              "min": float(row.min()), "seconds": None, "cpu_seconds": None,
                              "settings": settings, "engine": "batched"}
                    records.append(record)
                    if args.jsonl is not None:
                        with args.jsonl.open("a") as handle:
                            handle.write(json.dumps(record) + "\n")
            wall, cpu = time.perf_counter() - started_wall, time.process_time() - started_cpu
            print(f"{learner} {kind} {overrides}: {len(seeds_all)} seeds in {wall:.0f} s ({cpu:.0f} s CPU)",
                  flush=True)
            if args.check:
                mine = {r["train_seed"]: r["mean"] for r in records
                        if r["learner"] == learner and r["kind"] == kind and r["settings"] == settings}
                for seed in seeds_all[:args.check]:
                    one = calib.run_one(kind, seed)
                    print(f"   check seed {seed}: batched {mine[seed]:6.1f}  one at a time {one['mean']:6.1f}"
                          f"  (train {one['seconds']:.2f} s, {one['cpu_seconds']:.2f} s CPU)", flush=True)
    calib.summarize(records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
