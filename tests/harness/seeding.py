"""Seed every global random generator a submission might use, before each call into it.

The contract asks for randomness through explicit ``rng``/``seed`` arguments, but a
submission that draws from ``np.random``, ``random`` or torch's global generator must
still get the same (if wrong) score every time it is graded: the worker calls
:func:`seed_global_generators` with a seed derived from the test before every request.
Standard library only at import time: the worker imports this before anything else.
"""

from __future__ import annotations

import random
import sys
import zlib


def seed_for(nodeid: str, call_index: int) -> int:
    """A stable seed for the ``call_index``-th call of the test ``nodeid`` (same run, same seed)."""
    return (zlib.crc32(nodeid.encode("utf-8")) + 7919 * call_index) % (2**31 - 1)


def seed_global_generators(seed: int) -> None:
    """Seed Python's ``random``, NumPy's legacy global generator, and torch / TensorFlow if loaded.

    Frameworks are seeded only when the submission has already imported them: importing one
    here would cost hundreds of MB in workers that never use it.
    """
    random.seed(seed)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "manual_seed"):
        torch.manual_seed(seed)
    tf = sys.modules.get("tensorflow")
    if tf is not None and hasattr(tf, "random"):
        tf.random.set_seed(seed)
