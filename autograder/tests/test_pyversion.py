"""The Python 3.10 guard (``grader.quality.pyversion``, run by ``make lint``): newer stdlib names fail."""

import pytest

from grader.quality import pyversion


@pytest.mark.parametrize("source, name", [
    ("import tomllib\n", "tomllib"),
    ("from typing import Self\n", "typing.Self"),
    ("import typing\nx: typing.Self\n", "typing.Self"),
    ("import datetime as dt\nnow = dt.datetime.now(dt.UTC)\n", "datetime.UTC"),
    ("from datetime import UTC\n", "datetime.UTC"),
    ("import itertools\nitertools.batched([1, 2], 2)\n", "itertools.batched"),
    ("from enum import StrEnum\n", "enum.StrEnum"),
    ("raise ExceptionGroup('two', [ValueError(), KeyError()])\n", "ExceptionGroup"),
])
def test_newer_standard_library_names_fail(source, name):
    found = pyversion.problems_in(source)
    assert len(found) == 1 and f": {name} needs Python 3.1" in found[0], found


def test_names_of_python_310_pass():
    source = ("import datetime\nimport typing\nfrom itertools import pairwise\n"
              "x: typing.Optional[int] = datetime.timezone.utc and None\nlist(pairwise([1, 2, 3]))\n")
    assert pyversion.problems_in(source) == []


def test_this_repository_needs_nothing_newer_than_python_310():
    files = pyversion.python_files()
    assert any(p.name == "supervisor.py" for p in files) and not any(".venv" in p.parts for p in files)
    assert [line for p in files for line in pyversion.problems_in(p.read_text(encoding="utf-8"), str(p))] == []
