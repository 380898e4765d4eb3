"""Safe wire format between the test process and the student worker.

Only plain data crosses the process boundary: ``None``, ``bool``, ``int``, ``float``,
``str``, ``list``, ``tuple``, ``dict``, NumPy arrays of numeric or boolean dtype and
NumPy scalars. Everything else is sent as an :class:`Opaque` description (type name and
a short repr) so that a test can say "expected an ndarray, got torch.Tensor" instead of
crashing. Nothing is ever unpickled: arrays travel as raw bytes and are rebuilt with
``np.frombuffer`` after their dtype is checked against a whitelist.

:class:`EnvSpec` is the one structured type: a recipe for a Gymnasium environment that
each side rebuilds with :meth:`EnvSpec.make`, so tests can pass "an environment" to
student functions without sending live objects.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
from typing import Any

import numpy as np

ALLOWED_DTYPES = frozenset(
    ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64"]
)
MAX_DEPTH = 32
MAX_REPR = 200


class CodecError(ValueError):
    """A message could not be encoded or decoded (malformed, unsafe or too deep)."""


@dataclasses.dataclass(frozen=True)
class Opaque:
    """Stand-in for a value of a type the wire format does not carry."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.text}>"


@dataclasses.dataclass(frozen=True)
class EnvSpec:
    """A recipe for a Gymnasium environment, rebuilt on each side of the wire.

    ``env_id`` and ``kwargs`` go to ``gymnasium.make``; ``wrapper`` optionally names a wrapper
    class of the homework's given files as ``"module.Class"`` (``"wrappers.HideVelocities"``, say),
    imported where the environment is built.
    ``kwargs`` values must themselves be plain data (``desc`` is a list of row strings).
    """

    env_id: str
    kwargs: dict = dataclasses.field(default_factory=dict)
    wrapper: str | None = None

    def make(self):
        import gymnasium

        kwargs = dict(self.kwargs)
        kwargs.pop("render_mode", None)  # headless, always
        env = gymnasium.make(self.env_id, **kwargs)
        if self.wrapper is not None:
            module, _, name = self.wrapper.rpartition(".")
            if not module or not name.isidentifier():
                raise CodecError(f"a wrapper is named module.Class, not {self.wrapper!r}")
            import importlib

            env = getattr(importlib.import_module(module), name)(env)
        return env

    def describe(self) -> str:
        """Short human description for feedback messages."""
        parts = [f"{k}={v!r}" for k, v in self.kwargs.items() if k != "desc"]
        if "desc" in self.kwargs:
            desc = self.kwargs["desc"]
            parts.insert(0, f"{len(desc)}x{len(desc[0])} map")
        text = f"{self.env_id}({', '.join(parts)})"
        return f"{self.wrapper}({text})" if self.wrapper else text


def _encode(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError("value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value) is int:
        return value if abs(value) < 2**62 else {"__bigint__": str(value)}
    if type(value) is float:
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.ndarray):
        return _encode_array(value)
    if isinstance(value, np.generic):
        encoded = _encode_array(np.asarray(value))
        return {"__npscalar__": encoded["__ndarray__"]} if "__ndarray__" in encoded else encoded
    if type(value) is tuple:
        return {"__tuple__": [_encode(v, depth + 1) for v in value]}
    if type(value) is list:
        return [_encode(v, depth + 1) for v in value]
    if type(value) is dict:
        return {"__dict__": [[_encode(k, depth + 1), _encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, EnvSpec):
        return {"__env__": [value.env_id, _encode(value.kwargs, depth + 1), value.wrapper]}
    if isinstance(value, Opaque):
        return {"__opaque__": [value.type_name, value.text]}
    return {"__opaque__": [_type_name(value), _short_repr(value)]}


def _type_name(value: Any) -> str:
    cls = type(value)
    module = getattr(cls, "__module__", "") or ""
    return f"{module}.{cls.__qualname__}" if module not in ("builtins", "") else cls.__qualname__


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except BaseException:  # noqa: BLE001 - a hostile __repr__ must not break encoding
        text = "<repr failed>"
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 3] + "..."


def _encode_array(array: np.ndarray) -> dict:
    dtype = array.dtype.name
    if dtype not in ALLOWED_DTYPES:
        return {"__opaque__": [f"numpy.ndarray[{dtype}]", _short_repr(array)]}
    data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("=")).tobytes()  # native byte order
    return {"__ndarray__": [dtype, list(array.shape), base64.b64encode(data).decode("ascii")]}


def _decode_array(spec: Any) -> np.ndarray:
    if not (isinstance(spec, list) and len(spec) == 3):
        raise CodecError("malformed array")
    dtype, shape, data = spec
    if dtype not in ALLOWED_DTYPES or not isinstance(shape, list) or not isinstance(data, str):
        raise CodecError("malformed array")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise CodecError("malformed array shape")
    raw = base64.b64decode(data.encode("ascii"), validate=True)
    expected = math.prod(shape) * np.dtype(dtype).itemsize  # Python ints: no overflow
    if len(raw) != expected:
        raise CodecError("array size does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _decode(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError("value nested too deeply")
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, list):
        return [_decode(v, depth + 1) for v in value]
    if not (isinstance(value, dict) and len(value) == 1):
        raise CodecError("malformed message")
    (tag, body), = value.items()
    if tag == "__ndarray__":
        return _decode_array(body)
    if tag == "__npscalar__":
        scalar = _decode_array(body)
        if scalar.ndim:
            raise CodecError("a NumPy scalar must have shape ()")
        return scalar[()]
    if tag == "__tuple__" and isinstance(body, list):
        return tuple(_decode(v, depth + 1) for v in body)
    if tag == "__dict__" and isinstance(body, list):
        return {_decode(k, depth + 1): _decode(v, depth + 1) for k, v in body}
    if tag == "__bigint__" and isinstance(body, str):
        return int(body)
    if tag == "__float__" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "__env__" and isinstance(body, list) and len(body) == 3:
        env_id, kwargs, wrapper = body
        return EnvSpec(str(env_id), _decode(kwargs, depth + 1), wrapper)
    if tag == "__opaque__" and isinstance(body, list) and len(body) == 2:
        return Opaque(str(body[0]), str(body[1]))
    raise CodecError(f"unknown tag {tag!r}")


def materialize(args: list, kwargs: dict) -> tuple[list, dict]:
    """Rebuild top-level :class:`EnvSpec` arguments into live environments."""
    build = lambda v: v.make() if isinstance(v, EnvSpec) else v  # noqa: E731
    return [build(a) for a in args], {k: build(v) for k, v in kwargs.items()}


def dumps(value: Any) -> bytes:
    """Encode ``value`` as UTF-8 JSON bytes (never NaN literals)."""
    return json.dumps(_encode(value, 0), allow_nan=False, separators=(",", ":")).encode()


def _no_constant(name: str) -> Any:
    raise CodecError(f"{name} is not allowed on the wire")


def loads(data: bytes) -> Any:
    """Decode bytes produced by :func:`dumps`; raises :class:`CodecError` on anything else.

    The bytes come from student code, so every failure of parsing or rebuilding (bad base64,
    unhashable keys, over-long integers, impossible shapes, NaN literals) is a CodecError.
    """
    try:
        raw = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except CodecError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CodecError(f"not valid JSON: {str(exc)[:200]}") from None
    try:
        return _decode(raw, 0)
    except CodecError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError, RecursionError, MemoryError) as exc:
        raise CodecError(f"malformed message ({type(exc).__name__}: {str(exc)[:200]})") from None
