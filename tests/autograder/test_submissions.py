"""Finding submissions in folders and zips, in nbgrader's layout and the flat layout; importing them."""
import zipfile

import pytest

from autograder.submissions import Submission, SubmissionsError, find, import_into, student_id

NAMES = ["01_backprop.ipynb"]


def touch(path, data=b"{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_nbgrader_layout_with_or_without_the_submitted_folder(tmp_path):
    touch(tmp_path / "course" / "submitted" / "alice" / "01_backprop" / "01_backprop.ipynb")
    touch(tmp_path / "course" / "submitted" / "bob" / "01_backprop" / "data.csv")
    for root in (tmp_path / "course", tmp_path / "course" / "submitted"):
        found = find(root, "01_backprop", NAMES, tmp_path)
        assert [s.student for s in found] == ["alice", "bob"]
        assert found[0].notebooks["01_backprop.ipynb"].name == "01_backprop.ipynb"
        assert found[1].notebooks == {"01_backprop.ipynb": None}  # a folder without the notebook: missing


def test_flat_layout_takes_the_id_before_the_first_underscore_and_keeps_unicode(tmp_path):
    for name in ("carol.ipynb", "dave_12345_attempt.ipynb", "Zoë Ångström.ipynb", ".hidden.ipynb", "notes.txt"):
        touch(tmp_path / name)
    found = find(tmp_path, "01_backprop", NAMES, tmp_path / "scratch")
    assert [s.student for s in found] == ["Zoë Ångström", "carol", "dave"]


def test_two_files_for_one_student_grade_the_last_and_say_so(tmp_path):
    touch(tmp_path / "erin_a.ipynb")
    touch(tmp_path / "erin_b.ipynb")
    (sub,) = find(tmp_path, "01_backprop", NAMES, tmp_path / "scratch")
    assert sub.notebooks["01_backprop.ipynb"].name == "erin_b.ipynb"
    assert sub.notes == ["two files for 01_backprop.ipynb (erin_a.ipynb, erin_b.ipynb): graded erin_b.ipynb"]


def test_a_zip_with_a_wrapping_folder_is_extracted_safely(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("export/frank.ipynb", "{}")
        z.writestr("__MACOSX/export/._frank.ipynb", "junk")
        z.writestr("../../escape.ipynb", "{}")
    (sub,) = find(archive, "01_backprop", NAMES, tmp_path / "scratch")
    assert sub.student == "frank"
    assert not (tmp_path / "escape.ipynb").exists()


@pytest.mark.parametrize("make, phrase", [
    (lambda p: p / "absent", "no such file or folder"),
    (lambda p: touch(p / "grades.csv"), "not a .zip"),
    (lambda p: touch(p / "bad.zip", b"not a zip"), "not a valid zip"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "no submissions of 01_backprop"),
])
def test_unusable_submissions_raise_a_clear_error(tmp_path, make, phrase):
    with pytest.raises(SubmissionsError, match=phrase):
        find(make(tmp_path), "01_backprop", NAMES, tmp_path / "scratch")


def test_student_ids_are_normalised_to_nfc():
    assert student_id(" Zoe\u0308 ") == "Zoë"


def test_import_copies_once_and_announces_a_replacement(tmp_path):
    first = touch(tmp_path / "in" / "gina.ipynb", b'{"v": 1}')
    sub = Submission("gina", {"01_backprop.ipynb": first})
    folder, message = import_into(sub, "01_backprop", tmp_path / "submitted")
    assert message is None and (folder / "01_backprop.ipynb").read_bytes() == b'{"v": 1}'
    assert import_into(sub, "01_backprop", tmp_path / "submitted")[1] is None  # same content: nothing said
    first.write_bytes(b'{"v": 2}')
    folder, message = import_into(sub, "01_backprop", tmp_path / "submitted")
    assert "gina: replaced the earlier submission" in message
    assert (folder / "01_backprop.ipynb").read_bytes() == b'{"v": 2}'
