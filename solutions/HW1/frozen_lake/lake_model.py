"""Problem 1 (10 points): the lake as a model.

Turn a FrozenLake environment into arrays (a tabular MDP model), run episodes the way
the recitation does (with its two bugs fixed), and estimate how good a policy is by
Monte-Carlo rollouts. Conventions (HW1/README.md): read dynamics from
``env.unwrapped.P`` (never ``env.P``); ``P[s][a]`` is a list of
``(probability, next_state, reward, terminated)`` tuples, and several tuples may share
a ``next_state`` (slippery lakes), so they must be summed.
"""

import numpy as np


def extract_model(env):
    """Read the tabular model of a FrozenLake environment.

    Parameters
    ----------
    env : gymnasium.Env
        A ``FrozenLake-v1`` environment (wrapped or not); use ``env.unwrapped.P``.

    Returns
    -------
    T : np.ndarray, float64, shape (S, A, S)
        ``T[s, a, s2]`` is the probability of moving from ``s`` to ``s2`` under action
        ``a``. Duplicate tuples with the same ``s2`` are summed; every row ``T[s, a]``
        sums to 1.
    R : np.ndarray, float64, shape (S, A)
        ``R[s, a]`` is the expected immediate reward, sum over tuples of
        ``probability * reward``.
    terminal : np.ndarray, bool, shape (S,)
        True exactly for the states that some transition flagged ``terminated`` leads
        into: the holes and the goal.

    ``S = env.observation_space.n`` and ``A = env.action_space.n``. The environment is
    not modified.
    """
    # BEGIN SOLUTION
    P = env.unwrapped.P
    n_states, n_actions = env.observation_space.n, env.action_space.n
    T = np.zeros((n_states, n_actions, n_states))
    R = np.zeros((n_states, n_actions))
    terminal = np.zeros(n_states, dtype=bool)
    for s in range(n_states):
        for a in range(n_actions):
            for probability, next_state, reward, terminated in P[s][a]:
                T[s, a, next_state] += probability
                R[s, a] += probability * reward
                terminal[next_state] |= bool(terminated)
    return T, R, terminal
    # END SOLUTION


def run_episode(agent, env, max_steps, seed=None):
    """Run one episode: the recitation's ``run`` with its two bugs fixed.

    Resets with ``env.reset(seed=seed)`` (so a seed makes the episode reproducible),
    then repeats at most ``max_steps`` times: ``action = agent.get_action(observation)``,
    ``env.step(action)``, record, and stop as soon as the step returns
    ``terminated or truncated`` (the recitation ignored ``truncated``).

    Parameters
    ----------
    agent : object with ``get_action(observation) -> int``
    env : gymnasium.Env
    max_steps : int
        Upper bound on the number of steps.
    seed : int or None
        Passed to ``env.reset``.

    Returns
    -------
    observations, actions, rewards : three lists of equal length, one entry per step
        ``observations[t]`` (int) is the state in which ``actions[t]`` (int) was taken and
        ``rewards[t]`` (float) is the reward that step returned.
    """
    # BEGIN SOLUTION
    observation, _ = env.reset(seed=seed)
    observations, actions, rewards = [], [], []
    for _ in range(max_steps):
        action = int(agent.get_action(observation))
        next_observation, reward, terminated, truncated, _ = env.step(action)
        observations.append(int(observation))
        actions.append(action)
        rewards.append(float(reward))
        observation = next_observation
        if terminated or truncated:
            break
    return observations, actions, rewards
    # END SOLUTION


def evaluate_policy_mc(env, policy, n_episodes, seed):
    """Monte-Carlo evaluation of a deterministic tabular policy.

    Episode ``i`` (``i = 0 .. n_episodes-1``) starts with ``env.reset(seed=seed + i)``
    and follows ``action = policy[state]`` until ``terminated or truncated`` (the
    environment's own time limit ends episodes that never terminate).

    Parameters
    ----------
    env : gymnasium.Env
        A FrozenLake environment with a time limit (as ``gymnasium.make`` builds it).
    policy : np.ndarray, int, shape (S,)
    n_episodes : int
    seed : int

    Returns
    -------
    mean_return : float
        Mean over episodes of the undiscounted sum of rewards.
    success_rate : float
        Fraction of episodes that ended on the goal tile (``'G'``).

    Both are Python floats. ``policy`` is not modified.
    """
    # BEGIN SOLUTION
    desc = env.unwrapped.desc
    goal_states = {int(i) for i in np.flatnonzero(desc.ravel() == b"G")}
    total_return, successes = 0.0, 0
    for i in range(n_episodes):
        state, _ = env.reset(seed=seed + i)
        episode_return, done = 0.0, False
        while not done:
            state, reward, terminated, truncated, _ = env.step(int(policy[state]))
            episode_return += float(reward)
            done = terminated or truncated
        total_return += episode_return
        successes += int(terminated and state in goal_states)
    return total_return / n_episodes, successes / n_episodes
    # END SOLUTION
