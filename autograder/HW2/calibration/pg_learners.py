"""Independently written correct learners for the HW2 policy-gradient outcome calibration.

Each learner implements the student API that ``run.train`` drives (``PolicyNetwork``,
``ValueNetwork``, ``make_optimizers``, ``reinforce_update``, ``baseline_update``, ``a2c_update``,
``gae_update``), written from the contract in the handout's docstrings without importing or
copying the reference (``solutions/HW2/policy_gradient``). They differ from the reference and
from each other in what a student may choose (architecture, initialisation, optimizer, learning
rates) and in how the same contract is computed:

- ``relu128``: policy and value 2x128 ReLU, PyTorch's initialisation; Adam, policy learning rate
  5e-3 (Monte Carlo) / 1e-3 (actor-critic; 5e-4 for A2C N = 1), value 1e-2; targets from bootstrapped full returns
  and a shift by n (NumPy, one loop over time); GAE in plain Python, column by column.
- ``tanh32-orth``: 1x32 tanh, orthogonal initialisation (gain sqrt 2; policy output 0.01, value
  output 1), zero biases; Adam 2e-3 / 5e-4, value 3e-3; targets from per-column discount
  matrices (NumPy); losses by boolean indexing.
- ``relu64-rmsprop``: 2x64 ReLU, PyTorch's initialisation; RMSprop (alpha 0.99, eps 1e-5)
  3e-3 / 7e-4 (5e-4 for A2C N = 1), value 5e-3; targets in PyTorch (reverse loops; n-step targets from discounted
  prefix sums); one backward of the summed losses, then both steps.
- ``tanh64-default``: 2x64 tanh with PyTorch's initialisation (the reference's shape without its
  scaled-down output layer); Adam 5e-3 / 1e-3 (5e-4 for A2C N = 1), value 1e-2; computed as
  ``tanh32-orth``.

A2C with N = 1 runs at a policy learning rate of 5e-4 in every learner: the reference at 1e-3
missed the bar on 8 of 121 training seeds (``pg-records-v1.jsonl.gz``; ``pg-calibration.md``), so
the documented safe range for it stops at 5e-4.

``LEARNERS[name]`` is a namespace with those attributes; ``calibrate_pg.py --learners`` picks them.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import torch
from torch import nn

MONTE_CARLO = ("reinforce", "baseline")


# ---------------------------------------------------------------------------------------------
# Shared small pieces (each learner below computes its targets its own way)
# ---------------------------------------------------------------------------------------------

def _mlp(sizes, activation, out_gain=None, orthogonal=False):
    layers = []
    for i in range(len(sizes) - 1):
        linear = nn.Linear(sizes[i], sizes[i + 1])
        last = i == len(sizes) - 2
        if orthogonal:
            nn.init.orthogonal_(linear.weight, gain=(out_gain if last else math.sqrt(2)))
            nn.init.zeros_(linear.bias)
        layers.append(linear)
        if not last:
            layers.append(activation())
    return nn.Sequential(*layers)


class _Policy(nn.Module):
    def __init__(self, obs_dim, n_actions, hidden, activation, orthogonal):
        super().__init__()
        self.body = _mlp([obs_dim, *hidden, n_actions], activation, out_gain=0.01, orthogonal=orthogonal)

    def forward(self, obs):
        return self.body(obs)


class _Critic(nn.Module):
    def __init__(self, obs_dim, hidden, activation, orthogonal):
        super().__init__()
        self.body = _mlp([obs_dim, *hidden, 1], activation, out_gain=1.0, orthogonal=orthogonal)

    def forward(self, obs):
        return self.body(obs)[..., 0]


def _flat_apply(module, obs):
    x = torch.from_numpy(np.ascontiguousarray(obs, dtype=np.float32))
    lead = x.shape[:-1]
    return module(x.view(-1, x.shape[-1])), lead


def _log_prob_taken(policy, obs, actions):
    logits, lead = _flat_apply(policy, obs)
    a = torch.from_numpy(np.asarray(actions, dtype=np.int64)).view(-1)
    logp = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    return logp[torch.arange(len(a)), a].view(lead)


def _values(critic, obs):
    out, lead = _flat_apply(critic, obs)
    return out.view(lead)


def _standardise(adv, mask):
    m = mask.to(adv.dtype)
    count = m.sum()
    if count.item() == 0:
        return torch.zeros_like(adv)
    mean = (adv * m).sum() / count
    var = (((adv - mean) * m) ** 2).sum() / count
    return (adv - mean) / (var.sqrt() + 1e-8) * m


def _masked_mean(x, mask):
    m = mask.to(x.dtype)
    return (x * m).sum() / torch.clamp(m.sum(), min=1.0)


def _two_steps(policy_opt, value_opt, policy_loss, critic_loss):
    policy_opt.zero_grad()
    policy_loss.backward()
    policy_opt.step()
    value_opt.zero_grad()
    critic_loss.backward()
    value_opt.step()


# ---------------------------------------------------------------------------------------------
# relu128: NumPy, bootstrapped full returns and a shift for the n-step targets
# ---------------------------------------------------------------------------------------------

def _np_full_returns(r, boot_next, term, dones, gamma):
    """Return to the episode's or window's end, bootstrapping from ``boot_next`` at non-terminal ends."""
    r = np.asarray(r, np.float64)
    T = r.shape[0]
    boot = np.where(np.asarray(term, bool), 0.0, np.asarray(boot_next, np.float64))
    ends = np.asarray(dones, bool).copy()
    ends[T - 1] = True
    out = np.zeros_like(r)
    for t in range(T - 1, -1, -1):
        after = boot[t] if t == T - 1 else np.where(ends[t], boot[t], out[t + 1])
        out[t] = r[t] + gamma * after
    return out


def _np_steps_to_end(dones):
    dones = np.asarray(dones, bool)
    T = dones.shape[0]
    d = np.ones(dones.shape, dtype=np.int64)
    for t in range(T - 2, -1, -1):
        d[t] = np.where(dones[t], 1, 1 + d[t + 1])
    return d


def _relu128_nstep(r, nv, term, dones, gamma, n):
    full = _np_full_returns(r, nv, term, dones, gamma)
    d = _np_steps_to_end(dones)
    T = full.shape[0]
    out = full.copy()
    if n < T:
        g = gamma ** n
        later = full[n:]
        shifted = full[:T - n] - g * later + g * np.asarray(nv, np.float64)[n - 1:T - 1]
        out[:T - n] = np.where(d[:T - n] > n, shifted, full[:T - n])
    return out


def _relu128_gae(r, v, nv, term, dones, gamma, lam):
    r, v, nv = (np.asarray(x, np.float64) for x in (r, v, nv))
    term, dones = np.asarray(term, bool), np.asarray(dones, bool)
    delta = r + gamma * np.where(term, 0.0, nv) - v
    T = r.shape[0]
    flat_delta = delta.reshape(T, -1)
    flat_done = dones.reshape(T, -1)
    adv = np.zeros_like(flat_delta)
    for col in range(flat_delta.shape[1]):  # column by column, in plain Python
        acc = 0.0
        for t in range(T - 1, -1, -1):
            acc = flat_delta[t, col] + (0.0 if flat_done[t, col] else gamma * lam * acc)
            adv[t, col] = acc
    return adv.reshape(delta.shape)


def _make_relu128():
    lr_policy = {"reinforce": 5e-3, "baseline": 5e-3, "a2c1": 5e-4}

    def policy_net(obs_dim=4, n_actions=2):
        return _Policy(obs_dim, n_actions, (128, 128), nn.ReLU, orthogonal=False)

    def value_net(obs_dim=4):
        return _Critic(obs_dim, (128, 128), nn.ReLU, orthogonal=False)

    def make_optimizers(policy, value, algorithm):
        p = torch.optim.Adam(policy.parameters(), lr=lr_policy.get(algorithm, 1e-3))
        return p, (None if value is None else torch.optim.Adam(value.parameters(), lr=1e-2))

    def reinforce_update(policy, optimizer, batch, gamma):
        g = _np_full_returns(batch.rewards, np.zeros(batch.shape), np.ones(batch.shape, bool), batch.dones, gamma)
        mask = torch.from_numpy(batch.complete)
        loss = -_masked_mean(_log_prob_taken(policy, batch.obs, batch.actions) * torch.from_numpy(g).float(), mask)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"policy_loss": loss.item()}

    def _ac(policy, value, po, vo, batch, targets, values, mask, normalize):
        adv = targets - values.detach()
        adv = _standardise(adv, mask) if normalize else adv * mask
        pl = -_masked_mean(_log_prob_taken(policy, batch.obs, batch.actions) * adv, mask)
        vl = _masked_mean((values - targets) ** 2, mask)
        _two_steps(po, vo, pl, vl)
        return {"policy_loss": pl.item(), "value_loss": vl.item()}

    def baseline_update(policy, value, po, vo, batch, gamma, normalize=True):
        g = _np_full_returns(batch.rewards, np.zeros(batch.shape), np.ones(batch.shape, bool), batch.dones, gamma)
        values = _values(value, batch.obs)
        return _ac(policy, value, po, vo, batch, torch.from_numpy(g).float(), values,
                   torch.from_numpy(batch.complete), normalize)

    def a2c_update(policy, value, po, vo, batch, gamma, n, normalize=True):
        values = _values(value, batch.obs)
        with torch.no_grad():
            nv = _values(value, batch.next_obs).numpy()
        g = _relu128_nstep(batch.rewards, nv, batch.terminated, batch.dones, gamma, n)
        return _ac(policy, value, po, vo, batch, torch.from_numpy(g).float(), values,
                   torch.from_numpy(batch.valid), normalize)

    def gae_update(policy, value, po, vo, batch, gamma, lam, normalize=True):
        values = _values(value, batch.obs)
        with torch.no_grad():
            nv = _values(value, batch.next_obs).numpy()
        v = values.detach().numpy()
        adv = _relu128_gae(batch.rewards, v, nv, batch.terminated, batch.dones, gamma, lam)
        return _ac(policy, value, po, vo, batch, torch.from_numpy(adv + v).float(), values,
                   torch.from_numpy(batch.valid), normalize)

    return SimpleNamespace(PolicyNetwork=policy_net, ValueNetwork=value_net, make_optimizers=make_optimizers,
                           reinforce_update=reinforce_update, baseline_update=baseline_update,
                           a2c_update=a2c_update, gae_update=gae_update)


# ---------------------------------------------------------------------------------------------
# tanh32-orth (and tanh64-default): per-column discount matrices
# ---------------------------------------------------------------------------------------------

def _segment_matrix(dones_col, base):
    """M[t, u] = base**(u - t) for u >= t within t's episode (episodes end where dones_col)."""
    T = len(dones_col)
    seg = np.concatenate([[0], np.cumsum(dones_col[:-1].astype(np.int64))])
    t = np.arange(T)
    diff = t[None, :] - t[:, None]
    same = seg[:, None] == seg[None, :]
    with np.errstate(over="ignore", under="ignore"):
        powers = np.where(diff >= 0, float(base) ** np.maximum(diff, 0), 0.0)
    return np.where(same & (diff >= 0), powers, 0.0), diff


