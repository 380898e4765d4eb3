"""Given (complete): the batch every update function receives, and the vectorised collector that fills it.

``Collector`` steps ``num_envs`` CartPole-v1 environments side by side with Gymnasium's native
vectorised CartPole (``gymnasium.make_vec("CartPole-v1", num_envs=E,
vectorization_mode="vector_entry_point")``, NumPy throughout) and records their transitions into
a time-major ``Batch``: entry ``[t, e]`` is step ``t`` of environment ``e``. Each column is one
environment's steps in order, its episodes laid end to end: the step after an episode's last
step (``dones[t, e]``) is the first step of its next episode.

Two kinds of batch:

- **Windows** (``whole_episodes=False``, the bootstrapping learners A2C and GAE): each column
  holds exactly ``n_steps`` consecutive steps. The episode running at a column's last step
  is cut there and continues in the next batch. Every entry is real (``valid`` all True).
- **Whole episodes** (``whole_episodes=True``, the Monte-Carlo learners REINFORCE and
  REINFORCE with a baseline): each column records at least ``n_steps`` steps and then goes on
  to the end of the episode it is in, so its last recorded step is always an episode's end
  and every recorded step has a known return. Columns then differ in length: the batch is as
  long as the longest (``T`` varies from batch to batch, at most ``n_steps + 499``), and the
  shorter columns are padded at the end with entries that are not real (``valid`` False;
  reward 0, ``terminated`` and ``dones`` True, zero observations and action 0, so that no
  return or target ever reaches across them).

  Why not count only the steps of a fixed window whose episode happens to end inside it?
  Because that choice looks at the future: of two steps in the same state, the one whose
  action kept the pole up longer is more likely to be cut by the window's end and dropped, so
  the kept steps favour the actions that failed soon, and the gradient is biased against long
  episodes. A column here stops only at an episode's end and starts wherever the previous
  batch left it, decisions that never depend on what happens after the step.

How the autoreset is handled. The vectorised CartPole resets an environment on the call
*after* the one that ended its episode (``AutoresetMode.NEXT_STEP``): the step that ends an
episode returns its final observation (kept as that step's ``next_obs``), and the next call
ignores the action and returns the new episode's first observation with reward 0 and both
flags False. That call is not a transition, and the collector never records it. Columns
therefore fill at different speeds: the collector steps all environments until every column
is complete, and a column that is complete drops what its environment produces meanwhile (a
few steps per batch), so a column may skip steps between two batches. Nothing relies on a
column continuing across batches.

Randomness: actions are sampled from the policy's logits (``sample_actions``) with the
``np.random.Generator`` the caller passes, one ``rng.random(E)`` draw per call of the
environments; the environments' starting states come from ``envs.reset(seed=seed)``.
"""

from dataclasses import dataclass

import gymnasium
import numpy as np
import torch

ENV_ID = "CartPole-v1"
MAX_EPISODE_STEPS = 500  # CartPole-v1's time limit


@dataclass
class Batch:
    """Transitions of ``E`` environments over ``T`` steps, time-major (NumPy arrays, never modified by learners).

    Attributes
    ----------
    obs : float32 (T, E, obs_dim)
        The observation in which each action was chosen.
    actions : int64 (T, E)
        The actions taken (sampled from the policy).
    rewards : float32 (T, E)
        The reward of each step (CartPole: 1.0 for every step, the last one included).
    terminated : bool (T, E)
        The episode ended at this step in a terminal state (pole fallen, cart off the track):
        the state after it has value 0.
    truncated : bool (T, E)
        The episode was cut at this step by the time limit (500 steps) without terminating.
    dones : bool (T, E)
        ``terminated | truncated``: the episode ended at this step.
    next_obs : float32 (T, E, obs_dim)
        The observation that followed each step. At an episode's last step it is the episode's
        final observation, never the next episode's first one (which is ``obs[t + 1]``).
    complete : bool (T, E)
        A real step whose episode ends within the batch (some ``dones[t', e]`` with ``t' >= t``
        at a real step): its whole return-to-go is known. In whole-episode batches it equals
        ``valid``.
    valid : bool (T, E)
        A real transition (False only for the padding of whole-episode batches).
    """

    obs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    dones: np.ndarray
    next_obs: np.ndarray
    complete: np.ndarray
    valid: np.ndarray

    @property
    def shape(self):
        """``(T, E)``."""
        return self.actions.shape


def complete_mask(dones, valid=None):
    """bool (T, E): True at a real ``[t, e]`` when column ``e`` ends an episode at a real step ``t' >= t``."""
    dones = np.asarray(dones, dtype=bool)
    valid = np.ones(dones.shape, dtype=bool) if valid is None else np.asarray(valid, dtype=bool)
    ends = dones & valid
    later = np.flip(np.logical_or.accumulate(np.flip(ends, axis=0), axis=0), axis=0)
    return np.ascontiguousarray(later & valid)


