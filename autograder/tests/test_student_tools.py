"""The student-facing tools' logic: problem selection, the score table, make submit's unfinished list."""

import shutil

import pytest
from scratch import ROOT, SECOND

from grader.release import stubs
from grader.submission import supervisor
from harness import homework as homeworks
from harness import pytest_plugin, submit


def test_problem_selection_accepts_numbers_ec_and_graded(project):
    problems = project.second.problems  # Problem 1, and the extra credit as Problem 2
    assert pytest_plugin.parse_problems("1", problems) == {1}
    assert pytest_plugin.parse_problems("1,EC", problems) == pytest_plugin.parse_problems("1 2", problems) == {1, 2}
    assert pytest_plugin.parse_problems("ec", problems) == pytest_plugin.parse_problems("2", problems) == {2}
    assert pytest_plugin.parse_problems("graded", problems) == {1}
    assert pytest_plugin.parse_problems("graded,EC", problems) == {1, 2}
    assert pytest_plugin.parse_problems("", problems) == set()
    with pytest.raises(pytest.UsageError, match="choose among 1, EC, graded"):
        pytest_plugin.parse_problems("3", problems)


def test_score_table_counts_skips_and_names_the_extra_credit(project):
    """Problem 1 all passed but one case skipped; the extra credit passed: counted as extra."""
    second = project.second
    outcomes, results = {}, {}
    for problem in (1, 2):
        for test in second.tests_table[problem]:
            if not test.hidden:
                outcomes[test.node] = "passed"
                results[test.node] = (1.0, False)
    area = f"tests/{SECOND}/shapes/test_figures.py::test_area"  # 20 points, two cases: one skipped
    del outcomes[area], results[area]
    outcomes.update({f"{area}[Rectangle]": "passed", f"{area}[Square]": "skipped"})
    results[f"{area}[Rectangle]"] = (1.0, False)
    table = pytest_plugin.score_table(results, outcomes, second, {1, 2})
    public1 = sum(t.points for t in second.tests_table[1] if not t.hidden)
    public2 = sum(t.points for t in second.tests_table[2] if not t.hidden)
    row1 = next(line for line in table if line.startswith("1 "))
    assert "1 skipped" in row1 and "0 failed" not in row1 and row1.endswith("all passed")
    assert f"{public1 - 10:.1f} / {public1:g} public points of 100 ({100 - public1:g} hidden)" in row1
    row_ec = next(line for line in table if line.startswith("EC "))
    assert f"{public2:.1f} / {public2:g} public points of +10 extra" in row_ec
    assert any(line.startswith(f"Extra credit (EC): {public2:.1f} / {public2:g}") for line in table)
    assert any(line.startswith(f"Public tests run: {public1 - 10:.1f} / {public1:g} public points of these "
                               f"problems' 100 ({SECOND} is out of 100") for line in table)


def test_unfinished_lists_the_stubs_function_by_function(project):
    """The stubs are listed function by function, with the problem each raises for; the given file's
    abstract method and finished code are not listed."""
    second = project.second
    todo = submit.unfinished(second.code, second.student_files)
    assert todo == {"shapes/figures.py": [("scale", "Problem 1"), ("min_max", "Problem 1"), ("spread", "Problem 1"),
                                          ("Rectangle.area", "Problem 1")],
                    "bonus/extra.py": [("normalised", "Extra credit")]}
    assert submit.unfinished(second.code, second.given_files) == {}  # the given file's NotImplementedError
    assert submit.unfinished(second.solutions, second.student_files) == {}
    assert submit.describe_unfinished(todo) == [
        "  shapes/figures.py (Problem 1): scale, min_max, spread, Rectangle.area",
        "  bonus/extra.py (Extra credit, optional): normalised"]


@pytest.mark.course
@pytest.mark.parametrize("name", homeworks.names(ROOT))
def test_unfinished_lists_every_stub_of_each_course_homework(name):
    """Each course homework's stubs: exactly the functions that hold a solution block, each with its
    problem's label; its solutions: nothing."""
    homework = homeworks.Homework(ROOT, name)
    expected = {}
    for rel in homework.student_files:
        owners = stubs.solution_owners((homework.solutions / rel).read_text())
        labels = [homework.problem_of(rel, owner.split(".")[0]).stub_label for owner in owners]
        if owners:
            expected[rel] = list(zip(owners, labels))
    assert submit.unfinished(homework.code, homework.student_files) == expected
    assert submit.unfinished(homework.solutions, homework.student_files) == {}


def test_preflight_reports_missing_and_broken_files(project, tmp_path, monkeypatch):
    second = project.second
    code = tmp_path / "code"
    shutil.copytree(second.solutions, code)
    shutil.copytree(second.code, code, dirs_exist_ok=True, ignore=lambda d, names: [
        n for n in names if n.endswith(".py") and n != "base.py"])
    monkeypatch.chdir(code)  # each file imports in its own folder, whatever the current one
    assert submit.preflight(code, second.student_files) == []
    monkeypatch.chdir(tmp_path)
    assert submit.preflight(code.relative_to(tmp_path), second.student_files) == []  # relative to here
    missing = {**second.student_files, "bonus/gone.py": 2}
    assert submit.preflight(code, missing) == [f"missing {code / 'bonus/gone.py'} (Problem 2)"]
    (code / "shapes" / "base.py").unlink()  # the given file: figures.py no longer imports
    problems = submit.preflight(code, second.student_files)
    assert problems[0] == "shapes/figures.py: does not import: ModuleNotFoundError: No module named 'base'"
    assert len(problems) == 2 and problems[1].startswith("bonus/extra.py: does not import")


def test_submit_packs_without_asking_when_only_the_extra_credit_is_unfinished(project, tmp_path, capsys):
    second = project.second
    code = tmp_path / "code"
    shutil.copytree(second.code, code)
    for rel in second.student_files:
        if not second.problem_of(rel).extra_credit:
            shutil.copyfile(second.solutions / rel, code / rel)
    out = tmp_path / "out.zip"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project.root)  # the project (or handout) the tool runs in
        assert submit.main(["--homework", SECOND, "--code", str(code), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "bonus/extra.py (Extra credit, optional): normalised" in printed
    assert submit.pack(code, tmp_path / "again.zip", second.student_files) == list(second.student_files)
    assert out.exists()


def test_a_passing_outcome_test_tells_the_student_what_was_measured():
    """Gradescope's output of a passed case carries the test's note (pass or fail, the student sees it)."""
    node = "tests/HWx/part/test_part.py::test_outcome_public"
    test = {"number": "6.10", "name": "outcome", "points": 1, "visibility": "visible", "cases": [node], "node": node,
            "problem": 6}
    note = "mean 498.3, lowest 471 over 20 seeds 100..119; bar 475; trained in 3.1 s of 60 s"
    passed = supervisor.grade_entry(test, {node: {"outcome": "passed", "credit": None, "feedback": "",
                                                  "note": note}}, "not run")
    assert passed.score == 1 and passed.output == f"Passed. {note}"
    plain = supervisor.grade_entry(test, {node: {"outcome": "passed", "credit": None, "feedback": ""}}, "not run")
    assert plain.output == "Passed."