def _columns(x):
    x = np.asarray(x)
    return x.reshape(x.shape[0], -1)


def _matrix_returns(rewards, dones, gamma):
    r, d = _columns(np.asarray(rewards, np.float64)), _columns(np.asarray(dones, bool))
    out = np.empty_like(r)
    for c in range(r.shape[1]):
        m, _ = _segment_matrix(d[:, c], gamma)
        out[:, c] = m @ r[:, c]
    return out.reshape(np.shape(rewards))


def _matrix_nstep(rewards, nv, term, dones, gamma, n):
    r, v = _columns(np.asarray(rewards, np.float64)), _columns(np.asarray(nv, np.float64))
    te, d = _columns(np.asarray(term, bool)), _columns(np.asarray(dones, bool))
    T = r.shape[0]
    out = np.empty_like(r)
    idx = np.arange(T)
    for c in range(r.shape[1]):
        m, diff = _segment_matrix(d[:, c], gamma)
        m = np.where(diff < n, m, 0.0)
        summed = m @ r[:, c]
        last = np.where(m > 0, idx[None, :], -1).max(axis=1) if gamma > 0 else None
        if last is None:  # gamma == 0: no reward beyond the first counts; the bootstrap is multiplied by 0 anyway
            out[:, c] = r[:, c]
            continue
        steps = last - idx + 1
        boot = np.where(te[last, c], 0.0, v[last, c])
        out[:, c] = summed + gamma ** steps * boot
    return out.reshape(np.shape(rewards))


