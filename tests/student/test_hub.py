"""The JupyterHub recipe (student/hub/install.sh, documented in student/hub/README.md), run from the
unzipped kit on the venv its README's instructions made (kit_venv): nbgrader's student extensions on,
its instructor tools off and locked, and the exchange set where the instructor's nbgrader looks for it."""
import re
import subprocess

import pytest

from .conftest import REPO, run

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.slow
def test_the_hub_recipe_leaves_students_their_tools_only_and_sets_the_exchange(fresh_kit, kit_venv, tmp_path):
    kit_dir, _ = fresh_kit
    venv, env = kit_venv
    run(["bash", kit_dir / "hub" / "install.sh", venv / "bin" / "python"], cwd=tmp_path, env=env)
    jupyter = venv / "bin" / "jupyter"

    listed = run([jupyter, "server", "extension", "list"], cwd=tmp_path, env=env)
    server = dict(re.findall(r"nbgrader\.server_extensions\.(\w+) (enabled|disabled)", ANSI.sub("", listed.stdout + listed.stderr)))
    assert server == {"formgrader": "disabled", "course_list": "disabled",
                      "assignment_list": "enabled", "validate_assignment": "enabled"}

    listed = run([jupyter, "labextension", "list"], cwd=tmp_path, env=env)
    listed = ANSI.sub("", listed.stdout + listed.stderr)
    disabled = set(re.findall(r"^\s+(@jupyter/nbgrader:[\w-]+)\s*$", listed.split("Disabled extensions:")[1], re.M))
    instructor = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:course-list"}
    assert disabled == instructor
    (locked,) = re.findall(r"@jupyter/nbgrader v[\d.]+ enabled OK .*\(plugins: ([^)]*) locked\)", listed)
    assert set(locked.split(", ")) == instructor

    config = run([venv / "bin" / "python", "-c",
                  "from nbgrader.apps.nbgraderapp import NbGraderApp\n"
                  "app = NbGraderApp(); app.initialize([])\n"
                  "print(app.config.CourseDirectory.course_id, app.config.Exchange.root, app.config.Exchange.path_includes_course)"],
                 cwd=tmp_path, env=env).stdout.split()
    assert config == ["nn-training", "/srv/nbgrader/exchange", "False"]
    instructor_config = (REPO / "autograder" / "nbgrader_config.py").read_text()
    assert 'c.CourseDirectory.course_id = "nn-training"' in instructor_config   # the same course on both sides
    assert "Exchange.root" not in instructor_config                            # the instructor uses nbgrader's default root
    # a student's Assignments tab lists <root>: here it does not exist, and nbgrader says which folder it wants
    listing = subprocess.run([venv / "bin" / "nbgrader", "list"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert "/srv/nbgrader/exchange" in listing.stdout + listing.stderr
