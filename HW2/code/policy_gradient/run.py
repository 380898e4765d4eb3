"""Given (complete): the training loop the grader uses, its check over training seeds, and the learning-curve plots.

Run it from this folder (``policy_gradient/``), headless:

- ``python run.py`` trains every learner (REINFORCE, REINFORCE with a baseline, A2C with N = 1,
  10 and 100) on 3 training seeds for a fixed 300k environment steps each, without stopping
  early, and writes the learning curves to ``outputs/``: ``learning_curves.png`` (one panel per
  learner: the mean over seeds of the training episodes' returns, with the seeds' range
  shaded) and ``comparison.png`` (the learners' means on one plot). Add ``gae`` to
  ``--learners`` for the extra credit. Options: ``--learners reinforce,a2c10``, ``--seeds N``,
  ``--seed S`` (the first training seed), ``--env-steps N``, ``--outputs DIR``.
- ``python run.py --check`` runs the grader's protocol instead: each learner on training seeds
  ``S .. S+N-1`` (``--seed``, ``--seeds``), stopping early at the check described below, then
  its greedy policy on 20 evaluation episodes; one line per run with the mean and lowest
  return against the bar and the training time. No plots.

The training loop (``train``), exactly as the grader runs it for a learner and a training
seed ``s``:

1. ``torch.manual_seed(s)``; ``policy = pg.PolicyNetwork(4, 2)``; for every learner but
   REINFORCE ``value = pg.ValueNetwork(4)``; ``pg.make_optimizers(policy, value, name)``;
   ``Collector(num_envs, n_steps, seed=s, whole_episodes=...)`` with the learner's settings in
   ``LEARNERS``; ``rng = np.random.default_rng(s)`` samples the actions.
2. Repeat: ``batch = collector.collect(policy, rng)``, then the learner's update function once
   (``reinforce_update``, ``baseline_update``, ``a2c_update`` with its ``n``, ``gae_update`` with
   ``GAE_LAMBDA``; ``gamma = GAMMA``; ``normalize=True``).
3. Every ``CHECK_EVERY`` environment steps, a greedy check: the policy's greedy actions
   (``argmax`` of the logits) on ``CHECK_EPISODES`` fresh episodes (their own seeds, drawn from
   ``s`` and the check's number). A check whose mean return reaches ``CHECK_RETURN`` is
   confirmed on ``CONFIRM_EPISODES`` more episodes (a single lucky check among many is
   common; a hundred episodes are not lucky), and training stops at the first confirmation
   whose mean return reaches ``CONFIRM_RETURN``, or after ``max_env_steps`` environment steps.
   A run that never passes returns the policy of its best check (the highest mean over all
   that check's episodes, the latest among equals).

The grader then evaluates the returned policy greedily on 20 hidden CartPole-v1 episodes
(one ``gymnasium.make("CartPole-v1")`` per seed, ``reset(seed=...)``): full credit at a mean
return of at least ``BAR``.
"""

import argparse
import copy
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import gymnasium
import numpy as np
import torch
from rollout import ENV_ID, Collector, greedy_actions

GAMMA = 0.98  # the discount of every learner
GAE_LAMBDA = 0.95  # the extra credit's lambda
BAR = 450.0  # full credit: mean greedy return over 20 evaluation episodes (75 % at 400, 50 % at 300, 25 % at 200)
CHECK_EVERY = 10_000  # environment steps between two greedy checks
CHECK_EPISODES = 20  # episodes per greedy check
CHECK_RETURN = 495.0  # a check with this mean return or more is confirmed on more episodes
CONFIRM_EPISODES = 100  # episodes of a confirmation
CONFIRM_RETURN = 495.0  # a confirmation with this mean return or more stops training
EVAL_EPISODES = 20

