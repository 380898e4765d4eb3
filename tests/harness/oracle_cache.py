"""Oracle values computed once, at autograder build time, and read back when grading.

The tests of Problems 4, 6 and 7 compare the student's code with PyTorch oracles. Importing
torch in the test process as well as in the student's worker costs ~300 MB, so when
grading the test process reads every oracle value from a file that the autograder build
recorded by running the same tests against the solutions:

- ``GRADER_ORACLE_RECORD=<path>``: compute every value and write them all to ``<path>`` at exit;
- ``GRADER_ORACLE_CACHE=<path>``: return the recorded values; a key that is not there is
  computed (the fallback, so the public tests work for students, who have no file);
- neither: compute.

Values are plain data (what :mod:`harness.codec` carries); keys are deterministic (built
from the case's arguments, never from object ids). Compute functions import torch lazily.
"""

from __future__ import annotations

import atexit
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import codec

RECORD = "GRADER_ORACLE_RECORD"
CACHE = "GRADER_ORACLE_CACHE"

_values: dict[str, Any] | None = None
_recorded: dict[str, bytes] = {}


def key(name: str, *args: Any, **kwargs: Any) -> str:
    """``name`` and a digest of plain-data arguments (arrays included)."""
    digest = hashlib.sha256(codec.dumps([list(args), kwargs])).hexdigest()[:24]
    return f"{name}:{digest}"


def _cache() -> dict[str, Any]:
    global _values
    if _values is None:
        path = os.environ.get(CACHE)
        _values = codec.loads(Path(path).read_bytes()) if path and Path(path).is_file() else {}
    return _values


def cached(name: str, compute: Callable[[], Any]) -> Any:
    """The value recorded under ``name``, or ``compute()`` (recorded when recording)."""
    record = os.environ.get(RECORD)
    if not record:
        values = _cache()
        if name in values:
            return values[name]
        return compute()
    value = compute()
    data = codec.dumps(value)
    if name in _recorded and _recorded[name] != data:
        raise RuntimeError(f"oracle key {name!r} recorded twice with different values")
    if not _recorded:
        atexit.register(_write, Path(record))
    _recorded[name] = data
    return codec.loads(data)  # what a cached run would see


def _write(path: Path) -> None:
    values = {name: codec.loads(data) for name, data in sorted(_recorded.items())}
    path.write_bytes(codec.dumps(values))
