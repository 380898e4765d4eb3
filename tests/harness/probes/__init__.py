"""Staff probes run inside the student worker: ``student.probe("family.function", ...)``.

A probe builds objects from plain arguments, exercises the student's code and returns
plain data. Probes hold no expected values: the test process judges what they return.
"""
