"""The wire format between pytest and the student worker: plain data only, never pickle."""

import base64
import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from harness import codec
from harness.codec import CodecError, EnvSpec, Opaque


def _round_trip(value):
    return codec.loads(codec.dumps(value))


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -7, 2**62 - 1, 2**62, -(2**100), 0.0, -1.5, 1e308, "", "héllo ✓ 𐏿", [], (), {},
     [1, "a", None], (1, (2, (3,))), {"a": 1, 2: "b", (1, 2): [3], None: False}, [[[]]]],
    ids=repr,
)
def test_codec_round_trips_plain_values_with_their_types(value):
    got = _round_trip(value)
    assert got == value
    assert type(got) is type(value)


def test_codec_keeps_tuple_list_bool_int_apart():
    got = _round_trip([(1, True), [1, True], {"t": (0,), "l": [0]}])
    assert got == [(1, True), [1, True], {"t": (0,), "l": [0]}]
    assert type(got[0]) is tuple and type(got[1]) is list
    assert type(got[0][1]) is bool and type(got[0][0]) is int
    assert type(got[2]["t"]) is tuple and type(got[2]["l"]) is list


@pytest.mark.parametrize("text", ["nan", "inf", "-inf"])
def test_codec_carries_non_finite_floats_without_nan_literals(text):
    data = codec.dumps([float(text)])
    json.loads(data, parse_constant=lambda name: pytest.fail(f"{name} literal on the wire"))
    got = codec.loads(data)[0]
    assert type(got) is float
    assert (math.isnan(got) and text == "nan") or got == float(text)


@pytest.mark.parametrize("dtype", sorted(codec.ALLOWED_DTYPES))
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (2, 0, 4), (1, 1, 1, 2)], ids=str)
def test_codec_round_trips_arrays_of_every_allowed_dtype(dtype, shape):
    array = (np.arange(int(np.prod(shape))) % 2 == 1).reshape(shape).astype(dtype)
    got = _round_trip(array)
    assert isinstance(got, np.ndarray)
    assert got.dtype == np.dtype(dtype) and got.shape == shape
    np.testing.assert_array_equal(got, array)
    assert got.flags.writeable and got.flags.owndata  # a copy, not a view of the message


def test_codec_round_trips_non_contiguous_and_big_endian_arrays():
    array = np.arange(24, dtype=np.float64).reshape(4, 6)[:, ::2].T
    np.testing.assert_array_equal(_round_trip(array), array)
    big_endian = np.arange(4, dtype=">i4")
    np.testing.assert_array_equal(_round_trip(big_endian), big_endian)


@pytest.mark.parametrize("scalar", [np.float32(1.5), np.int64(-3), np.bool_(True), np.uint8(255)], ids=repr)
def test_codec_round_trips_numpy_scalars(scalar):
    got = _round_trip(scalar)
    assert isinstance(got, np.generic) and got.dtype == scalar.dtype and got == scalar


def test_codec_round_trips_env_specs_and_opaques():
    spec = EnvSpec("Some-v0", {"desc": ["SF", "HG"], "flag": False}, "wrappers.Hide")
    assert _round_trip(spec) == spec
    assert _round_trip(Opaque("torch.Tensor", "tensor([1.])")) == Opaque("torch.Tensor", "tensor([1.])")


class _Hostile:
    def __repr__(self):
        raise SystemExit("repr")

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class _EqFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class _EqInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class _EqList(list):
    def __eq__(self, other):
        return True


class _LyingArray(np.ndarray):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(_Hostile(), "_Hostile"), (_EqFloat(1.0), "_EqFloat"), (_EqInt(1), "_EqInt"), (_EqList([1]), "_EqList"),
     ({1, 2}, "set"), (1j, "complex"), (b"bytes", "bytes"), (np.array([object()]), "numpy.ndarray[object]"),
     (np.array(["a"]), "numpy.ndarray[str32]"), (np.zeros(2, dtype=np.complex128), "numpy.ndarray[complex128]")],
    ids=lambda v: type(v).__name__,
)
def test_codec_sends_anything_else_as_an_opaque_description(value, type_name):
    got = _round_trip(value)
    assert isinstance(got, Opaque)
    assert got.type_name.endswith(type_name)
    assert len(got.text) <= codec.MAX_REPR
    assert got != 1.0 and got != [1]  # an Opaque never equals the value it stands for


