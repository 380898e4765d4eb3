"""Every hint is a checked claim: ``python -m grader.quality.hintcheck`` (``--help``).

A hint names a cause, so a test may show one only when a diagnosis reproduces the student's
result, and each diagnosis must be proven on a corpus entry with exactly that bug. This
audit checks, for a homework's test files and its corpus folder (both parameters, so that
it runs over every homework):

1. **No unconditional hint.** Every ``hint=`` argument of a call in a test file reaches its
   text only through a diagnosis: ``None``; a call or a lambda (a diagnosis, run when the
   check fails) that passes no text of its own; ``HINTS[...] if condition else <allowed>``;
   a local name assigned only allowed values; or a parameter that every call in the file
   passes an allowed value. A string, an f-string, a module-level constant or an
   unconditional ``HINTS[...]`` is reported; so is a hand-written ``"Hint:"`` in a string.
2. **Every hint has its entry.** Each text of a test module's registry (the values of its
   module-level ``HINTS`` dict and the hints of its ``ERROR_HINTS``) is declared, in part, in
   the ``"hints"`` of some corpus entry's ``expected.json``; a declared hint names exactly
   one registry text. ``make corpus`` then checks that the entry is shown it and that no
   entry that does not declare it is (:func:`grader.quality.corpus.cross_check_hints`). The
   homework's table (``tests/HWn/rubric.py``) is a registry too: its ``ERROR_HINTS``.

:func:`homeworks` lists each homework's test files (its table, public and hidden tests) and corpus.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

from grader.quality import corpus as corpus_module
from harness.homework import TABLE, Homework, names

ROOT = Path(__file__).resolve().parents[3]
REGISTRY = "HINTS"
ERROR_REGISTRY = "ERROR_HINTS"


def homeworks(root: Path = ROOT) -> list[tuple[str, list[Path], Path]]:
    """``(name, test files, corpus folder)`` of every homework in the repository at ``root``."""
    found = []
    for name in names(root):
        homework = Homework(root, name)
        files = [homework.tests / TABLE, *sorted(homework.tests.rglob("test_*.py")),
                 *sorted(homework.hidden.rglob("test_*.py"))]
        found.append((name, files, corpus_module.folder(homework)))
    return found


# ------------------------------------------------------------------------------ 1. the form of hint=


def _is_text(node: ast.AST, constants: set[str]) -> bool:
    """A hint text attached as is: a string, an f-string, a module-level string constant."""
    return ((isinstance(node, ast.Constant) and isinstance(node.value, str)) or isinstance(node, ast.JoinedStr)
            or (isinstance(node, ast.Name) and node.id in constants))


def _is_registry(node: ast.AST) -> bool:
    return isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in (REGISTRY,)


class _Module:
    """One test file: its module-level string constants, functions, and the calls in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        self.constants = {t.id for node in self.tree.body if isinstance(node, ast.Assign)
                          for t in node.targets if isinstance(t, ast.Name) and _is_text(node.value, set())}
        self.parents: dict[ast.AST, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent

    def enclosing(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def where(self, node: ast.AST) -> str:
        return f"{self.path.name}:{getattr(node, 'lineno', '?')}"


def _allowed(node: ast.AST | None, module: _Module, scope: ast.FunctionDef | None, seen: frozenset = frozenset()
             ) -> str | None:
    """``None`` when a hint value reaches its text only through a diagnosis; else why not."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None
    if _is_text(node, module.constants):
        return "a hint text attached unconditionally"
    if _is_registry(node):
        return f"{REGISTRY}[...] attached unconditionally (guard it: {REGISTRY}[key] if <diagnosis> else None)"
    if isinstance(node, ast.IfExp):  # the body is guarded by the condition; what remains must be allowed too
        if _is_text(node.body, module.constants):
            return f"a hint text outside {REGISTRY} (a registry text must be proven by a corpus entry)"
        body = None if _is_registry(node.body) else _allowed(node.body, module, scope, seen)
        return body or _allowed(node.orelse, module, scope, seen)
    if isinstance(node, ast.Lambda):
        return _allowed(node.body, module, scope, seen)
    if isinstance(node, ast.Call):  # a diagnosis: it may pass no text of its own (no fallback hint)
        texts = [a for a in [*node.args, *(k.value for k in node.keywords)] if _is_text(a, module.constants)]
        return "a diagnosis given a fallback text" if texts else None
    if isinstance(node, ast.Name) and scope is not None and (scope, node.id) not in seen:
        return _name_allowed(node.id, module, scope, seen | {(scope, node.id)})
    return f"a hint that is not a diagnosis ({ast.unparse(node)[:60]})"


def _name_allowed(name: str, module: _Module, scope: ast.FunctionDef, seen: frozenset) -> str | None:
    values = [n.value for n in ast.walk(scope) if isinstance(n, ast.Assign)
              for t in n.targets if isinstance(t, ast.Name) and t.id == name]
    params = [a.arg for a in [*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs]]
    for value in values:
        why = _allowed(value, module, scope, seen)
        if why:
            return why
    if name in params:  # every call of this function in the file passes an allowed value
        index = params.index(name)
        defaults = dict(zip(reversed(params), reversed([*scope.args.defaults])))
        for call in (n for n in ast.walk(module.tree) if isinstance(n, ast.Call)
                     and isinstance(n.func, ast.Name) and n.func.id == scope.name):
            passed = next((k.value for k in call.keywords if k.arg == name),
                          call.args[index] if index < len(call.args) else defaults.get(name))
            why = _allowed(passed, module, module.enclosing(call), seen)
            if why:
                return f"{why} (passed to {scope.name} at {module.where(call)})"
        return None
    if not values:
        return f"{name}: not a local value this audit can follow"
    return None


def form_problems(path: Path) -> list[str]:
    """Every ``hint=`` of ``path`` that is not reached only through a diagnosis, and hand-written hints."""
    module = _Module(path)
    found = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "hint":
                    why = _allowed(keyword.value, module, module.enclosing(node))
                    if why:
                        found.append(f"{module.where(keyword.value)}: {why}: hint={ast.unparse(keyword.value)[:80]}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "Hint:" in node.value:
            found.append(f"{module.where(node)}: a hand-written 'Hint:' in a string")
    return found


# ------------------------------------------------------------------------------ 2. the registry and the corpus


def registry(path: Path) -> dict[str, str]:
    """``key -> text`` of a test module's hints: its ``HINTS`` dict and the hints of its ``ERROR_HINTS``."""
    texts: dict[str, str] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.Assign) or not any(isinstance(t, ast.Name) for t in node.targets):
            continue
        name = next(t.id for t in node.targets if isinstance(t, ast.Name))
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            continue
        if name == REGISTRY and isinstance(value, dict):
            texts.update({f"{path.name}:{REGISTRY}[{k!r}]": str(v) for k, v in value.items()})
        elif name == ERROR_REGISTRY and isinstance(value, (tuple, list)):
            texts.update({f"{path.name}:{ERROR_REGISTRY}[{i}]": str(item[-1]) for i, item in enumerate(value)})
    return texts


def declared_hints(corpus: Path) -> dict[str, list[str]]:
    """``entry -> its declared hints`` for every entry of a corpus folder."""
    return {p.parent.name: list(json.loads(p.read_text()).get("hints", ()))
            for p in sorted(corpus.glob("*/expected.json"))}


def registry_problems(test_files: list[Path], corpus: Path) -> list[str]:
    texts: dict[str, str] = {}
    for path in test_files:
        texts.update(registry(path))
    declared = declared_hints(corpus)
    found = []
    for key, text in texts.items():
        if not any(hint in text for hints in declared.values() for hint in hints):
            found.append(f"{key} is proven by no corpus entry (declare a part of it in the \"hints\" of an entry "
                         f"with exactly that bug): {text[:80]!r}")
    distinct = set(texts.values())
    for entry, hints in declared.items():
        for hint in hints:
            matching = [t for t in distinct if hint in t]
            if len(matching) > 1:
                found.append(f"{entry}: the declared hint {hint!r} names {len(matching)} registry hints; quote one")
    return found


def hint_problems(test_files: list[Path], corpus: Path) -> list[str]:
    """Everything this audit finds in one homework's test files and corpus (empty: all hints are checked)."""
    found = []
    for path in test_files:
        found += form_problems(path)
    return found + registry_problems(test_files, corpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.quality.hintcheck", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", nargs="*", type=Path, default=None,
                        help="test files to audit (default: every homework's public and hidden tests)")
    parser.add_argument("--corpus", type=Path, default=None, help="their corpus folder (with --tests)")
    args = parser.parse_args(argv)
    if args.tests:
        if args.corpus is None:
            parser.error("--tests needs --corpus")
        chosen = [("given", args.tests, args.corpus)]
    else:
        chosen = homeworks()
    failures = 0
    for name, files, corpus in chosen:
        found = hint_problems(files, corpus)
        failures += len(found)
        print(f"{name}: {len(files)} test files, {len(found)} problem(s)")
        for line in found:
            print(f"  {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