# Per learner: the update it uses, its batches (E environments; T steps per column: a window,
# or at least T with whole episodes) and its budget of environment steps.
LEARNERS = {
    "reinforce": dict(update="reinforce", num_envs=16, n_steps=128, whole_episodes=True, max_env_steps=1_000_000),
    "baseline": dict(update="baseline", num_envs=16, n_steps=128, whole_episodes=True, max_env_steps=1_000_000),
    "a2c1": dict(update="a2c", n=1, num_envs=32, n_steps=16, whole_episodes=False, max_env_steps=1_000_000),
    "a2c10": dict(update="a2c", n=10, num_envs=32, n_steps=16, whole_episodes=False, max_env_steps=1_000_000),
    "a2c100": dict(update="a2c", n=100, num_envs=16, n_steps=128, whole_episodes=False, max_env_steps=1_000_000),
    "gae": dict(update="gae", lam=GAE_LAMBDA, num_envs=32, n_steps=16, whole_episodes=False,
                max_env_steps=1_000_000),
}
GRADED = ("reinforce", "baseline", "a2c1", "a2c10", "a2c100")  # Problem 5; "gae" is the extra credit
LABELS = {"reinforce": "REINFORCE", "baseline": "REINFORCE + baseline", "a2c1": "A2C, N = 1",
          "a2c10": "A2C, N = 10", "a2c100": "A2C, N = 100", "gae": "GAE (lambda = 0.95)"}


@dataclass
class TrainResult:
    """What ``train`` returns.

    ``policy`` and ``value`` are the trained networks (``value`` is None for REINFORCE);
    ``episodes`` the training episodes ``(env_steps when it ended, return)``; ``checks`` the
    greedy checks ``(env_steps, the check's mean return, its confirmation's mean or None)``;
    ``passed`` whether a confirmation reached ``CONFIRM_RETURN``; ``cpu_seconds``
    (``time.process_time``) and ``wall_seconds`` of the whole call.
    """

    policy: torch.nn.Module
    value: torch.nn.Module | None
    episodes: list = field(default_factory=list)
    checks: list = field(default_factory=list)
    env_steps: int = 0
    iterations: int = 0
    passed: bool = False
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0


def warm_up():
    """Build a throw-away Adam once: the first optimizer in a process imports part of PyTorch (about 1 s)."""
    torch.optim.Adam(torch.nn.Linear(1, 1).parameters())


def greedy_returns(policy, n_episodes, seed):
    """Returns of ``n_episodes`` greedy CartPole-v1 episodes, side by side (the check); float64 (n,).

    One vectorised environment of ``n_episodes`` copies, ``reset(seed=seed)``; each copy's first
    episode counts.
    """
    envs = gymnasium.make_vec(ENV_ID, num_envs=n_episodes, vectorization_mode="vector_entry_point")
    obs, _ = envs.reset(seed=int(seed))
    returns = np.zeros(n_episodes)
    active = np.ones(n_episodes, dtype=bool)
    while active.any():
        obs, reward, terminated, truncated, _ = envs.step(greedy_actions(policy, obs))
        returns += reward * active
        active &= ~(terminated | truncated)
    envs.close()
    return returns


def evaluate(policy, seeds):
    """Greedy returns on CartPole-v1, one episode per seed, as the grader drives them; float64 (len(seeds),).

    One ``gymnasium.make("CartPole-v1")`` per seed, ``reset(seed=s)``, all stepped in lockstep
    with one batched ``argmax`` per step.
    """
    envs = [gymnasium.make(ENV_ID) for _ in seeds]
    obs = np.stack([env.reset(seed=int(s))[0] for env, s in zip(envs, seeds)]).astype(np.float32)
    returns = np.zeros(len(seeds))
    active = np.ones(len(seeds), dtype=bool)
    while active.any():
        index = np.flatnonzero(active)
        actions = greedy_actions(policy, obs[index])
        for j, i in enumerate(index):
            state, reward, terminated, truncated, _ = envs[i].step(int(actions[j]))
            obs[i] = state
            returns[i] += reward
            active[i] = not (terminated or truncated)
    for env in envs:
        env.close()
    return returns


def check_seed(seed, check, confirm=False):
    """The reset seed of check number ``check`` (1, 2, ...) of training seed ``seed`` (or of its confirmation)."""
    return int(np.random.SeedSequence([int(seed), int(check), 3 if confirm else 2]).generate_state(1)[0])


def eval_seeds(seed, n_episodes=EVAL_EPISODES):
    """Evaluation seeds for ``run.py --check`` (the grader uses hidden ones of its own)."""
    return [10_000 + 100 * int(seed) + i for i in range(n_episodes)]


