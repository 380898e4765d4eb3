"""Hostile submission: text that is not valid UTF-8 or that rewrites how feedback reads."""

import sys

NASTY = "\ud800\udfff\udc00 \u202eTrojan\u202c \u2066isolate\u2069 zero\u200bwidth\u200d \ufeffBOM \x1b[32mPASSED\x1b[0m \x00"

print("printed: \u202e01/01 :erocS\u202c", flush=True)
sys.stdout.buffer.write(NASTY.encode("utf-8", "surrogatepass") + b"\n")
sys.stdout.flush()

Weird = type("Weird\u202e\u200b", (), {"__repr__": lambda self: NASTY * 3})


class NastyError(Exception):
    def __str__(self):
        return NASTY * 5


NastyError.__name__ = NastyError.__qualname__ = "Nasty\u202eError\u2066"


def extract_model(env):
    raise NastyError()


def run_episode(agent, env, max_steps, seed=None):
    return Weird(), [Weird()], {NASTY: Weird()}


def evaluate_policy_mc(env, policy, n_episodes, seed):
    raise ValueError(NASTY * 10)
