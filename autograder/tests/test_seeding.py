"""The worker's seeding before each call (``tests/harness/seeding.py``): every global generator,
the same state whatever the call history, and torch seeded exactly as ``torch.manual_seed`` does."""

import random

import numpy as np
import torch

from harness import seeding


def _draws():
    return random.random(), float(np.random.random()), torch.rand(4)


def test_global_generators_restart_from_the_seed():
    seeding.seed_global_generators(1234)
    first = _draws()
    _draws()
    seeding.seed_global_generators(1234)
    again = _draws()
    assert first[:2] == again[:2] and torch.equal(first[2], again[2])


def test_torch_is_seeded_as_torch_manual_seed_does():
    for seed in (0, 7919, 2**31 - 2):
        torch.manual_seed(seed)
        want = torch.rand(5), torch.randint(0, 100, (5,)), torch.randperm(10)
        torch.manual_seed(seed + 1)  # move away first
        seeding.seed_global_generators(seed)
        got = torch.rand(5), torch.randint(0, 100, (5,)), torch.randperm(10)
        assert all(torch.equal(a, b) for a, b in zip(want, got)), seed


def test_cpu_only_torch_skips_the_accelerator_queue(monkeypatch):
    """On this CPU build the fast path is taken; with an accelerator, torch.manual_seed is called."""
    calls = []
    monkeypatch.setattr(torch, "manual_seed", lambda seed: calls.append(seed))
    monkeypatch.setattr(seeding, "_CPU_ONLY", {})
    seeding.seed_global_generators(3)
    assert calls == [] and seeding._CPU_ONLY[id(torch)] is True
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(seeding, "_CPU_ONLY", {})
    seeding.seed_global_generators(4)
    assert calls == [4]
