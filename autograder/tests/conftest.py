"""Fixtures of the grader's own tests: scratch folders and the session's scratch project (:mod:`scratch`)."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from scratch import Project, build_project


@pytest.fixture(scope="session")
def scratch_dir():
    """``scratch_dir(name)``: a new folder that every user may traverse (removed at the end of the session).

    A project's commands run its ``.venv/bin/python``; grading as root runs student code as an
    unprivileged user through that path, so no folder above it may be private (pytest's own
    temporary folders are).
    """
    made = []

    def make(name: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=f"grader-tests-{name}-"))
        os.chmod(path, 0o755)
        made.append(path)
        return path

    yield make
    for path in made:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def project(scratch_dir) -> Project:
    """The session's scratch project: the machinery, the template homework and a second homework
    (:func:`scratch.build_project`). Tests must leave it as it is."""
    return build_project(scratch_dir("project") / "course")
