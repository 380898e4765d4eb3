"""Probes for Problem 1 and the extra credit's ``gae_advantages`` (``returns.py``), run in the worker."""

from __future__ import annotations

import importlib

import numpy as np


def call_checked(function: str, *args):
    """``returns.<function>(*args)`` on copies of the arguments; also says whether it modified them."""
    sent = [np.array(a) if isinstance(a, np.ndarray) else a for a in args]
    result = getattr(importlib.import_module("returns"), function)(*sent)
    unchanged = all(not isinstance(a, np.ndarray) or (b.dtype == a.dtype and np.array_equal(a, b))
                    for a, b in zip(args, sent))
    return {"result": result, "inputs_unchanged": bool(unchanged)}
