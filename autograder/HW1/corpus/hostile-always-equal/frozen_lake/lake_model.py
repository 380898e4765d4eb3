"""Hostile submission: values that claim to equal anything (the equality tricks)."""

import numpy as np


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __hash__(self):
        return 0

    def __bool__(self):
        return True

    def __float__(self):
        return 0.0

    def __len__(self):
        return 3

    def __getitem__(self, index):
        return AlwaysEqual()

    def __iter__(self):
        return iter([AlwaysEqual(), AlwaysEqual(), AlwaysEqual()])

    def __array__(self, dtype=None, copy=None):
        raise TypeError("no")

    def __repr__(self):
        return "1.0"


class EqFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


class EqInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class EqList(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __len__(self):
        return 3


class EqTuple(tuple):
    def __eq__(self, other):
        return True

    def __len__(self):
        return 3

    __hash__ = tuple.__hash__


class EqStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class LyingArray(np.ndarray):
    """An ndarray subclass that says it is float64 of any shape and equal to anything."""

    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.shape(other), dtype=bool)


def _lying(shape):
    return np.zeros(1, dtype=np.float32).view(LyingArray)


def extract_model(env):
    n = env.observation_space.n
    if n == 16:
        return EqTuple((_lying((n, 4, n)), _lying((n, 4)), AlwaysEqual()))
    return AlwaysEqual(), AlwaysEqual(), AlwaysEqual()


def run_episode(agent, env, max_steps, seed=None):
    return EqTuple((EqList([EqInt(0)]), EqList([EqInt(0)]), EqList([EqFloat(0.0)])))


def evaluate_policy_mc(env, policy, n_episodes, seed):
    return EqTuple((EqFloat(0.5), EqFloat(0.5)))
