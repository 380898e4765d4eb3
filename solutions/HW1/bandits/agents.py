"""Problem 3 (15 points): exploration in the k-armed testbed.

Three ways to balance exploration and exploitation on a k-armed bandit (Sutton & Barto,
chapter 2): epsilon-greedy (with optional optimistic initial values), upper confidence
bounds (UCB) and Boltzmann (softmax) exploration. The given ``testbed.py`` runs them on
the 10-armed Gaussian testbed and plots their learning curves (``python testbed.py``).

Conventions every agent follows (the tests rely on them):

- Arms are numbered ``0 .. k-1``. ``get_action()`` returns the arm to pull as a Python
  ``int``; ``update(action, reward)`` is then called once with that arm and the reward
  it paid (a float) and returns ``None``.
- ``q`` (estimates, ``np.ndarray`` float64, shape ``(k,)``) and ``counts`` (how many
  times each arm was pulled, ``np.ndarray`` int64, shape ``(k,)``) are attributes, kept
  up to date in place by ``update``.
- Estimates are sample averages, updated incrementally:
  ``counts[a] += 1`` then ``q[a] += (reward - q[a]) / counts[a]``. After an arm's first
  pull its estimate is exactly the average of the rewards it paid; its initial value only
  matters until then. The one exception: an ``EpsilonGreedyAgent`` built with a constant
  ``step_size`` α (Sutton & Barto section 2.5) updates ``q[a] += α * (reward - q[a])``
  instead, a recency-weighted average in which the initial value fades only gradually.
- Greedy choices break ties toward the lowest index (``np.argmax``).
- All randomness comes from ``self.rng`` (a ``np.random.Generator``; ``rng=None`` means a
  fresh unseeded ``np.random.default_rng()``), drawn in the order each class documents, so
  that a seeded agent is reproducible and matches the reference draw for draw.
"""

import numpy as np


class BanditAgent:
    """Base class: sample-average estimates and pull counts shared by every agent.

    Parameters
    ----------
    k : int
        Number of arms (``k >= 1``).
    rng : np.random.Generator or None
        Source of all randomness; ``None`` means ``np.random.default_rng()``.

    Attributes
    ----------
    k : int
    rng : np.random.Generator
    q : np.ndarray, float64, shape (k,)
        Action-value estimates, all 0.0 at the start.
    counts : np.ndarray, int64, shape (k,)
        Number of times each arm was pulled, all 0 at the start.
    step_size : float or None
        ``None`` (this class attribute, the default): sample averages. A subclass that
        supports a constant step size (``EpsilonGreedyAgent``) stores it here, and
        ``update`` then uses it.

    Subclasses call ``super().__init__(k, rng)`` first, then set their own parameters,
    and implement ``get_action``.
    """

    step_size = None  # sample averages unless a subclass sets a constant step size

    def __init__(self, k, rng=None):
        # TODO: store k and rng (a fresh np.random.default_rng() when rng is None), and
        # allocate q (zeros, float64, shape (k,)) and counts (zeros, int64, shape (k,)).
        # BEGIN SOLUTION
        if int(k) < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        self.k = int(k)
        self.rng = rng if rng is not None else np.random.default_rng()
        self.q = np.zeros(self.k, dtype=np.float64)
        self.counts = np.zeros(self.k, dtype=np.int64)
        # END SOLUTION

    def get_action(self):
        """Return the arm to pull next, a Python ``int`` in ``[0, k)``. Subclasses implement it."""
        raise NotImplementedError("each agent class implements its own get_action")

    def update(self, action, reward):
        """Record that arm ``action`` paid ``reward``: the incremental sample average.

        ``counts[action] += 1``, then ``q[action] += (reward - q[action]) / counts[action]``
        (so ``q[action]`` is the mean of the rewards that arm paid). When
        ``self.step_size`` is not ``None`` (a constant step size α), the second step is
        ``q[action] += α * (reward - q[action])`` instead (``counts`` is still incremented).
        Updates ``q`` and ``counts`` in place (same arrays, same dtypes); other arms are
        untouched. Returns ``None``.
        """
        # BEGIN SOLUTION
        self.counts[action] += 1
        alpha = 1.0 / self.counts[action] if self.step_size is None else self.step_size
        self.q[action] += alpha * (reward - self.q[action])
        # END SOLUTION


