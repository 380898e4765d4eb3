"""Course operations: local grading, a whole class on Dask, exports and the class report."""
