"""FrozenLake recipes for tests: the course maps and seeded random maps, as EnvSpecs.

The course maps are written out here (not read from the given ``lake_info.py``) so the
tests check the student's code against the contract, whatever the handout holds.
"""

from __future__ import annotations

from harness.codec import EnvSpec

COURSE_MAPS = {
    "4x4": ["FHSF", "FGHF", "FHHF", "FFFF"],
    "8x8": ["FFFFFSFF", "FFFFFFFF", "HHHHHHFF", "FFFFFFFF", "FFFFFFFF", "FHFFFHHF", "FHFFHFHH", "FGFFFFFF"],
}


def lake(desc: list[str] | str, is_slippery: bool = False, **kwargs) -> EnvSpec:
    """``FrozenLake-v1`` on ``desc`` (a course map name or a list of rows)."""
    rows = COURSE_MAPS[desc] if isinstance(desc, str) else list(desc)
    return EnvSpec("FrozenLake-v1", {"desc": rows, "is_slippery": is_slippery, **kwargs})


def random_lake(size: int, seed: int, is_slippery: bool = False, p: float = 0.8, **kwargs) -> EnvSpec:
    """A random valid map from Gymnasium's ``generate_random_map(size, p, seed)``."""
    from gymnasium.envs.toy_text.frozen_lake import generate_random_map

    return lake(generate_random_map(size=size, p=p, seed=seed), is_slippery=is_slippery, **kwargs)
