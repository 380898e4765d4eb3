"""{{HW}}'s probes: staff code run inside the student worker, ``student.probe("family.function", ...)``.

Add a module per family (``probes/<family>.py``) when a test needs to build objects in the worker
(a network with given weights, an environment that records what it shows). ``DISPLAY`` says how
each probe appears in feedback: the student code it runs, as the student would write it.
"""

DISPLAY: dict = {}
