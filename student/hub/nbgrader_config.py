"""nbgrader's settings for students on the course's JupyterHub (installed by hub/install.sh into
<prefix>/etc/jupyter/, where every single-user server finds it).

The exchange is the folder through which assignments travel: the instructor's `nbgrader
release_assignment` puts them there, a student's Assignments tab fetches them and submits into it,
`nbgrader collect` takes the submissions, `release_feedback` returns the feedback. Mount the same
shared volume at the same path in every single-user server and on the instructor's machine:
world-readable and writable (mode 777, owned by the instructor), as nbgrader's exchange requires.
"""
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "nn-training"     # the instructor's autograder/nbgrader_config.py uses the same id
c.Exchange.root = "/srv/nbgrader/exchange"      # the shared volume
c.Exchange.path_includes_course = False         # one course per exchange: <root>/nn-training/{inbound,outbound,feedback}
