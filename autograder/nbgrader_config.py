"""nbgrader configuration for this repository (nbgrader 0.9).

nbgrader's folders are mapped onto the repo's layout: its *source* directory is `solutions/`
(the one source of truth of every exercise) and its *release* directory is `exercises/` (the
student versions, generated). Everything produced while grading (the gradebook, submissions,
autograded copies, feedback) goes to `grading/`, which git ignores, or to the folder named by
the environment variable COURSE_GRADING_DIR (the tests grade in a temporary folder that way).

Run nbgrader from this folder (`cd autograder && nbgrader ...`), or from anywhere with
`JUPYTER_CONFIG_PATH=<repo>/autograder` set; `python -m autograder` does that for you.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRADING = os.path.abspath(os.environ.get("COURSE_GRADING_DIR", os.path.join(REPO, "grading")))

os.makedirs(GRADING, exist_ok=True)  # the gradebook's folder must exist before nbgrader opens it

c.CourseDirectory.course_id = "nn-training"
c.CourseDirectory.root = REPO
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = os.path.join(GRADING, "submitted")
c.CourseDirectory.autograded_directory = os.path.join(GRADING, "autograded")
c.CourseDirectory.feedback_directory = os.path.join(GRADING, "feedback")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(GRADING, "gradebook.db")

# Per-cell time limit while autograding: an infinite loop is interrupted and graded as a failure.
c.ExecutePreprocessor.timeout = 120
# Exercises are tested against the course toolkit and reference code, never against students' files.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Each solution notebook has a paired MyST source (NN.md, what maintainers edit; see solutions/jupytext.toml):
# it holds the solutions and the hidden tests, so it must never be copied into a release.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.md", "jupytext.toml"]
