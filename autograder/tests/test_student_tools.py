"""The student-facing tools' logic: problem selection, the score table, make submit's unfinished list."""

import shutil

import pytest

import rubric
from harness import pytest_plugin, submit
from hw1grader import build

ROOT = build.ROOT


def test_problem_selection_accepts_numbers_and_ec():
    assert pytest_plugin.parse_problems("2,3", rubric.PROBLEMS) == {2, 3}
    assert pytest_plugin.parse_problems("1,2,3,4,5,6,EC", rubric.PROBLEMS) == {1, 2, 3, 4, 5, 6, 7}
    assert pytest_plugin.parse_problems("ec", rubric.PROBLEMS) == pytest_plugin.parse_problems("7", rubric.PROBLEMS)
    assert pytest_plugin.parse_problems("", rubric.PROBLEMS) == set()
    with pytest.raises(pytest.UsageError, match="choose among 1, 2, 3, 4, 5, 6, EC"):
        pytest_plugin.parse_problems("8", rubric.PROBLEMS)


def test_score_table_counts_skips_and_names_the_extra_credit():
    """Problem 4 all passed but its 0-point CUDA case skipped; the extra credit passed: counted as extra."""
    outcomes, results = {}, {}
    for problem in (4, 7):
        for test in rubric.TESTS[problem]:
            if test.hidden:
                continue
            skipped = "cuda" in test.node
            outcomes[test.node] = "skipped" if skipped else "passed"
            if not skipped:
                results[test.node] = (1.0, False)
    table = pytest_plugin.score_table(results, outcomes, rubric, {4, 7})
    public4 = sum(t.points for t in rubric.TESTS[4] if not t.hidden)
    public7 = sum(t.points for t in rubric.TESTS[7] if not t.hidden)
    row4 = next(line for line in table if line.startswith("4 "))
    assert "1 skipped" in row4 and "0 failed" not in row4 and row4.endswith("all passed")
    assert f"{public4:.1f} / {public4:g} public points of 20 ({20 - public4:g} hidden)" in row4
    row_ec = next(line for line in table if line.startswith("EC "))
    assert f"{public7:.1f} / {public7:g} public points of +10 extra" in row_ec
    assert any(line.startswith(f"Extra credit (EC): {public7:.1f} / {public7:g}") for line in table)
    assert any(line.startswith(f"Public tests run: {public4:.1f} / {public4:g} public points of these "
                               "problems' 20") for line in table)


def test_unfinished_lists_stubs_only(tmp_path):
    """The stubs are listed function by function; given abstract methods and finished code are not."""
    stubs = submit.unfinished(ROOT / "HW1" / "code")
    assert [name for name, _ in stubs["frozen_lake/lake_model.py"]] == ["extract_model", "run_episode",
                                                                         "evaluate_policy_mc"]
    assert ("BanditAgent.get_action", "Problem 3") not in stubs["bandits/agents.py"]  # given, not a stub
    assert ("train_memory_agent", "Extra credit") in stubs["imitation/bc_dagger.py"]
    assert submit.unfinished(ROOT / "solutions") == {}


def test_submit_packs_without_asking_when_only_the_extra_credit_is_unfinished(tmp_path, capsys):
    code = tmp_path / "code"
    shutil.copytree(ROOT / "solutions", code)
    for rel in ("frozen_lake/lake_info.py", "imitation/expert.py", "imitation/partial_observation.py"):
        shutil.copyfile(ROOT / "HW1" / "code" / rel, code / rel)
    bc = code / "imitation" / "bc_dagger.py"
    source = bc.read_text()
    start = source.index("    # BEGIN SOLUTION\n    from torch_networks import RecurrentPolicy")
    end = source.index("    # END SOLUTION", start)
    bc.write_text(source[:start] + '    raise NotImplementedError("Extra credit: implement train_memory_agent in '
                  'bc_dagger.py (see its docstring)")\n' + source[end + len("    # END SOLUTION"):])
    assert submit.main(["--code", str(code), "--out", str(tmp_path / "out.zip")]) == 0
    out = capsys.readouterr().out
    assert "imitation/bc_dagger.py (Extra credit, optional): train_memory_agent" in out
    assert (tmp_path / "out.zip").exists()


def test_a_passing_outcome_test_tells_the_student_what_was_measured():
    """Gradescope's output of a passed case carries the test's note (pass or fail, the student sees it)."""
    from hw1grader import supervisor

    node = "tests/imitation/test_bc_dagger.py::test_bc_outcome_public"
    test = {"number": "6.10", "name": "BC", "points": 1, "visibility": "visible", "cases": [node], "node": node,
            "problem": 6}
    note = "mean 498.3, lowest 471 over 20 seeds 100..119; bar 475; trained in 3.1 s of 60 s"
    passed = supervisor.grade_entry(test, {node: {"outcome": "passed", "credit": None, "feedback": "",
                                                  "note": note}}, "not run")
    assert passed.score == 1 and passed.output == f"Passed. {note}"
    plain = supervisor.grade_entry(test, {node: {"outcome": "passed", "credit": None, "feedback": ""}}, "not run")
    assert plain.output == "Passed."
