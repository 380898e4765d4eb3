"""Graded checks with feedback that is safe to show students.

Each helper raises :class:`harness.errors.CheckFailed` with a message that says what
was checked, what came back and how it differs, and can carry a hint for the usual
mistake. ``reveal=False`` (use it in hidden tests) keeps expected values out of the
message: it reports shapes, counts and where values differ, never what they should be.

A hint is a claim about the cause, so tests attach one only through a diagnosis that
reproduces the student's result; ``hint`` may be a callable (a diagnosis), run only when
the check fails, returning the hint or ``None``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from harness.codec import Opaque
from harness.errors import CheckFailed


def _fail(what: str, problem: str, hint) -> None:
    if callable(hint):
        hint = hint()
    message = f"{what}: {problem}"
    if hint:
        message += f"\nHint: {hint}"
    raise CheckFailed(message)


def _type_label(value: Any) -> str:
    if isinstance(value, Opaque):
        return value.type_name
    if isinstance(value, np.ndarray):
        return f"numpy.ndarray(dtype={value.dtype}, shape={value.shape})"
    return type(value).__name__


def check(condition: bool, what: str, problem: str, hint: str | None = None) -> None:
    """Fail with ``what: problem`` unless ``condition`` holds."""
    if not condition:
        _fail(what, problem, hint)


def check_type(value: Any, expected: type | tuple[type, ...], what: str, hint: str | None = None) -> None:
    """``value`` is an instance of ``expected`` (``bool`` is not accepted as ``int``)."""
    types = expected if isinstance(expected, tuple) else (expected,)
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if not ok:
        names = " or ".join(t.__name__ for t in types)
        _fail(what, f"expected {names}, got {_type_label(value)}", hint)


def check_array(value: Any, what: str, *, shape: tuple | None = None, dtype: Any = None,
                hint: str | None = None) -> np.ndarray:
    """``value`` is a NumPy array with the given shape and dtype (each optional); returns it."""
    if not isinstance(value, np.ndarray):
        _fail(what, f"expected a numpy.ndarray, got {_type_label(value)}",
              hint or "return NumPy arrays (np.asarray(...)), not lists or tensors")
    if shape is not None and tuple(value.shape) != tuple(shape):
        _fail(what, f"expected shape {tuple(shape)}, got {tuple(value.shape)}", hint)
    if dtype is not None and value.dtype != np.dtype(dtype):
        _fail(what, f"expected dtype {np.dtype(dtype)}, got {value.dtype}", hint)
    return value


def check_close(got: Any, expected: Any, what: str, *, atol: float = 1e-6, rtol: float = 1e-6,
                reveal: bool = True, hint: str | None = None, index_name: str = "index") -> None:
    """``got`` equals ``expected`` elementwise within ``atol + rtol*|expected|``.

    Shapes must match. With ``reveal=False`` (hidden tests) the message says how many entries
    differ, where the first one is and what was returned there: never an expected value, nor
    the size of a difference (which, with the returned value, would give the expected one).
    """
    expected = np.asarray(expected)
    if isinstance(got, Opaque) or got is None:
        _fail(what, f"expected a number or array, got {_type_label(got)}", hint)
    try:
        got_arr = np.asarray(got, dtype=np.float64) if expected.dtype.kind in "fiub" else np.asarray(got)
    except (TypeError, ValueError):
        _fail(what, f"expected numbers, got {_type_label(got)}", hint)
    if got_arr.shape != expected.shape:
        _fail(what, f"expected shape {expected.shape}, got {got_arr.shape}", hint)
    expected_f = expected.astype(np.float64)
    bad = ~np.isclose(got_arr, expected_f, atol=atol, rtol=rtol, equal_nan=False)
    if not bad.any():
        return
    def where_of(index: tuple) -> str:
        return f" at {index_name} {index[0] if len(index) == 1 else tuple(int(i) for i in index)}" if index else ""

    if not reveal:
        first = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
        got_v = got_arr[first] if first else got_arr
        problem = (f"{int(bad.sum())} of {bad.size} entries differ (the first{where_of(first)}, where you returned "
                   f"{float(got_v):.6g}; tolerance {atol:g} + {rtol:g}*|expected|)")
        _fail(what, problem, hint)
    diff = np.where(bad, np.abs(got_arr - expected_f), 0.0)
    diff = np.where(np.isnan(diff), np.inf, diff)
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    problem = (f"{int(bad.sum())} of {bad.size} entries differ (largest difference "
               f"{float(diff[worst] if worst else diff):.3g}{where_of(worst)}; "
               f"tolerance {atol:g} + {rtol:g}*|expected|)")
    got_v = got_arr[worst] if worst else got_arr
    exp_v = expected_f[worst] if worst else expected_f
    problem += f"; there you returned {float(got_v):.6g}, expected {float(exp_v):.6g}"
    _fail(what, problem, hint)


def check_equal(got: Any, expected: Any, what: str, *, reveal: bool = True, hint: str | None = None) -> None:
    """``got == expected`` for plain values (ints, strings, tuples, lists)."""
    if type(got) is not type(expected) and not (isinstance(got, (int, float)) and isinstance(expected, (int, float))
                                                and not isinstance(got, bool)):
        _fail(what, f"expected a {type(expected).__name__}, got {_type_label(got)}", hint)
    if got != expected:
        _fail(what, f"expected {expected!r}, got {got!r}" if reveal else f"got {got!r}, which is not right", hint)