def train(name, seed, impl=None, max_env_steps=None, stop=True, verbose=False):
    """Train learner ``name`` (a key of ``LEARNERS``) with training seed ``seed``; a ``TrainResult``.

    ``impl`` is the module holding the student functions (default: ``import pg``).
    ``max_env_steps`` overrides the learner's budget; ``stop=False`` runs the whole budget
    without checks (the learning-curve plots).
    """
    if impl is None:
        import pg as impl
    settings = LEARNERS[name]
    budget = settings["max_env_steps"] if max_env_steps is None else int(max_env_steps)
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    collector = Collector(settings["num_envs"], settings["n_steps"], seed, settings["whole_episodes"])
    policy = impl.PolicyNetwork(collector.obs_dim, collector.n_actions)
    value = None if settings["update"] == "reinforce" else impl.ValueNetwork(collector.obs_dim)
    policy_optimizer, value_optimizer = impl.make_optimizers(policy, value, name)
    checks, best, best_policy, passed, iterations, last_check = [], None, None, False, 0, 0
    while collector.env_steps < budget:
        batch = collector.collect(policy, rng)
        kind = settings["update"]
        if kind == "reinforce":
            info = impl.reinforce_update(policy, policy_optimizer, batch, GAMMA)
        elif kind == "baseline":
            info = impl.baseline_update(policy, value, policy_optimizer, value_optimizer, batch, GAMMA, normalize=True)
        elif kind == "a2c":
            info = impl.a2c_update(policy, value, policy_optimizer, value_optimizer, batch, GAMMA, settings["n"],
                                   normalize=True)
        else:
            info = impl.gae_update(policy, value, policy_optimizer, value_optimizer, batch, GAMMA, settings["lam"],
                                   normalize=True)
        iterations += 1
        if not stop or collector.env_steps - last_check < CHECK_EVERY:
            continue
        last_check = collector.env_steps
        number = len(checks) + 1
        returns = greedy_returns(policy, CHECK_EPISODES, check_seed(seed, number))
        confirm = None
        if returns.mean() >= CHECK_RETURN:
            confirm = greedy_returns(policy, CONFIRM_EPISODES, check_seed(seed, number, confirm=True))
            returns = np.concatenate([returns, confirm])
        checks.append((collector.env_steps, float(returns[:CHECK_EPISODES].mean()),
                       None if confirm is None else float(confirm.mean())))
        if verbose:
            recent = [r for _, r in collector.episodes[-20:]]
            print(f"  {name} seed {seed}: {collector.env_steps} steps, training episodes {np.mean(recent):.1f}, "
                  f"check {checks[-1][1]:.1f}, confirmation {checks[-1][2]}, {info}", flush=True)
        if best is None or returns.mean() >= best:
            best, best_policy = float(returns.mean()), copy.deepcopy(policy)
        if confirm is not None and confirm.mean() >= CONFIRM_RETURN:
            passed = True
            break
    collector.close()
    if stop and not passed and best_policy is not None:
        policy = best_policy
    return TrainResult(policy, value, list(collector.episodes), checks, collector.env_steps, iterations, passed,
                       time.process_time() - cpu_start, time.perf_counter() - wall_start)


def binned_curve(episodes, grid, width):
    """Mean return of the episodes that ended in ``(g - width, g]`` for each ``g`` of ``grid`` (NaN where none)."""
    if not episodes:
        return np.full(len(grid), np.nan)
    ends, returns = np.asarray(episodes, dtype=np.float64).T
    curve = np.full(len(grid), np.nan)
    for i, g in enumerate(grid):
        chosen = (ends > g - width) & (ends <= g)
        if chosen.any():
            curve[i] = returns[chosen].mean()
    return curve


