"""Lines that must never reach a student: hidden tests and reference answers.

On Gradescope the worker user cannot read these files at all; this is the second layer
for runs without a separate user (local grading as root or as yourself). The "secret"
lines are the distinctive lines of the hidden tests and of the code between the solution
markers, minus any line that also appears in public files (tests, stubs, given code).
"""

from __future__ import annotations

from pathlib import Path

MIN_LENGTH = 24
REDACTED = "[line removed: it quotes grader files]"


def _lines(path: Path) -> set[str]:
    try:
        return {line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()}
    except OSError:
        return set()


def _solution_lines(path: Path) -> set[str]:
    inside, out = False, set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stripped = line.strip()
        if stripped == "# BEGIN SOLUTION":
            inside = True
        elif stripped == "# END SOLUTION":
            inside = False
        elif inside:
            out.add(stripped)
    return out


def secret_lines(source: Path) -> frozenset[str]:
    """Distinctive lines of ``source``'s hidden tests and solution bodies (every homework's) that are not public."""
    secret: set[str] = set()
    for path in sorted(source.glob("autograder/HW*/hidden/**/*.py")):
        secret |= _lines(path)
    for path in sorted((source / "solutions").rglob("*.py")):
        secret |= _solution_lines(path)
    public: set[str] = set()
    for folder in [source / "tests", *sorted(p for p in source.glob("HW*") if p.is_dir())]:
        for path in sorted(folder.rglob("*.py")):
            public |= _lines(path)
    # A line that occurs inside public text (a prefix of a longer import, say) is no secret.
    public_text = "\n".join(sorted(public))
    return frozenset(line for line in secret - public
                     if len(line) >= MIN_LENGTH and not line.startswith("#") and line not in public_text)


def redact(text: str, secrets: frozenset[str]) -> str:
    """``text`` with every line that contains a secret line replaced by a notice."""
    if not secrets or not text:
        return text
    out = []
    for line in text.split("\n"):
        stripped = line.strip()
        if len(stripped) >= MIN_LENGTH and any(s in line for s in secrets):
            out.append(REDACTED)
        else:
            out.append(line)
    return "\n".join(out)


def leaks(text: str, secrets: frozenset[str]) -> list[str]:
    """The secret lines that appear in ``text`` (for the grader's own tests)."""
    return [s for s in secrets if s in text]
