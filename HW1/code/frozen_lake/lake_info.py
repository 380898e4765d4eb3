# GIVEN CODE: complete, do not edit. Grading always uses the course's copy of this file.
"""Names of FrozenLake's actions and the course's two maps.

The course maps are not Gymnasium's defaults. Pass one as ``desc`` to
``gymnasium.make('FrozenLake-v1', desc=maps['4x4'], ...)``. Letters: S start, F frozen,
H hole, G goal. States are numbered row-major from the top-left corner.
"""

actions_to_names = {0: "Left", 1: "Down", 2: "Right", 3: "Up"}

maps = {
    # start 2, goal 5
    "4x4": ["FHSF", "FGHF", "FHHF", "FFFF"],
    # start 5, goal 57
    "8x8": [
        "FFFFFSFF",
        "FFFFFFFF",
        "HHHHHHFF",
        "FFFFFFFF",
        "FFFFFFFF",
        "FHFFFHHF",
        "FHFFHFHH",
        "FGFFFFFF",
    ],
}