def _matrix_gae(rewards, values, nv, term, dones, gamma, lam):
    r, v, w = (_columns(np.asarray(x, np.float64)) for x in (rewards, values, nv))
    te, d = _columns(np.asarray(term, bool)), _columns(np.asarray(dones, bool))
    delta = r + gamma * np.where(te, 0.0, w) - v
    out = np.empty_like(delta)
    for c in range(delta.shape[1]):
        if gamma * lam == 0:
            out[:, c] = delta[:, c]
            continue
        m, _ = _segment_matrix(d[:, c], gamma * lam)
        out[:, c] = m @ delta[:, c]
    return out.reshape(np.shape(rewards))


def _make_matrix_learner(hidden, orthogonal, lr_mc, lr_td, lr_value):
    def policy_net(obs_dim=4, n_actions=2):
        return _Policy(obs_dim, n_actions, hidden, nn.Tanh, orthogonal=orthogonal)

    def value_net(obs_dim=4):
        return _Critic(obs_dim, hidden, nn.Tanh, orthogonal=orthogonal)

    def make_optimizers(policy, value, algorithm):
        lr = lr_mc if algorithm in MONTE_CARLO else (min(lr_td, 5e-4) if algorithm == "a2c1" else lr_td)
        po = torch.optim.Adam(policy.parameters(), lr=lr)
        return po, (None if value is None else torch.optim.Adam(value.parameters(), lr=lr_value))

    def _policy_loss(policy, batch, weights, mask):
        logp = _log_prob_taken(policy, batch.obs, batch.actions)
        m = torch.as_tensor(mask)
        return -(logp[m] * weights[m]).sum() / max(int(m.sum()), 1)

    def reinforce_update(policy, optimizer, batch, gamma):
        g = torch.tensor(_matrix_returns(batch.rewards, batch.dones, gamma), dtype=torch.float32)
        loss = _policy_loss(policy, batch, g, batch.complete)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"policy_loss": loss.item()}

    def _ac(policy, value, po, vo, batch, targets, values, mask, normalize):
        m = torch.as_tensor(mask)
        with torch.no_grad():
            adv = targets - values
            if normalize:
                counted = adv[m]
                adv = torch.zeros_like(adv) if counted.numel() == 0 else torch.where(
                    m, (adv - counted.mean()) / (counted.std(unbiased=False) + 1e-8), torch.zeros_like(adv))
        pl = _policy_loss(policy, batch, adv, m)
        vl = ((values - targets)[m] ** 2).sum() / max(int(m.sum()), 1)
        _two_steps(po, vo, pl, vl)
        return {"policy_loss": pl.item(), "value_loss": vl.item()}

    def baseline_update(policy, value, po, vo, batch, gamma, normalize=True):
        g = torch.tensor(_matrix_returns(batch.rewards, batch.dones, gamma), dtype=torch.float32)
        return _ac(policy, value, po, vo, batch, g, _values(value, batch.obs), batch.complete, normalize)

    def a2c_update(policy, value, po, vo, batch, gamma, n, normalize=True):
        values = _values(value, batch.obs)
        with torch.no_grad():
            nv = _values(value, batch.next_obs).numpy()
        g = torch.tensor(_matrix_nstep(batch.rewards, nv, batch.terminated, batch.dones, gamma, n),
                         dtype=torch.float32)
        return _ac(policy, value, po, vo, batch, g, values, batch.valid, normalize)

    def gae_update(policy, value, po, vo, batch, gamma, lam, normalize=True):
        values = _values(value, batch.obs)
        with torch.no_grad():
            nv = _values(value, batch.next_obs).numpy()
        v = values.detach().numpy().astype(np.float64)
        adv = _matrix_gae(batch.rewards, v, nv, batch.terminated, batch.dones, gamma, lam)
        return _ac(policy, value, po, vo, batch, torch.tensor(adv + v, dtype=torch.float32), values, batch.valid,
                   normalize)

    return SimpleNamespace(PolicyNetwork=policy_net, ValueNetwork=value_net, make_optimizers=make_optimizers,
                           reinforce_update=reinforce_update, baseline_update=baseline_update,
                           a2c_update=a2c_update, gae_update=gae_update)


