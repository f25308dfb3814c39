"""Finding submissions in folders and zips, in nbgrader's, Canvas's, Moodle's and the flat layout:
every file is graded or said why not, no two sources are merged into one student, resubmissions are
ordered by time, zips are bounded; importing them into nbgrader's layout."""
import io
import os
import unicodedata
import zipfile
import zlib

import pytest

from autograder.batch.submissions import (Submission, SubmissionsError, ZipLimits, extract_zip, find, import_into,
                                          student_id)

NAMES = ["01_backprop.ipynb"]
OTHERS = ["02_optimizers.ipynb"]


def touch(path, data=b"{}", mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def found(folder, layout=None):
    return find(folder, "01_backprop", NAMES, folder.parent / "scratch", layout, OTHERS)


def graded(result):
    """{student: graded file name, or the refusal}."""
    return {s.student: s.refused or s.notebooks["01_backprop.ipynb"] and s.notebooks["01_backprop.ipynb"].name
            for s in result.submissions}


def fates(result):
    return {f.path: (f.fate, f.reason) for f in result.files}


def test_nbgrader_layout_with_or_without_the_submitted_folder(tmp_path):
    touch(tmp_path / "course" / "submitted" / "alice" / "01_backprop" / "01_backprop.ipynb")
    touch(tmp_path / "course" / "submitted" / "bob" / "01_backprop" / "data.csv")
    touch(tmp_path / "course" / "submitted" / "bob" / "02_optimizers" / "02_optimizers.ipynb")
    for root in (tmp_path / "course", tmp_path / "course" / "submitted"):
        result = find(root, "01_backprop", NAMES, tmp_path)
        assert result.layout == "nbgrader"
        assert [s.student for s in result.submissions] == ["alice", "bob"]
        assert result.submissions[0].notebooks["01_backprop.ipynb"].name == "01_backprop.ipynb"
        assert result.submissions[1].notebooks == {"01_backprop.ipynb": None}  # without the notebook: missing
        assert fates(result) == {"alice/01_backprop/01_backprop.ipynb": ("graded", ""),
                                 "bob/01_backprop/data.csv": ("along", "copied next to the notebook"),
                                 "bob/02_optimizers/": ("skipped", "outside the student's 01_backprop/ folder")}


def test_a_flat_files_student_id_is_its_whole_name(tmp_path):
    for name in ("jane_doe.ipynb", "jane_roe.ipynb", "_late.ipynb", "Zoë Ångström.ipynb", "dave_12345_attempt.ipynb"):
        touch(tmp_path / "subs" / name)
    result = found(tmp_path / "subs")
    assert result.layout == "flat"
    assert graded(result) == {"Zoë Ångström": "Zoë Ångström.ipynb", "_late": "_late.ipynb",
                              "dave_12345_attempt": "dave_12345_attempt.ipynb", "jane_doe": "jane_doe.ipynb",
                              "jane_roe": "jane_roe.ipynb"}


def test_every_file_found_is_graded_or_said_why_not(tmp_path):
    subs = tmp_path / "subs"
    for name in ("carol.ipynb", ".hidden.ipynb", ".DS_Store", "notes.txt", "02_optimizers.ipynb",
                 "carol_02_optimizers.ipynb", ".ipynb_checkpoints/carol-checkpoint.ipynb", "stray/x.ipynb"):
        touch(subs / name)
    result = found(subs)
    assert graded(result) == {"carol": "carol.ipynb"}
    assert fates(result) == {
        "carol.ipynb": ("graded", ""),
        ".hidden.ipynb": ("skipped", "a hidden or system file"),
        ".DS_Store": ("skipped", "a hidden or system file"),
        ".ipynb_checkpoints/": ("skipped", "a hidden or system file"),
        "notes.txt": ("skipped", "not a notebook"),
        "02_optimizers.ipynb": ("skipped", "a notebook of another assignment (02_optimizers.ipynb)"),
        "carol_02_optimizers.ipynb": ("skipped", "a notebook of another assignment (02_optimizers.ipynb)"),
        "stray/": ("skipped", "a folder without a 01_backprop/ folder in it"),
    }


def test_two_sources_for_one_student_are_refused_naming_both(tmp_path):
    subs = tmp_path / "subs"
    touch(subs / "alice" / "01_backprop" / "01_backprop.ipynb")
    touch(subs / "alice.ipynb")
    touch(subs / "Bob.ipynb")
    touch(subs / "bob.ipynb")  # one folder submitted/bob on a case-insensitive disk
    touch(subs / unicodedata.normalize("NFC", "Zoë.ipynb"))
    touch(subs / unicodedata.normalize("NFD", "Zoë.ipynb"))
    touch(subs / "erin.ipynb")
    result = found(subs)
    by_student = {s.student: s for s in result.submissions}
    assert set(by_student) == {"alice", "Bob", "Zoë", "erin"}
    assert not by_student["erin"].refused
    assert by_student["alice"].refused.startswith("refused: alice.ipynb, alice/01_backprop would all be graded as")
    assert "Bob.ipynb, bob.ipynb" in by_student["Bob"].refused and "(Bob, bob)" in by_student["Bob"].refused
    assert "nothing was graded" in by_student["Zoë"].refused
    assert [f.fate for f in result.files if f.student == "Zoë"] == ["refused", "refused"]


def test_resubmissions_in_a_folder_are_ordered_by_time_not_by_name(tmp_path):
    folder = tmp_path / "subs" / "bob" / "01_backprop"
    touch(folder / "bob_v10.ipynb", mtime=1_700_000_000)
    touch(folder / "bob_v9.ipynb", mtime=1_700_000_100)  # v9 was saved last
    (sub,) = found(tmp_path / "subs").submissions
    assert sub.notebooks["01_backprop.ipynb"].name == "bob_v9.ipynb"
    assert sub.notes[0] == ("2 files for 01_backprop.ipynb: graded bob/01_backprop/bob_v9.ipynb, the latest by "
                            "modification time; not graded: bob/01_backprop/bob_v10.ipynb")


def test_canvas_export_names_students_by_name_and_user_id_and_orders_by_submission_id(tmp_path):
    subs = tmp_path / "subs"
    touch(subs / "doejane_12345_67890_01_backprop.ipynb")
    touch(subs / "roejane_12346_67901_01_backprop.ipynb")
    touch(subs / "smithbob_222_9_01_backprop.ipynb", mtime=1_700_000_100)
    touch(subs / "smithbob_LATE_222_10_01_backprop-1.ipynb", mtime=1_700_000_000)
    touch(subs / "smithbob_LATE_222_10_helpers.py", b"X = 1")
    result = found(subs)
    assert result.layout == "canvas"
    assert graded(result) == {"doejane_12345": "doejane_12345_67890_01_backprop.ipynb",
                              "roejane_12346": "roejane_12346_67901_01_backprop.ipynb",
                              "smithbob_222": "smithbob_LATE_222_10_01_backprop-1.ipynb"}
    bob = result.submissions[-1]
    assert bob.notes == ["Canvas marked it late", "2 files for 01_backprop.ipynb: graded smithbob_LATE_222_10_01_"
                         "backprop-1.ipynb, the latest by the export's submission order; not graded: "
                         "smithbob_222_9_01_backprop.ipynb"]
    assert bob.companions == {"helpers.py": subs / "smithbob_LATE_222_10_helpers.py"}
    folder, _ = import_into(bob, "01_backprop", tmp_path / "submitted")
    assert sorted(p.name for p in folder.iterdir()) == ["01_backprop.ipynb", "helpers.py"]


def test_the_layout_option_overrides_recognition(tmp_path):
    touch(tmp_path / "subs" / "doejane_12345_67890_01_backprop.ipynb")
    assert graded(found(tmp_path / "subs", "flat")) == {
        "doejane_12345_67890_01_backprop": "doejane_12345_67890_01_backprop.ipynb"}
    touch(tmp_path / "subs" / "carol.ipynb")
    result = found(tmp_path / "subs", "canvas")
    assert graded(result) == {"doejane_12345": "doejane_12345_67890_01_backprop.ipynb"}
    assert fates(result)["carol.ipynb"] == ("skipped", "not named as Canvas names its exports")


def test_moodle_files_and_per_student_folders(tmp_path):
    subs = tmp_path / "subs"
    touch(subs / "Jane Doe_101_assignsubmission_file_01_backprop.ipynb")
    touch(subs / "Jane Doe_101_assignsubmission_onlinetext_onlinetext.html", b"<p>hi</p>")
    touch(subs / "Jane Roe_102_assignsubmission_file_" / "01_backprop.ipynb")
    touch(subs / "Jane Roe_102_assignsubmission_file_" / "data.csv", b"1,2")
    result = found(subs)
    assert result.layout == "moodle"
    assert graded(result) == {"Jane Doe_101": "Jane Doe_101_assignsubmission_file_01_backprop.ipynb",
                              "Jane Roe_102": "01_backprop.ipynb"}
    assert fates(result)["Jane Roe_102_assignsubmission_file_/data.csv"] == ("along", "copied next to the notebook")


class _Replay:
    """A deflate compressor that replays one stream: the zip of many identical entries compresses once."""

    def __init__(self, stream):
        self.stream = stream

    def compress(self, data):
        return self.stream

    def flush(self):
        return b""


def bomb(tmp_path, monkeypatch, entries, size):
    """A zip of `entries` files of `size` zero bytes each, built in memory (small on disk)."""
    zeros = bytes(size)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = deflate.compress(zeros) + deflate.flush()
    with monkeypatch.context() as m:
        m.setattr(zipfile, "_get_compressor", lambda *args: _Replay(stream))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for i in range(entries):
                z.writestr(f"export/s{i}.ipynb", zeros)
    path = tmp_path / "bomb.zip"
    path.write_bytes(buffer.getvalue())
    with zipfile.ZipFile(path) as z:
        assert z.read("export/s0.ipynb") == zeros  # a real zip: its entries do expand
    return path


def test_a_zip_bomb_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    path = bomb(tmp_path, monkeypatch, 64, 16 << 20)  # 1 GiB of zeros
    assert path.stat().st_size < 1_100_000
    with pytest.raises(SubmissionsError, match=r"expands [\d,]+ times \(to 1,073,741,824 bytes\), more than the "
                                               r"limit of 200 times"):
        find(path, "01_backprop", NAMES, tmp_path / "scratch")
    assert not (tmp_path / "scratch" / "unzipped").exists()


@pytest.mark.parametrize("limits, phrase", [
    (ZipLimits(files=3), "holds 4 files, more than the limit of 3"),
    (ZipLimits(file_bytes=999), "expands to 1,000 bytes, more than the limit of 999 bytes per file"),
    (ZipLimits(total_bytes=3999), "expands to 4,000 bytes, more than the limit of 3,999 bytes in all"),
])
def test_each_zip_limit_is_named_when_it_is_passed(tmp_path, monkeypatch, limits, phrase):
    path = bomb(tmp_path, monkeypatch, 4, 1000)
    with pytest.raises(SubmissionsError, match=phrase):
        extract_zip(path, tmp_path / "out", limits)
    assert not (tmp_path / "out").exists()
    extract_zip(path, tmp_path / "out")  # within the default limits
    assert len(list((tmp_path / "out" / "export").iterdir())) == 4


@pytest.mark.filterwarnings("ignore:Duplicate name")  # the zip is built with a duplicate on purpose
def test_a_zip_with_a_wrapping_folder_is_extracted_safely_and_keeps_entry_times(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(zipfile.ZipInfo("export/frank/01_backprop/frank_v10.ipynb", (2024, 1, 1, 10, 0, 0)), "{}")
        z.writestr(zipfile.ZipInfo("export/frank/01_backprop/frank_v9.ipynb", (2024, 1, 1, 11, 0, 0)), "{}")
        z.writestr("__MACOSX/export/._frank.ipynb", "junk")
        z.writestr("../../escape.ipynb", "{}")
        z.writestr("export/gail.ipynb", "first")
        z.writestr("export/gail.ipynb", "second")
        z.writestr("export/gail.ipynb/x", "a file under a file")
    result = find(archive, "01_backprop", NAMES, tmp_path / "scratch")
    frank, gail = result.submissions
    assert frank.student == "frank" and frank.notebooks["01_backprop.ipynb"].name == "frank_v9.ipynb"
    assert gail.notebooks["01_backprop.ipynb"].read_text() == "first"
    assert fates(result)["export.zip:export/gail.ipynb"][1] == "a second entry of that name in the zip (the first is kept)"
    assert fates(result)["export.zip:export/gail.ipynb/x"][1].startswith("cannot be extracted")
    assert not (tmp_path / "escape.ipynb").exists()
    assert fates(result)["export.zip:../../escape.ipynb"] == ("skipped", "its path leads outside the extraction folder")
    assert fates(result)["export.zip:__MACOSX/export/._frank.ipynb"] == ("skipped", "a hidden or system file")


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
