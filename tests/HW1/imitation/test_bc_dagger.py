"""Public tests for Problem 6 (bc_dagger.py), against independent oracles.

Oracles: the expert's rule as expert.py states it (push right iff 0.1 x + 0.5 x_dot +
10 theta + 2 theta_dot > 0), Gymnasium's CartPole stepped in this process, and PyTorch's
own Adam and cross-entropy run on the same weights. The outcome tests train your
learner in the worker, then this process drives CartPole-v1 itself and asks your policy
for actions (``act``) once per step: returns are counted here. PyTorch is imported only
inside the oracle's compute function, and its numbers go through ``harness.oracle_cache``:
when grading, this process reads them from a file recorded at build time and never imports
torch.

A hint of :data:`HINTS` is shown only when that mistake reproduces the student's result;
otherwise the message says what differs and the convention it checks, not why.
"""

import contextlib

import gymnasium
import numpy as np
from cartpole import expert_rule, grade_returns, run_outcome

from harness import oracle_cache
from harness.checks import check, check_array, check_close, check_equal, check_type
from harness.codec import EnvSpec

CARTPOLE = EnvSpec("CartPole-v1")
TRAIN_TIMEOUT = 60.0  # seconds for one BC or DAgger training run (HW1/README.md)
# Partial credit below the bar (mean return over 20 episodes -> fraction). Measured by the
# course staff over 200 training seeds per learner: the reference BC and DAgger,
# and independently written MLPs of 16 to 128 units, reach full credit in every run with the
# shipped settings; BC on the 50-step demonstration alone (what DAgger starts from, no DAgger)
# has median 113 and 196 of 200 runs below 200; pushing by the sign of the angle scores about
# 43 and a random policy about 22.
PUBLIC_EVAL_SEEDS = tuple(range(100, 120))
TRAIN_SEED = 0  # the outcome tests' training seed (python bc_dagger.py --train-seeds 1 --seed 0)
HINTS = {
    "act_samples": "act is greedy: return the argmax of the logits; your act gave different actions for the same "
                   "observation, as sampling from softmax(logits) does",
    "no_zero_grad": "call optimizer.zero_grad() before every loss.backward(): your losses and weights match training "
                    "without it (the gradients of earlier steps add up)",
    "own_labels": "DAgger labels the learner's visited states with expert_fn: your data matches labelling them with "
                  "the learner's own actions",
}