def test_codec_turns_ndarray_subclasses_into_plain_arrays():
    lying = np.zeros(3).view(_LyingArray)
    got = _round_trip(lying)
    assert type(got) is np.ndarray
    assert not np.array_equal(got, np.ones(3))


def test_codec_survives_a_hostile_repr():
    assert _round_trip(_Hostile()).text == "<repr failed>"


def test_codec_bounds_long_reprs():
    class Long:
        def __repr__(self):
            return "x" * 10**6

    assert len(_round_trip(Long()).text) == codec.MAX_REPR


def test_codec_refuses_values_nested_too_deeply():
    value: list = []
    for _ in range(codec.MAX_DEPTH + 2):
        value = [value]
    with pytest.raises(CodecError):
        codec.dumps(value)


def _array_message(dtype="float64", shape=(2,), data=None):
    raw = np.zeros(shape, dtype=np.float64).tobytes() if data is None else data
    return json.dumps({"__ndarray__": [dtype, list(shape), base64.b64encode(raw).decode()]}).encode()


@pytest.mark.parametrize(
    "data",
    [
        b"", b"\xff\xfe", b"{", b"[1, 2", b"NaN", b"[Infinity]", b"[-Infinity]", b'{"a": 1, "b": 2}',
        b'{"__pickle__": "x"}', b'{"__tuple__": 3}', b'{"__dict__": [[1, 2, 3]]}', b'{"__dict__": [[[1], 2]]}',
        b'{"__dict__": [1]}', b'{"__bigint__": "0x10"}', b'{"__bigint__": "' + b"9" * 5000 + b'"}', b"9" * 5000,
        b'{"__float__": "1e999"}', b'{"__float__": "nan(123)"}', b'{"__env__": [1, 2]}', b'{"__opaque__": [1]}',
        b'{"__ndarray__": ["float64", [2], "AAAA"]}', b'{"__ndarray__": ["object", [1], ""]}',
        b'{"__ndarray__": ["O", [1], ""]}', b'{"__ndarray__": ["<U4", [1], "AAAAAA=="]}',
        b'{"__ndarray__": ["float64", [-1], ""]}', b'{"__ndarray__": ["float64", 2, ""]}',
        b'{"__ndarray__": ["float64", [true], "AAAAAAAAAAA="]}', b'{"__ndarray__": ["float64", [1.0], ""]}',
        b'{"__ndarray__": ["float64", [1], "not base64!"]}', b'{"__ndarray__": ["float64", [1], "\xc3\xa9"]}',
        b'{"__ndarray__": ["float64", [4294967296, 4294967296], ""]}',
        b'{"__ndarray__": ["float64", [9223372036854775807, 9223372036854775807, 4], ""]}',
        b'{"__npscalar__": ["int8", [2], "AAA="]}', b"[" * 100000 + b"]" * 100000,
    ],
    ids=lambda d: repr(d[:40]),
)
def test_codec_loads_rejects_malformed_or_unsafe_input_with_codec_error(data):
    with pytest.raises(CodecError):
        codec.loads(data)


def test_codec_loads_checks_array_sizes_against_shapes():
    assert codec.loads(_array_message()).shape == (2,)
    with pytest.raises(CodecError, match="size"):
        codec.loads(_array_message(shape=(3,), data=np.zeros(2).tobytes()))


def test_codec_never_unpickles():
    payload = pickle.dumps({"ok": 1})
    with pytest.raises(CodecError):
        codec.loads(payload)
    with pytest.raises(CodecError):  # a pickled array smuggled as array bytes under an object dtype
        codec.loads(_array_message(dtype="object", data=pickle.dumps(np.array([1]))))
    source = Path(codec.__file__).read_text()
    assert "import pickle" not in source and "allow_pickle=True" not in source and "np.load(" not in source


def test_codec_dumps_is_plain_json_bytes():
    data = codec.dumps({"x": np.arange(3), "y": (1.5, None)})
    assert isinstance(data, bytes)
    assert isinstance(json.loads(data.decode("utf-8")), dict)
