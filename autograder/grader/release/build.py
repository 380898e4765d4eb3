"""Build the Gradescope autograder zip: ``python -m hw1grader.build --out dist/autograder.zip``.

The zip holds ``setup.sh`` and ``run_autograder`` at its root, then the source tree the
supervisor needs: the pinned requirements, the pytest configuration, the public tests
and harness, the hidden tests, the grading package, the reference solutions, the given
files of ``HW1/code`` (never the stubs), the manifest and the recorded torch oracles of
Problems 4, 6 and 7 (:func:`record_oracles`: the test process then never imports torch). Entries are sorted and carry
fixed timestamps and modes, so the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from harness import oracle_cache
from harness.layout import GIVEN_FILES
from hw1grader import manifest

ROOT = Path(__file__).resolve().parents[2]
TREES = ("tests", "autograder/hidden", "autograder/hw1grader", "solutions")
FILES = ("requirements.txt", "pyproject.toml")
EPOCH = (1980, 1, 1, 0, 0, 0)
ORACLES = "autograder/oracles/torch.json"  # read by the supervisor's pytest (HW1_ORACLE_CACHE)
# Every test whose torch oracle has fixed inputs: all of Problem 4; of Problems 6 and 7 only the tests
# that compute an oracle (node ids), never the slow training and outcome tests. The memory-agent tests of
# Problem 7 have no torch oracle (the single-frame staff check is autograder/tests/test_imitation_reference.py).
ORACLE_TESTS = (
    "tests/networks/test_torch_networks.py",
    "autograder/hidden/networks/test_torch_networks_hidden.py",
    "tests/imitation/test_bc_dagger.py::test_train_bc_matches_reference_step",
    "autograder/hidden/imitation/test_bc_dagger_hidden.py::test_train_bc_minibatch_order",
)


def files_under(root: Path, tree: str) -> list[Path]:
    base = root / tree
    return sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and not p.name.endswith((".pyc", ".pyo")))


def contents(root: Path = ROOT) -> dict[str, bytes]:
    """Zip path -> bytes, the whole autograder."""
    out: dict[str, bytes] = {
        "setup.sh": (root / "autograder/gradescope/setup.sh").read_bytes(),
        "run_autograder": (root / "autograder/gradescope/run_autograder").read_bytes(),
    }
    for name in FILES:
        out[name] = (root / name).read_bytes()
    for tree in TREES:
        for path in files_under(root, tree):
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    for rel in GIVEN_FILES:
        out[f"HW1/code/{rel}"] = (root / "HW1/code" / rel).read_bytes()
    out[ORACLES] = record_oracles(root)
    out["manifest.json"] = (json.dumps(manifest.build(root), indent=1, sort_keys=True) + "\n").encode()
    return out


def record_oracles(root: Path = ROOT) -> bytes:
    """Run :data:`ORACLE_TESTS` on the solutions, recording every torch oracle value."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "torch.json"
        env = {**os.environ, "PYTHONPATH": f"{root / 'tests'}:{root / 'autograder'}", "OMP_NUM_THREADS": "1",
               oracle_cache.RECORD: str(path)}
        env.pop(oracle_cache.CACHE, None)
        cmd = [sys.executable, "-m", "pytest", *ORACLE_TESTS, "--code", str(root / "solutions"), "-q",
               "--no-score-table", "-p", "no:cacheprovider"]
        proc = subprocess.run(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0 or not path.is_file():
            raise RuntimeError(f"recording the torch oracles failed:\n{proc.stdout[-3000:]}")
        return path.read_bytes()


def write_zip(files: dict[str, bytes], out: Path, executables: tuple[str, ...] = ()) -> None:
    """Write ``files`` to ``out`` reproducibly (sorted, fixed times and modes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = ((0o755 if name in executables else 0o644) | 0o100000) << 16
            archive.writestr(info, files[name])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hw1grader.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "autograder.zip", help="zip to write")
    args = parser.parse_args(argv)
    files = contents()
    write_zip(files, args.out, executables=("setup.sh", "run_autograder"))
    print(f"wrote {args.out} ({len(files)} files, {args.out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
