"""The code runs on Python 3.10, Gradescope's: ``python -m grader.quality.pyversion`` (``make lint``).

Two guards, both cheap. Ruff, with ``target-version = "py310"`` in ``pyproject.toml``, rejects
syntax newer than 3.10 (``except*``, type parameter lists, ``type`` statements, nested quotes
in f-strings). This check rejects what ruff does not know: names of the standard library that
first appeared in Python 3.11 or later (:data:`NEWER`), whether imported (``import tomllib``,
``from typing import Self``) or used as an attribute of an imported module (``datetime.UTC``,
``typing.Self``), and the builtins ``ExceptionGroup`` / ``BaseExceptionGroup``. Methods of
objects (``Path.walk``) and new keyword arguments are out of its reach: the Python 3.10 run
of ``make install PYTHON=... && make grade`` (README) is the full check.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TARGET = (3, 10)
SKIP = {".venv", "dist", "build", "outputs", "results", "corpus", "__pycache__", ".git"}
# Standard-library names newer than Python 3.10, with the version that added them.
NEWER = {
    "tomllib": (3, 11), "wsgiref.types": (3, 11), "datetime.UTC": (3, 11), "enum.StrEnum": (3, 11),
    "enum.ReprEnum": (3, 11), "enum.verify": (3, 11), "enum.member": (3, 11), "enum.nonmember": (3, 11),
    "enum.global_enum": (3, 11), "enum.EnumCheck": (3, 11), "enum.FlagBoundary": (3, 11),
    "hashlib.file_digest": (3, 11), "asyncio.TaskGroup": (3, 11), "asyncio.timeout": (3, 11),
    "asyncio.Runner": (3, 11), "asyncio.Barrier": (3, 11), "contextlib.chdir": (3, 11), "operator.call": (3, 11),
    "math.cbrt": (3, 11), "math.exp2": (3, 11), "sys.exception": (3, 11), "inspect.getmembers_static": (3, 11),
    "logging.getLevelNamesMapping": (3, 11), "re.NOFLAG": (3, 11), "typing.Self": (3, 11),
    "typing.LiteralString": (3, 11), "typing.Never": (3, 11), "typing.assert_never": (3, 11),
    "typing.assert_type": (3, 11), "typing.reveal_type": (3, 11), "typing.dataclass_transform": (3, 11),
    "typing.TypeVarTuple": (3, 11), "typing.Unpack": (3, 11), "typing.Required": (3, 11),
    "typing.NotRequired": (3, 11), "typing.get_overloads": (3, 11), "typing.clear_overloads": (3, 11),
    "itertools.batched": (3, 12), "typing.override": (3, 12), "typing.TypeAliasType": (3, 12),
    "sys.monitoring": (3, 12), "calendar.Month": (3, 12), "calendar.Day": (3, 12), "tarfile.data_filter": (3, 12),
    "inspect.markcoroutinefunction": (3, 12), "os.process_cpu_count": (3, 13), "warnings.deprecated": (3, 13),
    "copy.replace": (3, 13), "typing.ReadOnly": (3, 13), "typing.TypeIs": (3, 13), "typing.NoDefault": (3, 13),
    "math.fma": (3, 13), "glob.translate": (3, 13),
}
NEWER_BUILTINS = {"ExceptionGroup": (3, 11), "BaseExceptionGroup": (3, 11)}


def _version(found: tuple[int, int]) -> str:
    return ".".join(map(str, found))


def problems_in(source: str, name: str = "<source>") -> list[str]:
    """Every use in ``source`` of a standard-library name newer than :data:`TARGET`."""
    try:
        tree = ast.parse(source, filename=name)
    except SyntaxError as exc:
        return [f"{name}:{exc.lineno}: does not parse: {exc.msg}"]
    found = []
    modules: dict[str, str] = {}  # local name -> module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:  # import a.b as c: c is a.b
                    modules[alias.asname] = alias.name
                else:  # import a.b: a is a
                    modules[alias.name.split(".")[0]] = alias.name.split(".")[0]
                if alias.name in NEWER:
                    found.append((node.lineno, alias.name))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module in NEWER:
                found.append((node.lineno, node.module))
            for alias in node.names:
                qualified = f"{node.module}.{alias.name}"
                if qualified in NEWER:
                    found.append((node.lineno, qualified))
                modules[alias.asname or alias.name] = qualified  # from os import path: path is os.path
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            qualified = f"{modules[node.value.id]}.{node.attr}"
            if qualified in NEWER:
                found.append((node.lineno, qualified))
        elif isinstance(node, ast.Name) and node.id in NEWER_BUILTINS and node.id not in modules:
            found.append((node.lineno, node.id))
    table = {**NEWER, **NEWER_BUILTINS}
    return [f"{name}:{line}: {what} needs Python {_version(table[what])} (the code must run on "
            f"{_version(TARGET)}, Gradescope's)" for line, what in sorted(set(found))]


def python_files(root: Path = ROOT) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if not SKIP & set(p.relative_to(root).parts[:-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.quality.pyversion", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files to check (default: every .py file here)")
    args = parser.parse_args(argv)
    files = args.paths or python_files()
    problems = [line for path in files for line in problems_in(path.read_text(encoding="utf-8"), str(path))]
    for line in problems:
        print(f"pyversion: {line}")
    print(f"pyversion: {len(files)} files, {'FAILED' if problems else 'nothing newer than Python 3.10'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