class EpsilonGreedyAgent(BanditAgent):
    """Epsilon-greedy action selection with sample-average estimates.

    Parameters
    ----------
    k : int
        Number of arms.
    epsilon : float
        Probability of exploring, in ``[0, 1]``. ``0`` is purely greedy, ``1`` purely random.
    initial_value : float
        Initial estimate of every arm (``q`` starts as ``np.full(k, initial_value)``,
        float64). A large value (e.g. 5 on the standard testbed) is *optimistic
        initialisation*: every untried arm looks better than any tried one, so even a
        greedy agent tries each arm once (in index order) before settling.
    rng : np.random.Generator or None
    step_size : float or None
        ``None`` (default): sample-average estimates. A float α in ``(0, 1]``: a constant
        step size, ``q[a] += α * (reward - q[a])`` (stored as ``self.step_size``; see
        ``BanditAgent.update``). Sutton & Barto's figure 2.3 uses α = 0.1: with it an
        optimistic initial value keeps a greedy agent exploring for a while, since one
        pull moves the estimate only a tenth of the way to the reward.

    ``get_action`` draws, on every call and in this order:

    1. ``u = self.rng.random()`` (always exactly once, even when ``epsilon`` is 0 or 1);
    2. if ``u < epsilon`` (explore): ``self.rng.integers(k)``, uniform over ALL k arms
       (the greedy arm included), and that is the action;
       otherwise (exploit): ``np.argmax(self.q)``, ties to the lowest index, no draw.
    """

    def __init__(self, k, epsilon, initial_value=0.0, rng=None, step_size=None):
        super().__init__(k, rng)
        # TODO: store epsilon, initial_value and step_size (None or a float), and start every
        # estimate in q at initial_value.
        # BEGIN SOLUTION
        if not 0.0 <= epsilon <= 1.0:
            raise ValueError(f"epsilon must be in [0, 1], got {epsilon}")
        if step_size is not None and not 0.0 < step_size <= 1.0:
            raise ValueError(f"step_size must be None or in (0, 1], got {step_size}")
        self.epsilon = float(epsilon)
        self.initial_value = float(initial_value)
        self.step_size = None if step_size is None else float(step_size)
        self.q[:] = self.initial_value
        # END SOLUTION

    def get_action(self):
        """Explore with probability ``epsilon`` (uniform over all arms), else act greedily.

        Returns a Python ``int`` in ``[0, k)``; see the class docstring for the exact draws.
        """
        # BEGIN SOLUTION
        if self.rng.random() < self.epsilon:
            return int(self.rng.integers(self.k))
        return int(np.argmax(self.q))
        # END SOLUTION


class UCBAgent(BanditAgent):
    """Upper-confidence-bound action selection (Sutton & Barto, eq. 2.10).

    Parameters
    ----------
    k : int
        Number of arms.
    c : float
        Exploration strength, ``c >= 0`` (``c = 0`` is greedy once every arm was tried).
    rng : np.random.Generator or None
        Accepted for a uniform interface; UCB is deterministic and draws nothing.

    Estimates start at 0 and are sample averages (``BanditAgent.update``).

    ``get_action``:

    1. if some arm was never pulled (``counts == 0``), return the lowest such index;
    2. otherwise, with ``t = counts.sum() + 1`` (the current step, counted from 1),
       return ``np.argmax(q + c * np.sqrt(np.log(t) / counts))``, ties to the lowest index.
    """

    def __init__(self, k, c, rng=None):
        super().__init__(k, rng)
        # TODO: store c.
        # BEGIN SOLUTION
        if c < 0:
            raise ValueError(f"c must be non-negative, got {c}")
        self.c = float(c)
        # END SOLUTION

    def get_action(self):
        """Untried arms first (lowest index), then the arm with the largest upper bound.

        Returns a Python ``int`` in ``[0, k)``; draws no random numbers.
        """
        # BEGIN SOLUTION
        least = int(np.argmin(self.counts))
        if self.counts[least] == 0:
            return least
        t = self.counts.sum() + 1
        return int(np.argmax(self.q + self.c * np.sqrt(np.log(t) / self.counts)))
        # END SOLUTION


class BoltzmannAgent(BanditAgent):
    """Boltzmann (softmax) exploration: sample arms with probability softmax(q / temperature).

    Parameters
    ----------
    k : int
        Number of arms.
    temperature : float
        ``temperature > 0``. Small temperatures act almost greedily, large ones almost
        uniformly at random.
    rng : np.random.Generator or None

    Estimates start at 0 and are sample averages (``BanditAgent.update``).

    ``get_action`` makes exactly one draw per call:
    ``self.rng.choice(k, p=self.action_probabilities())``.
    """

    def __init__(self, k, temperature, rng=None):
        super().__init__(k, rng)
        # TODO: store temperature.
        # BEGIN SOLUTION
        if not temperature > 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        self.temperature = float(temperature)
        # END SOLUTION

    def action_probabilities(self):
        """The current selection probabilities, softmax(q / temperature).

        Computed stably: subtract the largest entry before exponentiating, so that huge
        ``q / temperature`` (e.g. 1e5) neither overflows nor produces NaN.

        Returns
        -------
        np.ndarray, float64, shape (k,)
            Non-negative, sums to 1; equal estimates get equal probabilities. ``q`` is not
            modified.
        """
        # BEGIN SOLUTION
        z = (self.q - self.q.max()) / self.temperature
        weights = np.exp(z)
        return weights / weights.sum()
        # END SOLUTION

    def get_action(self):
        """Sample an arm from ``action_probabilities()``.

        Returns a Python ``int`` in ``[0, k)``; one ``self.rng.choice(k, p=...)`` draw per call.
        """
        # BEGIN SOLUTION
        return int(self.rng.choice(self.k, p=self.action_probabilities()))
        # END SOLUTION