# ---------------------------------------------------------------------------------------------
# relu64-rmsprop: reverse loops in PyTorch, one backward of the summed losses
# ---------------------------------------------------------------------------------------------

def _torch_targets(rewards, dones, terminated, next_values, gamma, n=None, lam=None, values=None):
    """Targets in PyTorch (float64). ``n=None``: Monte-Carlo returns; ``lam``: GAE advantages (reverse loops);
    else n-step targets from prefix sums."""
    r = torch.as_tensor(np.asarray(rewards), dtype=torch.float64)
    d = torch.as_tensor(np.asarray(dones, dtype=bool))
    T = r.shape[0]
    if lam is not None:
        te = torch.as_tensor(np.asarray(terminated, dtype=bool))
        nv = torch.as_tensor(np.asarray(next_values), dtype=torch.float64)
        v = torch.as_tensor(np.asarray(values), dtype=torch.float64)
        delta = r + gamma * torch.where(te, torch.zeros_like(nv), nv) - v
        out = torch.zeros_like(delta)
        carry = torch.zeros_like(delta[0])
        for t in reversed(range(T)):
            carry = delta[t] + gamma * lam * carry * (~d[t])
            out[t] = carry
        return out
    if n is None:
        out = torch.zeros_like(r)
        carry = torch.zeros_like(r[0])
        for t in reversed(range(T)):
            carry = r[t] + gamma * carry * (~d[t])
            out[t] = carry
        return out
    # n-step targets from discounted prefix sums (float64; needs gamma > 0):
    # sum_{k<m} gamma^k r[t+k] = (S[t+m] - S[t]) / gamma^t with S[u] = sum_{j<u} gamma^j r[j].
    te = torch.as_tensor(np.asarray(terminated, dtype=bool))
    nv = torch.as_tensor(np.asarray(next_values), dtype=torch.float64)
    shape = r.shape
    r2, d2, te2, nv2 = (x.reshape(T, -1) for x in (r, d, te, nv))
    powers = (gamma ** torch.arange(T, dtype=torch.float64))[:, None]
    prefix = torch.cat([torch.zeros_like(r2[:1]), torch.cumsum(powers * r2, dim=0)])
    episode_end = torch.empty(r2.shape, dtype=torch.int64)  # first done at or after t, else T - 1
    nxt = torch.full((r2.shape[1],), T - 1, dtype=torch.int64)
    for t in reversed(range(T)):
        nxt = torch.where(d2[t], torch.tensor(t), nxt)
        episode_end[t] = nxt
    start = torch.arange(T)[:, None].expand_as(episode_end)
    stop = torch.minimum(start + n, episode_end + 1)  # one past the last summed step
    summed = (prefix.gather(0, stop) - prefix.gather(0, start)) / powers
    last = stop - 1
    boot = torch.where(te2.gather(0, last), torch.zeros_like(summed), nv2.gather(0, last))
    return (summed + gamma ** (stop - start).double() * boot).reshape(shape)


