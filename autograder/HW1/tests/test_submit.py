"""HW1's stubs as ``make submit`` lists them, and its extra credit left unfinished (moved here from the
grader's machinery tests, which use a scratch homework of their own)."""

import shutil

import pytest
from hw1 import HW1

from harness import submit


def test_unfinished_lists_stubs_only():
    """The stubs are listed function by function; given abstract methods and finished code are not."""
    stubs = submit.unfinished(HW1.code, HW1.student_files)
    assert [name for name, _ in stubs["frozen_lake/lake_model.py"]] == ["extract_model", "run_episode",
                                                                         "evaluate_policy_mc"]
    assert ("BanditAgent.get_action", "Problem 3") not in stubs["bandits/agents.py"]  # given, not a stub
    assert ("train_memory_agent", "Extra credit") in stubs["imitation/bc_dagger.py"]
    assert submit.unfinished(HW1.solutions, HW1.student_files) == {}


def test_submit_packs_without_asking_when_only_the_extra_credit_is_unfinished(tmp_path, capsys, monkeypatch):
    code = tmp_path / "code"
    shutil.copytree(HW1.solutions, code)
    for rel in HW1.given_files:
        shutil.copyfile(HW1.code / rel, code / rel)
    bc = code / "imitation" / "bc_dagger.py"
    source = bc.read_text()
    start = source.index("    # BEGIN SOLUTION\n    from torch_networks import RecurrentPolicy")
    end = source.index("    # END SOLUTION", start)
    bc.write_text(source[:start] + '    raise NotImplementedError("Extra credit: implement train_memory_agent in '
                  'bc_dagger.py (see its docstring)")\n' + source[end + len("    # END SOLUTION"):])
    monkeypatch.chdir(HW1.root)
    assert submit.main(["--homework", HW1.name, "--code", str(code), "--out", str(tmp_path / "out.zip")]) == 0
    out = capsys.readouterr().out
    assert "imitation/bc_dagger.py (Extra credit, optional): train_memory_agent" in out
    assert (tmp_path / "out.zip").exists()


@pytest.mark.parametrize("rel", ["frozen_lake/lake_model.py", "bandits/agents.py"])
def test_stub_labels_name_the_files_problem(rel):
    labels = {label for _, label in submit.unfinished(HW1.code, HW1.student_files)[rel]}
    assert labels == {HW1.problem_of(rel).stub_label}
