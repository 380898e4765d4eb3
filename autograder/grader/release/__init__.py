"""Runs when staff release a homework: its autograder zip, stubs, handout, audits, a new homework."""
