"""Checks of a homework's grading: the corpus, the knock-outs, self-checks."""
