"""The knock-out check: a broken function costs only the cases that exercise it.

The full run grades the reference once per student function with that function knocked out; the
smaller tests pin down the pieces it relies on (the reference's call graph, case ids narrowing a
test's functions, the stubbing) on the scratch project's second homework. Last, the full run on
every homework of the course (about 50 gradings of single problems for a homework of six problems).
"""

import pytest
from scratch import ROOT

from grader.quality import knockout
from grader.release import stubs
from harness import homework as homeworks


def test_reference_calls_follow_names_methods_and_bases(project):
    second = project.second
    graph = knockout.reference_calls(second, second.solutions)
    # calls by name, through a private helper too, and across student files
    assert graph["min_max"] == {"_checked"}
    assert graph["spread"] == {"min_max"}
    assert graph["normalised"] == {"scale", "spread"}
    assert graph["scale"] == set()
    # a class reaches its methods and its base class's (the given base class is not a student's)
    assert graph["Square"] == {"Square.__init__", "Rectangle.__init__", "Rectangle.area"}
    assert graph["Square.__init__"] == {"Rectangle.__init__"}  # super().__init__
    assert graph["Rectangle"] == {"Rectangle.__init__", "Rectangle.area"}
    assert "Shape" not in graph and "Shape.area" not in graph["Rectangle"]
    reach = knockout.closure(["normalised"], graph, {})
    assert reach == {"normalised", "scale", "spread", "min_max", "_checked"}
    assert "Rectangle.area" in knockout.closure(["Square"], graph, {})
    assert "Rectangle.area" not in knockout.closure(["spread"], graph, {})


def test_closure_adds_the_contracts_calls():
    graph = {"a": {"b"}, "C": {"C.m"}, "C.m": set()}
    assert knockout.closure(["a"], graph, {"b": ("x",)}) == {"a", "b", "x"}
    assert knockout.closure(["C.m"], graph, {"C": ("y",)}) == {"C.m", "y"}  # a method: its class's calls too
    assert knockout.closure(["z"], {}, {"z": ("z",)}) == {"z"}


def test_case_functions_narrowed_by_case_id():
    both = ("Rectangle", "Square")
    assert knockout.case_functions("t.py::test_x[Square]", both) == ("Square",)
    assert knockout.case_functions("t.py::test_x[Rectangle-big]", both) == ("Rectangle",)
    assert knockout.case_functions("t.py::test_x[other]", both) == both
    assert knockout.case_functions("t.py::test_x", both) == both


def test_knocked_code_stubs_only_the_target(project, tmp_path):
    second = project.second
    code = knockout.knocked_code(second, [("shapes/figures.py", "Rectangle.area")], second.solutions, second.code,
                                 tmp_path)
    text = (code / "shapes/figures.py").read_text()
    assert "implement Rectangle.area" in text and "implement scale" not in text
    assert "return min(values), max(values)" in text
    assert (code / "bonus/extra.py").read_text() == (second.solutions / "bonus/extra.py").read_text()
    assert (code / "shapes/base.py").read_text() == (second.code / "shapes/base.py").read_text()  # given beside
    assert stubs.solution_owners((second.solutions / "shapes/figures.py").read_text()) == [
        "scale", "min_max", "spread", "Rectangle.area"]


def test_plan_knocks_out_each_function_in_the_problems_that_exercise_it(project):
    runs, tests, _, _ = knockout.plan(project.second, project.second.solutions)
    assert [(r.label, r.problems) for r in runs] == [
        ("scale", (1,)), ("min_max", (1,)), ("spread", (1,)), ("Rectangle.area", (1,)), ("normalised", (2,))]
    assert set(tests) == {t.node for entries in project.second.tests_table.values() for t in entries}
    only = knockout.plan(project.second, project.second.solutions, problems={1}, only={"Rectangle"})[0]
    assert [r.label for r in only] == ["Rectangle.area"]


def test_every_function_costs_only_its_own_cases(project):
    """Every student function of the scratch homework's reference, knocked out alone: no case that does not
    exercise it loses a point, and every function costs some points."""
    result = knockout.run(project.second, jobs=2, log=lambda *_: None)
    assert result["unexpected"] == []
    lost = {row["knocked"]: row["points_lost"] for row in result["rows"]}
    assert set(lost) == {"scale", "min_max", "spread", "Rectangle.area", "normalised"}
    assert lost["scale"] == pytest.approx(20) and lost["Rectangle.area"] == pytest.approx(20)
    assert lost["min_max"] == pytest.approx(10 + 10 + 40)  # its test, then spread's public and hidden tests
    assert lost["normalised"] == pytest.approx(10)


def test_knockout_flags_a_loss_the_table_does_not_explain(project, monkeypatch):
    """A test that exercises a function its table entry does not name (nor the reference, nor ``CALLS``)
    is reported: here the table claims the spread test calls nothing."""
    second = project.second
    spread = next(t for t in second.tests_table[1] if t.node.endswith("::test_spread"))
    table = {1: [t if t is not spread else homeworks.Test(t.node, t.points, t.name, functions=())
                 for t in second.tests_table[1]], 2: second.tests_table[2]}
    monkeypatch.setattr(second.table, "TESTS", table)
    result = knockout.run(second, problems={1}, only={"spread"}, jobs=1, log=lambda *_: None)
    assert result["unexpected"] == [("spread", f"tests/{second.name}/shapes/test_figures.py::test_spread")]


@pytest.mark.course
@pytest.mark.parametrize("name", homeworks.names(ROOT))
def test_every_function_of_each_course_homework_costs_only_its_own_cases(name):
    """Every student function of the course homework's reference, knocked out alone: no case that does not
    exercise it (directly, by the contract's CALLS, or inside the reference) loses a point, and every
    function costs some points (a function no test exercises would be a hole in the grading)."""
    result = knockout.run(homeworks.Homework(ROOT, name), jobs=2, log=lambda *_: None)
    assert result["unexpected"] == []
    own = [row for row in result["rows"] if not row["knocked"].startswith("[")]
    assert own and all(row["points_lost"] > 0 for row in own), [r["knocked"] for r in own if not r["points_lost"]]
    assert all(row["points_lost"] == 0 for row in result["rows"] if row["knocked"].startswith("["))
