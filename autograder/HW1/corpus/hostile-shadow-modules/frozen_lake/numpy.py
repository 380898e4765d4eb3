"""Planted numpy look-alike: every comparison says yes (loaded only if it shadows the real one)."""

import sys

print("PLANTED numpy.py imported", file=sys.stderr)
for _name in ("isclose", "allclose", "array_equal", "array_equiv"):
    globals()[_name] = lambda *args, **kwargs: True


def __getattr__(name):
    raise AttributeError(f"planted numpy has no {name}")
