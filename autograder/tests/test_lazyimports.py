"""Deferred imports in the worker (``tests/harness/lazyimports.py``): same behaviour, cost at first use."""

import subprocess
import sys
import textwrap

from hw1grader import build

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
