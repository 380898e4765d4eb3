"""Runs for every submission, on Gradescope: the autograder zip carries this package alone."""
