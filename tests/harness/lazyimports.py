"""Optional modules that frameworks import eagerly, loaded in the worker only when first used.

TensorFlow and Keras import ``matplotlib`` (``pyplot``, ``patches``), ``requests`` and
``h5py`` at import time on the chance that someone plots, downloads or saves a model (each in
a ``try: import ...``); in a grading worker nobody does, and they hold about 45 MB of its
memory. :func:`install` puts a finder first on ``sys.meta_path`` that imports them as
*deferred* modules: the module object exists with its ``__name__``, ``__file__``, ``__path__``
and ``__spec__``, and its code runs the first time a name it does not have yet is looked up
(``plt.plot``, ``from h5py import File``), after its package's code (``matplotlib`` before
``matplotlib.pyplot``), as an import would have run them. Code that uses them sees no
difference; only their import-time cost moves to that first use.

``torch._dynamo``, the tracer behind ``torch.compile``, is deferred the same way. Eager PyTorch
touches it on every optimizer step, but only for two markers that mean nothing outside
compilation (:data:`STAND_INS`): ``graph_break()``, an empty function, and ``disable(fn)``,
which outside compilation just calls ``fn``. With those two in the deferred module, training
never loads the tracer (0.7 s and 70 MB per PyTorch worker); anything else that is looked up,
``torch.compile`` included, runs the real module, which then replaces both.
Standard library only: the worker imports this before any student code.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types

DEFERRED = ("matplotlib", "matplotlib.pyplot", "matplotlib.patches", "requests", "h5py", "torch._dynamo")
_PENDING: dict[str, importlib.abc.Loader] = {}  # module name -> the loader that will run its code
_DEFERRABLE: set[str] = set()  # the names install() defers


def _graph_break(msg: str = "") -> None:
    """``torch._dynamo.graph_break``: marks a graph break for the tracer; nothing when not tracing."""


def _disable(fn=None, recursive=True, *, reason=None, wrapping=True):
    """``torch._dynamo.disable``: keeps the tracer out of ``fn``; with no tracer running, ``fn`` itself."""
    return fn if fn is not None else (lambda inner: inner)


# Names a deferred module answers before its code has run: the eager meaning of each.
STAND_INS = {"torch._dynamo": {"graph_break": _graph_break, "disable": _disable}}


class DeferredModule(types.ModuleType):
    """A module whose code has not run yet: the first missing name runs it, then is looked up."""

    def __getattr__(self, name: str):
        if f"{self.__name__}.{name}" in _DEFERRABLE and "__path__" in self.__dict__:
            # ``from matplotlib import patches``: a deferred submodule, and the package still waits
            return importlib.import_module(f"{self.__name__}.{name}")
        if not _run(self):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        return getattr(self, name)


def _run(module: types.ModuleType) -> bool:
    """Run a deferred module's code now (once), its deferred package's first, as an import would;
    False when there is nothing left to run."""
    parent = sys.modules.get(module.__name__.rpartition(".")[0])
    if isinstance(parent, DeferredModule):
        _run(parent)
    loader = _PENDING.pop(module.__name__, None)
    if loader is None:
        return False
    module.__class__ = types.ModuleType
    module.__loader__ = loader
    if module.__spec__ is not None:
        module.__spec__.loader = loader
    loader.exec_module(module)
    return True


class _DeferringLoader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec):
        return None  # the default module object, with every attribute the import system sets

    def exec_module(self, module: types.ModuleType) -> None:
        _PENDING[module.__name__] = self.loader
        module.__dict__.update(STAND_INS.get(module.__name__, {}))
        module.__class__ = DeferredModule


class _DeferringFinder(importlib.abc.MetaPathFinder):
    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = frozenset(names)

    def find_spec(self, name, path, target=None):
        parent = sys.modules.get(name.rpartition(".")[0])
        if isinstance(parent, DeferredModule) and name not in self.names:
            _run(parent)  # a submodule loads after its package's code, as usual
            return None
        if name not in self.names:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        if isinstance(spec.loader, importlib.machinery.SourceFileLoader):  # pure-Python modules only
            spec.loader = _DeferringLoader(spec.loader)
        return spec


def install(names: tuple[str, ...] = DEFERRED) -> None:
    """Defer ``names`` (modules not imported yet) in this process."""
    names = tuple(n for n in names if n not in sys.modules)
    _DEFERRABLE.update(names)
    sys.meta_path.insert(0, _DeferringFinder(names))
