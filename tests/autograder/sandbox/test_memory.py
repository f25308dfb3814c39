"""Rule: a notebook's memory is limited: an allocation beyond the limit fails in its cell, the notebook
goes on, and the grader's machine is unaffected."""
import dataclasses

from sandboxed import SMALL, error, run, stdout

HOG = "import numpy as np\nhog = np.ones(2 * 1024 ** 3 // 8)  # 2 GB, twice the limit\nprint('allocated')"
CHILD_HOG = '''
import subprocess, sys
child = subprocess.run([sys.executable, "-c", "b = bytearray(2 * 1024 ** 3); print('child allocated')"],
                       capture_output=True, text=True)
print(child.returncode != 0, "MemoryError" in child.stderr)
'''


def test_an_allocation_beyond_the_limit_fails_in_its_cell_and_the_next_cell_runs():
    result = run(HOG, CHILD_HOG, "print('still here')", limits=dataclasses.replace(SMALL, memory_mb=1024))
    assert error(result, 0) in ("MemoryError", "_ArrayMemoryError"), result.outputs[0]
    assert "allocated" not in stdout(result, 0)
    assert stdout(result, 1).split() == ["True", "True"], "a child process escaped the memory limit"
    assert stdout(result, 2).strip() == "still here" and result.finished
