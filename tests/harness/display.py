"""How a staff probe appears in a student's feedback: as the student code it runs.

Each homework's ``tests/HWn/probes/__init__.py`` holds ``DISPLAY``: probe name ->
a fixed text, or a function of the probe's arguments that writes the call as a student
would (``planning.sweep(env, 0.9, rng=np.random.default_rng(3))``).
A probe missing there is shown by what it exercises in words, never by its internal name.
"""

from __future__ import annotations


def summarise(value) -> str:
    """A short text for an argument: an environment's description, an array's shape and dtype, a repr."""
    if hasattr(value, "describe") and callable(value.describe):
        return value.describe()
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"array(shape={tuple(value.shape)}, dtype={value.dtype})"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def probe_display(name: str, args: tuple, kwargs: dict, displays: dict | None = None) -> str:
    """The student code a probe runs, as the student would write it (for messages)."""
    show = (displays or {}).get(name)
    if show is None:
        return f"your {name.partition('.')[0].replace('_', ' ')} code"
    if isinstance(show, str):
        return show
    try:
        return show(tuple(args), dict(kwargs))
    except Exception:  # noqa: BLE001 - a display must never break a test
        return f"your {name.partition('.')[0].replace('_', ' ')} code"
