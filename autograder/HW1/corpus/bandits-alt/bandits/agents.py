"""A correct alternative to the reference agents.py, written differently on purpose.

Estimates come from running sums (q = sums / counts, recomputed for the pulled arm),
UCB gives untried arms an infinite bonus instead of a separate branch, Boltzmann uses
log-sum-exp and samples by inverse CDF with one rng.random() (what rng.choice(k, p=p)
does), and exploration uses rng.choice(k) (the same stream as rng.integers(k)). A constant
step size blends as (1 - step_size) * q + step_size * reward.
"""

import numpy as np


class BanditAgent:
    def __init__(self, k, rng=None):
        self.k = k
        self.rng = np.random.default_rng() if rng is None else rng
        self.q = np.zeros(k)
        self.counts = np.zeros(k, dtype=np.int64)
        self._sums = np.zeros(k)

    step_size = None

    def update(self, action, reward):
        self._sums[action] += reward
        self.counts[action] += 1
        if self.step_size:
            self.q[action] = (1 - self.step_size) * self.q[action] + self.step_size * reward
        else:
            self.q[action] = self._sums[action] / self.counts[action]


class EpsilonGreedyAgent(BanditAgent):
    def __init__(self, k, epsilon, initial_value=0.0, rng=None, step_size=None):
        super().__init__(k, rng)
        self.epsilon = epsilon
        self.step_size = step_size
        self.q.fill(initial_value)

    def get_action(self):
        explore = self.rng.random() < self.epsilon
        if explore:
            return int(self.rng.choice(self.k))
        best = self.q.max()
        return next(a for a in range(self.k) if self.q[a] == best)


class UCBAgent(BanditAgent):
    def __init__(self, k, c, rng=None):
        super().__init__(k, rng)
        self.c = c

    def get_action(self):
        t = int(self.counts.sum()) + 1
        with np.errstate(divide="ignore"):
            bonus = np.where(self.counts > 0, self.c * np.sqrt(np.log(t) / np.maximum(self.counts, 1)), np.inf)
        return int(np.argmax(np.where(self.counts > 0, self.q + bonus, np.inf)))


class BoltzmannAgent(BanditAgent):
    def __init__(self, k, temperature, rng=None):
        super().__init__(k, rng)
        self.temperature = temperature

    def action_probabilities(self):
        z = self.q / self.temperature
        top = z.max()
        log_normaliser = top + np.log(np.exp(z - top).sum())
        return np.exp(z - log_normaliser)

    def get_action(self):
        cdf = np.cumsum(self.action_probabilities())
        return int(np.searchsorted(cdf / cdf[-1], self.rng.random(), side="right"))