def _make_relu64_rmsprop():
    lr = {"reinforce": 3e-3, "baseline": 3e-3, "a2c1": 5e-4}

    def policy_net(obs_dim=4, n_actions=2):
        return _Policy(obs_dim, n_actions, (64, 64), nn.ReLU, orthogonal=False)

    def value_net(obs_dim=4):
        return _Critic(obs_dim, (64, 64), nn.ReLU, orthogonal=False)

    def make_optimizers(policy, value, algorithm):
        po = torch.optim.RMSprop(policy.parameters(), lr=lr.get(algorithm, 7e-4), alpha=0.99, eps=1e-5)
        vo = None if value is None else torch.optim.RMSprop(value.parameters(), lr=5e-3, alpha=0.99, eps=1e-5)
        return po, vo

    def reinforce_update(policy, optimizer, batch, gamma):
        g = _torch_targets(batch.rewards, batch.dones, None, None, gamma).float()
        mask = torch.as_tensor(batch.complete)
        logp = _log_prob_taken(policy, batch.obs, batch.actions)
        loss = -(logp * g).masked_select(mask).sum() / max(int(mask.sum()), 1)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"policy_loss": loss.item()}

    def _ac(policy, value, po, vo, batch, targets, values, mask, normalize):
        m = torch.as_tensor(mask)
        adv = (targets - values).detach()
        if normalize:
            adv = _standardise(adv, m)
        else:
            adv = adv * m
        logp = _log_prob_taken(policy, batch.obs, batch.actions)
        count = max(int(m.sum()), 1)
        pl = -(logp * adv).masked_select(m).sum() / count
        vl = (values - targets).pow(2).masked_select(m).sum() / count
        po.zero_grad()
        vo.zero_grad()
        (pl + vl).backward()  # separate networks and detached advantages: each loss reaches only its own
        po.step()
        vo.step()
        return {"policy_loss": pl.item(), "value_loss": vl.item()}

    def baseline_update(policy, value, po, vo, batch, gamma, normalize=True):
        g = _torch_targets(batch.rewards, batch.dones, None, None, gamma).float()
        return _ac(policy, value, po, vo, batch, g, _values(value, batch.obs), batch.complete, normalize)

    def a2c_update(policy, value, po, vo, batch, gamma, n, normalize=True):
        values = _values(value, batch.obs)
        with torch.no_grad():
            nv = _values(value, batch.next_obs)
        g = _torch_targets(batch.rewards, batch.dones, batch.terminated, nv.numpy(), gamma, n=n).float()
        return _ac(policy, value, po, vo, batch, g, values, batch.valid, normalize)

    def gae_update(policy, value, po, vo, batch, gamma, lam, normalize=True):
        values = _values(value, batch.obs)
        with torch.no_grad():
            nv = _values(value, batch.next_obs)
        v = values.detach()
        adv = _torch_targets(batch.rewards, batch.dones, batch.terminated, nv.numpy(), gamma, lam=lam,
                             values=v.numpy())
        return _ac(policy, value, po, vo, batch, (adv + v.double()).float(), values, batch.valid, normalize)

    return SimpleNamespace(PolicyNetwork=policy_net, ValueNetwork=value_net, make_optimizers=make_optimizers,
                           reinforce_update=reinforce_update, baseline_update=baseline_update,
                           a2c_update=a2c_update, gae_update=gae_update)


