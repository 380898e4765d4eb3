# GIVEN CODE: complete, do not edit.
"""A CartPole-v1 expert that needs no weight file: a hand-tuned linear controller.

The observation of ``CartPole-v1`` is ``(x, x_dot, theta, theta_dot)``: cart position,
cart velocity, pole angle (radians, positive when the pole leans right) and pole angular
velocity. The expert pushes the cart right (action 1) exactly when

    0.1 * x + 0.5 * x_dot + 10 * theta + 2 * theta_dot > 0

and left (action 0) otherwise. It balances the pole for the whole episode (return 500)
from every start state. It sees the full state: the imitation learners of Problem 6
copy it from demonstrations, and the extra-credit agent copies it while observing only
``(x, theta)``.

Run ``python expert.py`` to watch its returns on a few seeds (headless).
"""

import argparse

import numpy as np

# Gains on (x, x_dot, theta, theta_dot).
EXPERT_GAINS = np.array([0.1, 0.5, 10.0, 2.0])


def expert_policy(obs):
    """The expert's action (0 = push left, 1 = push right) for one full observation.

    Parameters
    ----------
    obs : array-like, shape (4,)
        A CartPole-v1 observation ``(x, x_dot, theta, theta_dot)``.

    Returns
    -------
    int
        1 if ``EXPERT_GAINS @ obs > 0`` else 0 (a Python int).
    """
    return int(float(np.dot(EXPERT_GAINS, np.asarray(obs, dtype=np.float64).reshape(4))) > 0.0)


def expert_actions(observations):
    """The expert's actions for a batch of observations.

    Parameters
    ----------
    observations : array-like, shape (N, 4)

    Returns
    -------
    np.ndarray, int64, shape (N,)
        ``expert_policy`` applied to every row.
    """
    observations = np.asarray(observations, dtype=np.float64).reshape(-1, 4)
    return (observations @ EXPERT_GAINS > 0.0).astype(np.int64)


def run_expert(env, seed):
    """Run the expert for one episode of ``env`` reset with ``seed``; return the return (float)."""
    obs, _ = env.reset(seed=seed)
    total, done = 0.0, False
    while not done:
        obs, reward, terminated, truncated, _ = env.step(expert_policy(obs))
        total += float(reward)
        done = terminated or truncated
    return total


def main(argv=None):
    import gymnasium

    parser = argparse.ArgumentParser(description="Run the CartPole expert on a few seeds (headless).")
    parser.add_argument("--episodes", type=int, default=5, help="number of episodes (seeds 0..N-1)")
    args = parser.parse_args(argv)
    env = gymnasium.make("CartPole-v1")
    for seed in range(args.episodes):
        print(f"seed {seed}: return {run_expert(env, seed):.0f}")
    env.close()


if __name__ == "__main__":
    main()
