"""The grading package: grades any homework of the course from its table (``python -m grader``).

Modules are grouped by when they run:

- ``grader.submission``: for every submission, on Gradescope (supervisor, results, discovery,
  secrets, manifest); the only part the autograder zip carries;
- ``grader.release``: when staff release a homework (autograder zip, stubs, handout, audits, a new
  homework from the template);
- ``grader.quality``: checks of a homework's grading (corpus, knock-outs, self-checks);
- ``grader.operations``: course operations (local grading, a class at once on Dask, exports,
  the class report);
- ``grader.bench``: benchmarks (a whole grading, a batch).
"""