@contextlib.contextmanager
def one_thread():
    """Tiny PyTorch oracles run on one thread (several threads only contend on a loaded box).

    Imports torch: enter it only inside an oracle's compute function, never around a cached value.
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _scripted(name, obs, step):
    if name == "left":
        return 0
    if name == "alternate":
        return step % 2
    if name == "theta":
        return int(float(obs[2]) > 0.0)
    if name == "expert":
        return int(expert_rule(obs))
    raise ValueError(name)


def _oracle_rollouts(policy, n_episodes, seed):
    """Gymnasium in this process: the observations in which each action was taken, and the actions."""
    env = gymnasium.make("CartPole-v1")
    observations, actions, step = [], [], 0
    for i in range(n_episodes):
        obs, _ = env.reset(seed=seed + i)
        done = False
        while not done:
            action = _scripted(policy, obs, step)
            step += 1
            observations.append(obs)
            actions.append(action)
            obs, _, terminated, truncated, _ = env.step(action)
            done = terminated or truncated
    return np.asarray(observations, dtype=np.float32), np.asarray(actions, dtype=np.int64)


def _demonstrations(student, policy, n_episodes, seed, relabel=False):
    out = student.probe("imitation.collect", CARTPOLE, policy, n_episodes, seed, relabel=relabel)
    result = out["result"]
    what = f"collect_demonstrations(CartPole-v1, <{policy} policy>, {n_episodes}, seed={seed}" + (
        ", expert_fn=expert_policy)" if relabel else ")")
    check(isinstance(result, tuple) and len(result) == 2, what,
          f"expected a tuple (obs, actions), got {type(result).__name__}")
    return what, result[0], result[1], out


def test_expert_demonstrations(student):
    # The given expert balances the pole for 500 steps from 1000 seeded starts. Gymnasium's
    # vectorised CartPole steps all of them at once from the starts that reset(seed=s) gives.
    from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv

    n = 1000
    single = gymnasium.make("CartPole-v1")
    starts = np.stack([np.array(single.reset(seed=s)[0], dtype=np.float64) for s in range(n)])
    vector = CartPoleVectorEnv(num_envs=n, max_episode_steps=500)
    vector.reset(seed=0)
    vector.state = starts.T.copy()
    vector.steps[:] = 0
    obs, alive = starts.astype(np.float32), np.ones(n, dtype=bool)
    for _ in range(500):
        obs, _, terminated, _, _ = vector.step(expert_rule(obs))
        alive &= ~terminated
    assert alive.all(), f"staff check: the expert fell on {int((~alive).sum())} of {n} seeds"

    what, obs, actions, _ = _demonstrations(student, "expert", 3, 12)
    check_array(obs, f"{what}: obs (the expert lasts 500 steps per episode: one float32 row per step)",
                shape=(1500, 4), dtype=np.float32)
    check_array(actions, f"{what}: actions", shape=(1500,), dtype=np.int64)
    check_close(actions, expert_rule(obs), f"{what}: actions (without expert_fn, the actions policy_fn chose)",
                index_name="row")
    check_close(obs[0], single.reset(seed=12)[0], f"{what}: obs[0] (episode i starts with env.reset(seed=seed + i))")


def test_collect_demonstrations_shapes_and_seeding(student):
    what, obs, actions, out = _demonstrations(student, "alternate", 3, 7)
    want_obs, want_actions = _oracle_rollouts("alternate", 3, 7)
    n = len(want_actions)
    check_array(obs, f"{what}: obs (one float32 row per step of every episode; the final observation, where no "
                "action is taken, is not recorded)", shape=(n, 4), dtype=np.float32)
    check_array(actions, f"{what}: actions", shape=(n,), dtype=np.int64)
    check_close(obs, want_obs, f"{what}: obs (episode i reset with env.reset(seed=seed + i); each row the "
                "observation in which its action is chosen, before stepping)", index_name="(row, column)")
    check_close(actions, want_actions, f"{what}: actions", index_name="row")
    check_close(out["seen"], want_obs, "the observations shown to policy_fn (once per step, the current "
                "observation)", index_name="(row, column)")


def test_collect_demonstrations_expert_relabelling(student):
    for policy, n_episodes, seed in (("left", 2, 3), ("theta", 2, 40)):
        what, obs, actions, out = _demonstrations(student, policy, n_episodes, seed, relabel=True)
        want_obs, taken = _oracle_rollouts(policy, n_episodes, seed)
        n = len(taken)
        check_array(obs, f"{what}: obs (with expert_fn the rollout still follows policy_fn; only the labels come "
                    "from expert_fn)", shape=(n, 4), dtype=np.float32)
        check_array(actions, f"{what}: actions", shape=(n,), dtype=np.int64)
        check_close(obs, want_obs, f"{what}: obs (the environment stepped with policy_fn's actions)",
                    index_name="(row, column)")
        check_close(actions, expert_rule(want_obs), f"{what}: labels (expert_fn(obs) of each visited state)",
                    index_name="row")
        check(out["expert_calls"] >= n, f"{what}", "expert_fn was called fewer times than there are states")


def test_make_policy(student):
    for obs_dim, n_actions in ((4, 2), (2, 3)):
        out = student.probe("imitation.make_policy_forward", obs_dim, n_actions, 5, 0)
        what = f"make_policy(obs_dim={obs_dim}, n_actions={n_actions})"
        check(out["is_module"], what, f"expected a torch.nn.Module, got {out['type']}")
        check(out["n_parameters"] > 0, what, "the policy has no parameters to train")
        check(out.get("out_type") == "Tensor", f"{what} applied to a float32 batch (5, {obs_dim})",
              f"expected a Tensor of logits, got {out.get('out_type')}")
        check_array(out["logits"], f"{what}: logits for a batch of 5", shape=(5, n_actions), dtype=np.float32)
        check(bool(np.isfinite(out["logits"]).all()), f"{what}: logits", "are not all finite")


def test_act_is_greedy(student):
    rng = np.random.default_rng(2024)
    weight = rng.normal(0.0, 0.3, size=(2, 4)).astype(np.float32)
    bias = np.array([0.05, -0.05], dtype=np.float32)
    candidates = rng.normal(0.0, 0.5, size=(200, 4)).astype(np.float32)
    logits = candidates @ weight.T + bias
    gap = logits[:, 1] - logits[:, 0]
    keep = np.abs(gap) > 1e-3  # no near-ties; most logits are close, so sampling would show
    observations = candidates[keep][:24]
    want = (gap[keep][:24] > 0).astype(np.int64)
    out = student.probe("imitation.act_known", weight, bias, observations, 4)
    bad_types = [t for t in out["types"] if t not in ("int", "int64", "int32")]
    check(not bad_types, "act(policy, obs) (a Python int)", f"returned {bad_types[0] if bad_types else ''}; "
          "expected an int")
    for k, dtype in enumerate(("float32", "float64")):
        got = np.asarray(out["actions"][k])
        varies = got.ndim == 2 and bool((got != got[:, :1]).any())  # the same observation got different actions
        check_close(got, np.repeat(want[:, None], 4, axis=1),
                    f"act(policy, obs) on a linear policy with known logits ({dtype} observations, each asked 4 times; "
                    "the argmax of the logits)", index_name="(observation, repeat)",
                    hint=HINTS["act_samples"] if varies else None)


def _reference_network(weights):
    import torch
    from torch import nn

    w1, b1, w2, b2 = (torch.as_tensor(np.asarray(w, dtype=np.float32)) for w in weights)
    net = nn.Sequential(nn.Linear(w1.shape[1], w1.shape[0]), nn.Tanh(), nn.Linear(w2.shape[1], w2.shape[0]))
    with torch.no_grad():
        for parameter, value in zip(net.parameters(), (w1, b1, w2, b2)):
            parameter.copy_(value)
    return net


def reference_train_bc(weights, obs, actions, epochs, batch_size, lr, seed, zero_grad=True):
    """The documented train_bc (Adam, mean CE, randperm from a seeded generator): (losses, weights);
    ``zero_grad=False``: the same without ``optimizer.zero_grad()`` (a known mistake, for diagnosis).

    The inputs are fixed by the test, so the value goes through the oracle cache (recorded at build time).
    """
    args = (weights, obs, actions, epochs, batch_size, lr, seed)
    name = "reference_train_bc" if zero_grad else "reference_train_bc_no_zero_grad"
    losses, trained = oracle_cache.cached(oracle_cache.key(name, *args),
                                          lambda: _reference_train_bc(*args, zero_grad=zero_grad))
    return [float(loss) for loss in losses], [np.asarray(w) for w in trained]


def _reference_train_bc(weights, obs, actions, epochs, batch_size, lr, seed, zero_grad=True):
    """PyTorch in this process (imported here only): computes the value :func:`reference_train_bc` caches."""
    with one_thread():
        import torch
        from torch import nn

        net = _reference_network(weights)
        x, y = torch.as_tensor(obs), torch.as_tensor(actions)
        optimizer = torch.optim.Adam(net.parameters(), lr=lr)
        generator = torch.Generator().manual_seed(seed)
        losses = []
        for _ in range(epochs):
            perm = torch.randperm(len(x), generator=generator)
            batch = []
            for start in range(0, len(x), batch_size):
                index = perm[start:start + batch_size]
                loss = nn.functional.cross_entropy(net(x[index]), y[index])
                if zero_grad:
                    optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                batch.append(loss.item())
            losses.append(float(np.mean(batch)))
        return losses, [p.detach().numpy().copy() for p in net.parameters()]


def _random_problem(seed, n, hidden=8):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.5, (hidden, 4)), rng.normal(0, 0.1, hidden),
               rng.normal(0, 0.5, (2, hidden)), rng.normal(0, 0.1, 2)]
    weights = [w.astype(np.float32) for w in weights]
    obs = rng.normal(0, 1, (n, 4)).astype(np.float32)
    actions = expert_rule(obs)
    return weights, obs, actions


def test_train_bc_matches_reference_step(student):
    # One batch holds every sample, so the shuffling order cannot matter: 3 epochs = 3 Adam steps.
    weights, obs, actions = _random_problem(0, 64)
    out = student.probe("imitation.train_bc_known", weights, obs, actions, 3, 64, 0.01, 0)
    want_losses, want_weights = reference_train_bc(weights, obs, actions, 3, 64, 0.01, 0)
    what = "train_bc(policy, obs (64, 4), actions, epochs=3, batch_size=64, lr=0.01, seed=0)"
    losses = out["losses"]
    check(isinstance(losses, list) and len(losses) == 3, what,
          f"expected a list of 3 losses (one per epoch), got {type(losses).__name__} "
          f"{'of length ' + str(len(losses)) if isinstance(losses, (list, tuple)) else ''}")
    for loss in losses:
        check_type(loss, float, f"{what}: each loss (a Python float: the mean of the epoch's batch losses)")
    # The same training without optimizer.zero_grad(): a student's result equal to it names that mistake.
    stale_losses, stale_weights = reference_train_bc(weights, obs, actions, 3, 64, 0.01, 0, zero_grad=False)
    stale = (np.allclose(np.asarray(losses, dtype=float), stale_losses, atol=1e-5, rtol=1e-4)
             and all(np.allclose(g, w, atol=1e-5, rtol=1e-4) for g, w in zip(out["weights"], stale_weights)))
    hint = HINTS["no_zero_grad"] if stale else None
    check_close(losses, want_losses, f"{what}: losses per epoch (the mean cross-entropy of the logits, before each "
                "step)", atol=1e-5, rtol=1e-4, index_name="epoch", hint=hint)
    names = ("first layer weight", "first layer bias", "output layer weight", "output layer bias")
    for name, got, want in zip(names, out["weights"], want_weights):
        check_close(got, want, f"{what}: {name} after training (one Adam optimizer per call, lr=lr; each batch: "
                    "optimizer.zero_grad(), loss.backward(), optimizer.step())", atol=1e-5, rtol=1e-4, hint=hint)
    check(not out["training_after"], f"{what} (policy.eval() before returning)",
          "the policy is still in training mode afterwards")
    check(any(out["forward_modes"]), f"{what} (policy.train() before the training loop)",
          "the policy was never in training mode during training")
    check(out["inputs_unchanged"], what, "modified the obs or actions arrays it was given")


def test_train_bc_lowers_loss(student):
    obs, actions = _oracle_rollouts("expert", 2, 321)
    weights, _, _ = _random_problem(1, 1, hidden=16)
    out = student.probe("imitation.train_bc_known", weights, obs, actions, 8, 64, 1e-2, 3)
    what = f"train_bc on {len(obs)} expert states, epochs=8, lr=1e-2"
    losses = out["losses"]
    check(isinstance(losses, list) and len(losses) == 8, what, "expected a list of 8 losses (one per epoch)")
    losses = np.asarray(losses, dtype=np.float64)
    check(bool(np.isfinite(losses).all()), what, "some losses are not finite")
    check(losses[-1] < 0.6 * losses[0], f"{what} (each batch: zero_grad, backward, step, with Adam on "
          "policy.parameters())", f"the loss did not fall (first epoch {losses[0]:.4f}, last {losses[-1]:.4f})")
    check(out["inputs_unchanged"], what, "modified the obs or actions arrays it was given")


def _sorted_rows(obs, labels):
    table = np.column_stack([np.asarray(obs, dtype=np.float64), np.asarray(labels, dtype=np.float64)])
    order = np.lexsort(table.T[::-1])
    return table[order]


_DAGGER = {}


def _dagger_run(student):
    """One recorded DAgger run (3 iterations, 2 episodes each), shared by the two DAgger tests."""
    key = id(student)
    if key not in _DAGGER:
        short = gymnasium.make("CartPole-v1", max_episode_steps=50)
        obs, actions = [], []
        state, _ = short.reset(seed=77)
        done = False
        while not done:
            action = int(expert_rule(state))
            obs.append(state)
            actions.append(action)
            state, _, terminated, truncated, _ = short.step(action)
            done = terminated or truncated
        initial = (np.asarray(obs, dtype=np.float32), np.asarray(actions, dtype=np.int64))
        out = student.probe("imitation.dagger_recorded", CARTPOLE, 3, 2, initial[0], initial[1], 5, 0,
                            timeout=TRAIN_TIMEOUT)
        _DAGGER.clear()
        _DAGGER[key] = (initial, out)
    return _DAGGER[key]


def test_dagger_aggregates(student):
    (init_obs, init_actions), out = _dagger_run(student)
    what = "dagger(CartPole-v1, expert, policy, n_iterations=3, episodes_per_iteration=2, <50 expert states>, seed=5)"
    returns = out["returns"]
    check(isinstance(returns, list) and len(returns) == 3, what, "expected a list of 3 mean returns")
    for value in returns:
        check_type(value, float, f"{what}: each mean return (a Python float)")
    calls = out["calls"]
    check(len(calls) == 3, f"{what} (each iteration trains with train_bc(policy, obs, actions, ...) on all the data "
          "so far)", f"called train_bc {len(calls)} times, expected once per iteration (3)")
    check(all(c["same_policy"] for c in calls), what, "trained another network than the policy it was given")
    check_close(_sorted_rows(calls[0]["obs"], calls[0]["actions"]), _sorted_rows(init_obs, init_actions),
                f"{what}: the data of the first train_bc call (sorted rows of obs and label; iteration 0 trains on "
                "initial_data alone)", index_name="(row, column)")
    episodes = out["episodes"]
    for k in range(3):
        batch = [e for e in episodes if e["tag"] == k + 1]
        check(len(batch) == 2, what, f"iteration {k} ran {len(batch)} episodes after training, expected 2")
        visited = np.concatenate([e["obs"][:-1] for e in batch])
        check_close(returns[k], np.mean([len(e["obs"]) - 1 for e in batch]),
                    f"{what}: mean return of iteration {k} (of the learner's episodes of that iteration)",
                    index_name="iteration")
        if k + 1 < len(calls):
            grown = calls[k + 1]
            check_equal(len(grown["actions"]), len(calls[k]["actions"]) + len(visited),
                        f"{what}: size of the data at iteration {k + 1} (all the data so far and every state the "
                        "learner visited, one per step)")
            want = _sorted_rows(np.concatenate([calls[k]["obs"], visited]),
                                np.concatenate([calls[k]["actions"], expert_rule(visited)]))
            taken = np.concatenate([e["actions"] for e in batch])
            own = _sorted_rows(np.concatenate([calls[k]["obs"], visited]),
                               np.concatenate([calls[k]["actions"], taken]))
            got = _sorted_rows(grown["obs"], grown["actions"])
            own_labels = got.shape == own.shape and bool(np.allclose(got, own)) and not np.allclose(own, want)
            check_close(got, want, f"{what}: the data at iteration {k + 1} (sorted rows of obs and label: the old "
                        "data and the learner's visited states labelled by expert_fn)", index_name="(row, column)",
                        hint=HINTS["own_labels"] if own_labels else None)
    check(out["initial_unchanged"], what, "modified initial_data")


def test_dagger_rollouts_are_seeded(student):
    _, out = _dagger_run(student)
    seeds = [[e["seed"] for e in out["episodes"] if e["tag"] == k + 1] for k in range(3)]
    check_equal(seeds, [[5, 6], [7, 8], [9, 10]],
                "reset seeds of the learner's episodes per iteration, dagger(..., episodes_per_iteration=2, seed=5) "
                "(episode j of iteration k resets with seed + k * episodes_per_iteration + j)")


# ---------------------------------------------------------------- outcomes


def grade_outcome(student, credit, note, kind, train_seed, eval_seeds):
    label, seconds, returns = run_outcome(student, kind, train_seed, eval_seeds, TRAIN_TIMEOUT)
    grade_returns(note, credit, f"{label}, training seed {train_seed} (`python bc_dagger.py --train-seeds 5` shows "
                  "your learner over training seeds)", returns,
                  f"{len(eval_seeds)} seeds {eval_seeds[0]}..{eval_seeds[-1]}", seconds, TRAIN_TIMEOUT)


def test_bc_outcome_public(student, credit, note):
    """BC from 5 expert episodes, training seed 0, 20 public seeds: mean return >= 475.

    Measured with the shipped BC_EPOCHS = 200 by the course staff (200 training seeds per
    design): every run at full credit for the reference (2x64 tanh) and for independently
    written MLPs: 1x16 and 1x32 ReLU, 2x64 ReLU with orthogonal init, 2x128 ReLU (lowest mean
    of all 496.8). At 30 epochs the 1x16 and 1x32 ones reached 475 in 0 of 200 runs; a linear
    policy fails even at 200 epochs (0/200, median 350): make_policy's docstring gives the
    safe range. Gradescope evaluates this same training run on 20 hidden seeds.
    """
    grade_outcome(student, credit, note, "bc", TRAIN_SEED, PUBLIC_EVAL_SEEDS)


def test_dagger_outcome_public(student, credit, note):
    """DAgger from a single 50-step demonstration, training seed 0, 20 public seeds: mean return >= 475.

    Measured with the shipped DAGGER_EPOCHS = 50 by the course staff (200 training seeds
    per design): every run at full credit for the reference (2x64 tanh), 1x32 ReLU, 2x64 ReLU
    orthogonal, 2x128 ReLU and 1x16 ReLU (lowest mean 475.6: the edge); at the former 20
    epochs 1x16 ReLU passed only 149 of 200 runs. Gradescope evaluates this same training run
    on 20 hidden seeds.
    """
    grade_outcome(student, credit, note, "dagger", TRAIN_SEED, PUBLIC_EVAL_SEEDS)
