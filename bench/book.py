"""Book build times: cold (empty execution cache) and cached (a second build with nothing changed)."""
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _build(out_dir):
    start = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", "-W", "-n", "--keep-going",
         "--path-output", str(out_dir), str(REPO)],
        check=True, capture_output=True, text=True,
    )
    return time.perf_counter() - start


def run():
    """Markdown section with the cold and cached build times of the whole site."""
    with tempfile.TemporaryDirectory() as tmp:
        cold = _build(tmp)
        cached = _build(tmp)
    return "\n".join([
        "## Book build",
        "",
        "`jupyter-book build -W -n --keep-going` into an empty folder (cold: every chapter executes),",
        "then again with nothing changed (cached: Jupyter Book's execution cache re-runs nothing).",
        "",
        "| build | seconds |",
        "|---|---:|",
        f"| cold | {cold:.1f} |",
        f"| cached | {cached:.1f} |",
    ])
