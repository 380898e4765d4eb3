"""Deferred imports in the worker (``tests/harness/lazyimports.py``): same behaviour, cost at first use."""

import subprocess
import sys
import textwrap

from grader.release import build

ROOT = build.ROOT


def _run(code: str, tmp_path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tmp_path}:{ROOT / 'tests'}", "MPLBACKEND": "Agg",
           "MPLCONFIGDIR": str(tmp_path / "mpl")}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_deferred_module_runs_its_code_at_first_use(tmp_path):
    (tmp_path / "heavy").mkdir()
    (tmp_path / "heavy" / "__init__.py").write_text("import builtins\nbuiltins.RAN = True\nVALUE = 42\n")
    (tmp_path / "heavy" / "part.py").write_text("from heavy import VALUE\nDOUBLE = 2 * VALUE\n")
    done = _run("""
        import builtins, sys
        from harness import lazyimports
        lazyimports.install(("heavy",))
        import heavy
        assert isinstance(heavy, lazyimports.DeferredModule), type(heavy)
        assert not hasattr(builtins, "RAN"), "imported eagerly"
        assert heavy.__file__.endswith("__init__.py") and heavy.__path__ and heavy.__spec__.name == "heavy"
        assert not hasattr(builtins, "RAN"), "reading __file__ ran the module"
        assert heavy.VALUE == 42 and builtins.RAN and type(heavy).__name__ == "module"
        from heavy.part import DOUBLE
        assert DOUBLE == 84
        assert not hasattr(heavy, "MISSING")
        print("ok")
    """, tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_deferred_pyplot_plots(tmp_path):
    done = _run(f"""
        from harness import lazyimports
        lazyimports.install()
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        assert isinstance(plt, lazyimports.DeferredModule)
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        fig.savefig({str(tmp_path / 'out.png')!r})
        from matplotlib import pyplot
        assert pyplot is plt and type(plt).__name__ == "module"
        print("ok")
    """, tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
    assert (tmp_path / "out.png").stat().st_size > 1000


def test_a_submodule_loads_after_its_deferred_package(tmp_path):
    (tmp_path / "heavy").mkdir()
    (tmp_path / "heavy" / "__init__.py").write_text("import builtins\nbuiltins.ORDER = ['package']\n")
    (tmp_path / "heavy" / "part.py").write_text("import builtins\nbuiltins.ORDER.append('part')\n")
    done = _run("""
        import builtins
        from harness import lazyimports
        lazyimports.install(("heavy",))
        import heavy.part
        assert builtins.ORDER == ["package", "part"], builtins.ORDER
        print("ok")
    """, tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


_TRAIN = """
    import sys
    {install}
    import numpy as np
    import torch
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    x, y = torch.randn(64, 4), torch.randint(0, 2, (64,))
    for _ in range(20):
        loss = torch.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(type(sys.modules.get("torch._dynamo")).__name__)
    print(np.concatenate([p.detach().numpy().ravel() for p in net.parameters()]).tobytes().hex())
"""


def test_eager_training_never_loads_the_tracer_and_trains_the_same(tmp_path):
    deferred = _run(_TRAIN.format(install="from harness import lazyimports; lazyimports.install()"), tmp_path)
    plain = _run(_TRAIN.format(install=""), tmp_path)
    assert deferred.returncode == 0 and plain.returncode == 0, deferred.stderr + plain.stderr
    kind, weights = deferred.stdout.split()
    assert kind == "DeferredModule", "an optimizer step loaded torch._dynamo"
    assert plain.stdout.split() == ["module", weights], "training differs with the tracer deferred"


def test_torch_compile_still_works_after_deferred_steps(tmp_path):
    done = _run("""
        import sys
        from harness import lazyimports
        lazyimports.install()
        import torch
        p = torch.nn.Parameter(torch.ones(3))
        opt = torch.optim.SGD([p], lr=0.1)
        p.sum().backward()
        opt.step()
        opt.zero_grad()
        f = lambda x: torch.cos(x) + 1
        assert torch.equal(torch.compile(f, backend="eager")(torch.ones(3)), f(torch.ones(3)))
        assert type(sys.modules["torch._dynamo"]).__name__ == "module"
        print("ok")
    """, tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_from_a_deferred_package_import_a_deferred_submodule(tmp_path):
    """Keras's ``from matplotlib import patches``: neither runs until a name is used, then the
    package runs first."""
    done = _run("""
        import sys
        from harness import lazyimports
        lazyimports.install()
        from matplotlib import patches
        import matplotlib
        assert isinstance(matplotlib, lazyimports.DeferredModule)
        assert isinstance(patches, lazyimports.DeferredModule)
        assert "matplotlib.colors" not in sys.modules
        box = patches.Rectangle((0, 0), 1, 2)
        assert type(matplotlib).__name__ == "module" and box.get_height() == 2
        print("ok")
    """, tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
