"""Exceptions a test sees when student code misbehaves, and the feedback they carry.

Every class here is an ``AssertionError`` so that pytest reports a failed test (not an
error in the harness), and every message is written for the student: what was called,
what went wrong, and what to do. ``output`` holds what the student's code printed.
"""

from __future__ import annotations


class StudentCodeError(AssertionError):
    """Base class: the student's code did not produce a usable result."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.output = output

    def __str__(self) -> str:
        if self.output.strip():
            return f"{self.message}\n\nYour code printed:\n{self.output}"
        return self.message


class NotImplementedYet(StudentCodeError):
    """The function still raises ``NotImplementedError`` (the stub)."""


class NotGraded(StudentCodeError):
    """Not graded because of a root cause already reported in another test (an import failure)."""


class StudentException(StudentCodeError):
    """The student's code raised an exception (including ``sys.exit``)."""


class StudentTimeout(StudentCodeError):
    """The call ran past its time limit; the worker was killed."""


class NotRun(StudentTimeout):
    """Not run at all: the problem's time budget was spent by earlier calls (not a verdict on this code)."""


class StudentCrash(StudentCodeError):
    """The worker process died (``os._exit``, a signal, the memory cap, an output flood)."""


class CheckFailed(AssertionError):
    """A graded check failed; the message is safe to show (no hidden expected values)."""


class GraderError(Exception):
    """The grading code itself failed (not the student's code): labelled, logged, never a traceback."""
