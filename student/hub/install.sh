#!/usr/bin/env bash
# The student side of a JupyterHub single-user image, installed from the unzipped student kit.
#
#   hub/install.sh [PYTHON]     PYTHON: the interpreter of the single-user server (default: python3)
#
# 1. the kit's pinned requirements and the toolkit wheel (nbgrader comes with them);
# 2. nbgrader's instructor tools switched off for students (formgrader, create assignment, course
#    list), its student tools left on (Assignments tab, Validate button);
# 3. the exchange settings, in <prefix>/etc/jupyter/nbgrader_config.py.
# Everything goes into that Python's prefix (--sys-prefix), so it holds for every user of the image.
set -euo pipefail
kit="$(cd "$(dirname "$0")/.." && pwd)"
python="${1:-python3}"
prefix="$("$python" -c 'import sys; print(sys.prefix)')"
jupyter="$prefix/bin/jupyter"

cd "$kit"   # requirements.txt names the wheel relative to the kit's folder
"$python" -m pip install --disable-pip-version-check -r requirements.txt

for extension in formgrader course_list; do
  "$jupyter" server extension disable --sys-prefix "nbgrader.server_extensions.$extension"
done
for plugin in formgrader create-assignment course-list; do
  "$jupyter" labextension disable --level=sys_prefix "@jupyter/nbgrader:$plugin"
  "$jupyter" labextension lock --level=sys_prefix "@jupyter/nbgrader:$plugin"  # JupyterLab >= 4.1: not re-enabled from the UI
done
install -D -m 644 "$kit/hub/nbgrader_config.py" "$prefix/etc/jupyter/nbgrader_config.py"
