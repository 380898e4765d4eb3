"""Importing a test file's helpers from another test file."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from harness.homework import NAME


def load_by_path(path: Path, name: str) -> ModuleType:
    """The module at ``path``, imported once under the private ``name`` (its tests are not collected)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def public_tests(staff_file: str | Path) -> Path:
    """The public tests folder (``tests/HWn``) of the homework a file of its staff folder belongs to."""
    path = Path(staff_file).resolve()
    for parent in path.parents:
        if NAME.match(parent.name) and parent.parent.name == "autograder":
            return parent.parent.parent / "tests" / parent.name
    raise ValueError(f"{staff_file} is not inside a homework's staff folder")


def load_public(staff_file: str | Path, rel: str) -> ModuleType:
    """The public test module ``tests/HWn/<rel>`` of ``staff_file``'s homework, for its helpers."""
    folder = public_tests(staff_file)
    return load_by_path(folder / rel, f"_public_{folder.name}_{Path(rel).stem}")