LEARNERS = {
    "relu128": _make_relu128(),
    "tanh32-orth": _make_matrix_learner((32,), orthogonal=True, lr_mc=2e-3, lr_td=5e-4, lr_value=3e-3),
    "relu64-rmsprop": _make_relu64_rmsprop(),
    "tanh64-default": _make_matrix_learner((64, 64), orthogonal=False, lr_mc=5e-3, lr_td=1e-3, lr_value=1e-2),
}

# Exposed for the self-check in calibrate_pg.py (--self-check): the targets of each learner.
def _relu128_returns(rewards, dones, gamma):
    return _np_full_returns(rewards, np.zeros(np.shape(rewards)), np.ones(np.shape(rewards), bool), dones, gamma)


TARGETS = {
    "relu128": dict(returns=_relu128_returns, nstep=_relu128_nstep, gae=_relu128_gae),
    "matrix": dict(returns=_matrix_returns, nstep=_matrix_nstep, gae=_matrix_gae),
    "torch": dict(returns=lambda r, d, g: _torch_targets(r, d, None, None, g).numpy(),
                  nstep=lambda r, nv, te, d, g, n: _torch_targets(r, d, te, nv, g, n=n).numpy(),
                  gae=lambda r, v, nv, te, d, g, lam: _torch_targets(r, d, te, nv, g, lam=lam, values=v).numpy()),
}
