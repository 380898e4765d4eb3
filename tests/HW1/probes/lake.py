"""Probes for Problem 1 (``lake_model.py``): episodes need an agent object."""

import numpy as np


class ScriptedAgent:
    """Plays ``script`` in order (cycling) and records the observations it was shown."""

    def __init__(self, script):
        self.script = list(script)
        self.seen = []

    def get_action(self, observation):
        self.seen.append(int(observation))
        return self.script[(len(self.seen) - 1) % len(self.script)]


class _CountingSteps:
    """Wraps an environment and counts the steps taken after one returned ``truncated``."""

    def __init__(self, env):
        self._env = env
        self.truncated = False
        self.steps_after_truncation = 0

    def step(self, action):
        if self.truncated:
            self.steps_after_truncation += 1
        out = self._env.step(action)
        self.truncated = self.truncated or bool(out[3])
        return out

    def __getattr__(self, name):
        return getattr(self._env, name)


def run_episode_scripted(env, script, max_steps, seed=None):
    """``run_episode`` with a scripted agent; also reports what the agent saw and how many steps it
    took after a step had returned ``truncated`` (the episode should have ended there)."""
    import lake_model

    agent = ScriptedAgent(script)
    counting = _CountingSteps(env)
    result = lake_model.run_episode(agent, counting, max_steps, seed=seed)
    return {"result": result, "seen": agent.seen, "steps_after_truncation": counting.steps_after_truncation}


def run_episode_random(env, max_steps, seed, agent_seed):
    """``run_episode`` with the given ``RandomAgent`` seeded by ``agent_seed``."""
    import example
    import lake_model

    agent = example.RandomAgent(env.action_space.n, rng=np.random.default_rng(agent_seed))
    return lake_model.run_episode(agent, env, max_steps, seed=seed)


def evaluate_policy_mc_twice(env, policy, n_episodes, seed):
    """Two calls with the same seed, and the policy afterwards (to check it is not mutated)."""
    import lake_model

    policy = np.asarray(policy)
    first = lake_model.evaluate_policy_mc(env, policy, n_episodes, seed)
    second = lake_model.evaluate_policy_mc(env, policy, n_episodes, seed)
    return {"first": first, "second": second, "policy_after": policy}