def plot_curves(curves, grid, outputs):
    """Write ``learning_curves.png`` and ``comparison.png`` from ``{name: (n_seeds, len(grid)) array}``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(curves)
    columns = min(3, len(names))
    rows = (len(names) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows), squeeze=False, sharey=True)
    x = np.asarray(grid) / 1000
    for ax, name in zip(axes.flat, names):
        data = curves[name]
        with np.errstate(all="ignore"):
            mean = np.nanmean(data, axis=0)
            low, high = np.nanmin(data, axis=0), np.nanmax(data, axis=0)
        ax.plot(x, mean, color="tab:blue", label=f"mean of {len(data)} seeds")
        ax.fill_between(x, low, high, color="tab:blue", alpha=0.2, label="range over seeds")
        ax.axhline(BAR, color="gray", linestyle="--", linewidth=1, label=f"bar ({BAR:g}, greedy)")
        ax.set(title=LABELS[name], xlabel="environment steps (thousands)", ylim=(0, 520))
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("training episode return")
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    axes.flat[0].legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    fig.savefig(outputs / "learning_curves.png", dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name in names:
        with np.errstate(all="ignore"):
            ax.plot(x, np.nanmean(curves[name], axis=0), label=LABELS[name])
    ax.axhline(BAR, color="gray", linestyle="--", linewidth=1)
    ax.set(xlabel="environment steps (thousands)", ylabel="training episode return (mean over seeds)",
           title="Policy-gradient learners on CartPole-v1", ylim=(0, 520))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    fig.savefig(outputs / "comparison.png", dpi=100)
    plt.close(fig)


def check_training_seeds(names, first_seed, n_seeds):
    """The grader's protocol on training seeds ``first_seed ..``; one line per run. Returns the runs below the bar."""
    misses = 0
    print(f"settings: GAMMA={GAMMA}; a greedy check every {CHECK_EVERY} steps on {CHECK_EPISODES} episodes, "
          f"confirmed at a mean of {CHECK_RETURN:g} on {CONFIRM_EPISODES} more, stop at a confirmed mean of "
          f"{CONFIRM_RETURN:g}; bar {BAR:g} over {EVAL_EPISODES} evaluation episodes")
    for name in names:
        print(f"{LABELS[name]} ({name}):")
        for seed in range(first_seed, first_seed + n_seeds):
            result = train(name, seed)
            returns = evaluate(result.policy, eval_seeds(seed))
            ok = returns.mean() >= BAR
            misses += not ok
            print(f"  training seed {seed}: mean {returns.mean():.1f}, lowest {returns.min():g} over "
                  f"{len(returns)} episodes; bar {BAR:g}; {result.env_steps} environment steps, "
                  f"{result.cpu_seconds:.1f} s of CPU{'' if ok else '   <-- would lose points'}", flush=True)
    print("The grader trains once per learner, with its own training seed, and evaluates on hidden seeds: "
          "keep a margin. (Times are this machine's, now; one CPU thread.)")
    return misses


def main(argv=None):
    """Learning curves (default) or the grader's check (``--check``) for the chosen learners."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", default=",".join(GRADED),
                        help=f"comma-separated, from {', '.join(LEARNERS)} (default: the graded five)")
    parser.add_argument("--seeds", type=int, default=3, help="number of training seeds (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="the first training seed (default 0)")
    parser.add_argument("--env-steps", type=int, default=300_000,
                        help="environment steps per run for the curves (default 300000)")
    parser.add_argument("--outputs", type=Path, default=Path("outputs"), help="folder for the PNG files")
    parser.add_argument("--check", action="store_true",
                        help="the grader's protocol (early stopping, greedy evaluation on 20 episodes); no plots")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.learners.split(",") if name.strip()]
    unknown = [name for name in names if name not in LEARNERS]
    if unknown or not names:
        parser.error(f"unknown learner(s) {unknown}; choose from {', '.join(LEARNERS)}")
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    torch.set_num_threads(1)  # as the grader: one CPU
    warm_up()
    if args.check:
        return 1 if check_training_seeds(names, args.seed, args.seeds) else 0

    args.outputs.mkdir(parents=True, exist_ok=True)
    width = 5_000
    grid = np.arange(width, args.env_steps + 1, width)
    curves = {}
    for name in names:
        rows = []
        for seed in range(args.seed, args.seed + args.seeds):
            result = train(name, seed, max_env_steps=args.env_steps, stop=False)
            rows.append(binned_curve(result.episodes, grid, width))
            last = [r for _, r in result.episodes[-20:]]
            greedy = evaluate(result.policy, eval_seeds(seed))
            print(f"{LABELS[name]}, seed {seed}: last 20 training episodes {np.mean(last):.1f}; greedy "
                  f"{greedy.mean():.1f} over {len(greedy)} episodes after {result.env_steps} steps "
                  f"({result.cpu_seconds:.1f} s of CPU)", flush=True)
        curves[name] = np.asarray(rows)
    plot_curves(curves, grid, args.outputs)
    print(f"wrote {args.outputs / 'learning_curves.png'} and {args.outputs / 'comparison.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
