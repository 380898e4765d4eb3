"""{{HW}}, Problem 1: discounted returns (a warm-up from the homework template).

Replace this problem with your own: write the reference here, put each answer between the
BEGIN SOLUTION and END SOLUTION marker comments (as below), and run ``make stubs HW={{N}}`` to
write the student's stub in ``{{HW}}/code/warmup/returns.py`` (the docstrings go to the students).
"""

import numpy as np


def discounted_return(rewards, gamma):
    """The discounted return of one episode: ``sum_t gamma**t * rewards[t]``.

    Args:
        rewards: the episode's rewards, a sequence of floats of length T (T may be 0).
        gamma: the discount factor, a float in [0, 1].

    Returns:
        The return as a Python ``float`` (0.0 for an empty episode). ``rewards`` is not mutated.
    """
    # BEGIN SOLUTION
    rewards = np.asarray(rewards, dtype=np.float64)
    return float(np.sum(rewards * gamma ** np.arange(len(rewards))))
    # END SOLUTION