def sample_actions(policy, obs, rng):
    """Sample one action per row of ``obs`` from ``softmax(policy(obs))``; int64 (B,).

    ``obs`` float32 (B, obs_dim). One draw ``u = rng.random(B)``; row ``i`` takes the first
    action whose cumulative probability exceeds ``u[i]`` (inverse CDF, in float64). No gradient
    is tracked.
    """
    with torch.no_grad():
        logits = policy(torch.as_tensor(obs, dtype=torch.float32))
        probs = torch.softmax(logits.double(), dim=-1).numpy()
    u = rng.random(len(obs))
    actions = (np.cumsum(probs, axis=-1) <= u[:, None]).sum(axis=-1)
    return np.minimum(actions, probs.shape[-1] - 1).astype(np.int64)


def greedy_actions(policy, obs):
    """``argmax(policy(obs))`` per row (ties to the lowest index); int64 (B,), no gradient."""
    with torch.no_grad():
        logits = policy(torch.as_tensor(np.asarray(obs), dtype=torch.float32))
    return torch.argmax(logits, dim=-1).numpy().astype(np.int64)


class Collector:
    """``num_envs`` CartPole-v1 environments stepped side by side; ``collect`` returns the next ``Batch``.

    Parameters
    ----------
    num_envs : int
        ``E``, the number of environments (the batch's columns).
    n_steps : int
        Steps per column: exactly this many in windows, at least this many with
        ``whole_episodes``.
    seed : int
        Seeds the environments (``envs.reset(seed=seed)`` once; the automatic resets draw
        from the environments' own generator).
    whole_episodes : bool
        Batches of whole episodes (the Monte-Carlo learners) instead of windows.

    Attributes
    ----------
    env_steps : int
        Transitions taken so far by all environments together, recorded or dropped (the
        autoreset calls are not transitions).
    episodes : list of (int, float)
        One entry per finished episode, in the order they ended: ``(env_steps when it
        ended, its undiscounted return)``. The training loop's learning curve.
    """

    def __init__(self, num_envs, n_steps, seed, whole_episodes=False):
        self.num_envs = int(num_envs)
        self.n_steps = int(n_steps)
        self.whole_episodes = bool(whole_episodes)
        self.envs = gymnasium.make_vec(ENV_ID, num_envs=self.num_envs, vectorization_mode="vector_entry_point")
        self.obs_dim = int(np.prod(self.envs.single_observation_space.shape))
        self.n_actions = int(self.envs.single_action_space.n)
        self.obs, _ = self.envs.reset(seed=int(seed))
        self._resetting = np.zeros(self.num_envs, dtype=bool)  # the next call resets these environments
        self._returns = np.zeros(self.num_envs)
        self.env_steps = 0
        self.episodes = []

    def collect(self, policy, rng):
        """Step all environments, actions sampled from ``policy``, until every column is complete.

        ``policy`` maps float32 (E, obs_dim) to logits (E, n_actions); ``rng`` is a
        ``np.random.Generator``. Returns a ``Batch`` (a window, or whole episodes: see the
        module docstring).
        """
        E, minimum = self.num_envs, self.n_steps
        capacity = minimum + (MAX_EPISODE_STEPS if self.whole_episodes else 0)
        obs = np.zeros((capacity, E, self.obs_dim), dtype=np.float32)
        next_obs = np.zeros_like(obs)
        actions = np.zeros((capacity, E), dtype=np.int64)
        rewards = np.zeros((capacity, E), dtype=np.float32)
        terminated = np.ones((capacity, E), dtype=bool)  # padding: terminal, so nothing reaches across it
        truncated = np.zeros((capacity, E), dtype=bool)
        filled = np.zeros(E, dtype=np.int64)
        recording = np.ones(E, dtype=bool)
        columns = np.arange(E)
        while recording.any():
            action = sample_actions(policy, self.obs, rng)
            new_obs, reward, term, trunc, _ = self.envs.step(action)
            real = ~self._resetting  # the autoreset calls are not transitions
            ended = real & (term | trunc)
            keep = real & recording
            rows, cols = filled[keep], columns[keep]
            obs[rows, cols] = self.obs[keep]
            actions[rows, cols] = action[keep]
            rewards[rows, cols] = reward[keep]
            terminated[rows, cols] = term[keep]
            truncated[rows, cols] = trunc[keep] & ~term[keep]
            next_obs[rows, cols] = new_obs[keep]
            filled[keep] += 1
            if self.whole_episodes:
                recording &= ~(keep & ended & (filled >= minimum))
            else:
                recording &= filled < minimum
            self.env_steps += int(real.sum())
            self._returns[real] += reward[real]
            for e in np.flatnonzero(ended):
                self.episodes.append((self.env_steps, float(self._returns[e])))
                self._returns[e] = 0.0
            self._resetting = ended
            self.obs = new_obs
        length = int(filled.max())
        valid = np.arange(length)[:, None] < filled[None, :]
        terminated, truncated = terminated[:length].copy(), truncated[:length].copy()
        dones = terminated | truncated
        return Batch(obs[:length].copy(), actions[:length].copy(), rewards[:length].copy(), terminated, truncated,
                     dones, next_obs[:length].copy(), complete_mask(dones, valid), valid)

    def close(self):
        self.envs.close()
