# GIVEN CODE: complete, do not edit.
"""CartPole with only position and angle observed (the extra credit, "Memory matters").

``PartialObservation(env)`` wraps a ``CartPole-v1`` environment and hides the two
velocities: observations are ``(x, theta)`` as float32 arrays of shape (2,). A policy
that sees a single frame cannot tell which way the pole is moving, so it cannot balance
it; a policy with memory (a recurrent network, or attention over the history) can
recover the velocities from consecutive frames.

The underlying full state stays available as ``env.unwrapped.state`` (the expert uses
it to label the states a learner visits).
"""

import gymnasium
import numpy as np

# Which entries of the full observation (x, x_dot, theta, theta_dot) are kept.
OBSERVED_INDICES = (0, 2)


class PartialObservation(gymnasium.ObservationWrapper):
    """Keep only the cart position and the pole angle of a CartPole observation."""

    def __init__(self, env):
        super().__init__(env)
        low = np.asarray(env.observation_space.low, dtype=np.float32)[list(OBSERVED_INDICES)]
        high = np.asarray(env.observation_space.high, dtype=np.float32)[list(OBSERVED_INDICES)]
        self.observation_space = gymnasium.spaces.Box(low=low, high=high, dtype=np.float32)

    def observation(self, observation):
        """The (x, theta) part of a full observation, float32 of shape (2,)."""
        return np.asarray(observation, dtype=np.float32)[list(OBSERVED_INDICES)].copy()
