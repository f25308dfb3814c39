"""The student kit as a student gets it: built from a fresh export of the repository's last commit
(`git archive HEAD`: uncommitted files are not in it), unzipped into an empty folder outside the
repository, and installed into new venvs with nothing but what the kit's instructions say.

Installing takes a minute or two (from the package registries, or pip's cache): these tests are slow.
"""
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(args, **kwargs):
    """subprocess.run, failing with the command's output when it fails."""
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, args))} exited {proc.returncode}:\n{(proc.stdout + proc.stderr)[-4000:]}"
    return proc


def student_env(venv, home):
    """The environment of a student's shell: the venv first on PATH, nothing of the repository
    (no PYTHONPATH), and Jupyter's and IPython's user folders in an empty home of their own."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    for name, sub in [("JUPYTER_CONFIG_DIR", "jupyter-config"), ("JUPYTER_DATA_DIR", "jupyter-data"),
                      ("IPYTHONDIR", "ipython")]:
        env[name] = str(home / sub)
    env["PIP_ROOT_USER_ACTION"] = "ignore"   # CI runs as root
    return env


@pytest.fixture(scope="session")
def fresh_kit(tmp_path_factory):
    """The unzipped kit (its student/ folder), built from `git archive HEAD` by that export's own code;
    built once for both modules that use it (tests/conftest.py puts their tests on one xdist worker)."""
    work = tmp_path_factory.mktemp("fresh")
    clone = work / "clone"
    clone.mkdir()
    archive = work / "head.tar"
    run(["git", "-C", REPO, "archive", "--format=tar", "-o", archive, "HEAD"])
    with tarfile.open(archive) as tar:
        tar.extractall(clone, filter="data")
    env = {**os.environ, "PYTHONPATH": str(clone)}
    run([sys.executable, "-m", "autograder.kit", "--out", clone / "_build" / "student"], cwd=clone, env=env)
    outside = work / "outside"
    with zipfile.ZipFile(clone / "_build" / "student.zip") as zf:
        zf.extractall(outside)
    return outside / "student", clone


def new_venv(path):
    """A new, empty venv at path (no system site packages); returns its folder."""
    run([sys.executable, "-m", "venv", path])
    return Path(path)


@pytest.fixture(scope="session")
def kit_venv(fresh_kit, tmp_path_factory):
    """A new venv with the kit installed as its README says (`python3 -m venv .venv`, then, in the kit's
    folder, `.venv/bin/python -m pip install -r requirements.txt`), and a student's shell environment
    for it: (venv, env). Installing takes a minute or two: it is done once, for the kit's test and then
    the hub recipe's, which installs into that venv (its first step is the same pip command)."""
    kit_dir, _ = fresh_kit
    work = tmp_path_factory.mktemp("kit-venv")
    venv = new_venv(work / "venv")
    env = student_env(venv, work / "home")
    run([venv / "bin" / "python", "-m", "pip", "install", "-r", "requirements.txt"], cwd=kit_dir, env=env)
    return venv, env


def pytest_collection_modifyitems(items):
    """The hub recipe changes the venv it installs into (extensions off, a config in its prefix): its test
    runs after the tests that use kit_venv as the kit's instructions leave it."""
    hub = [item for item in items if item.path.name == "test_hub.py"]
    if hub:
        rest = [item for item in items if item.path.name != "test_hub.py"]
        last = max((i for i, item in enumerate(rest) if "kit_venv" in item.fixturenames), default=len(rest) - 1)
        items[:] = rest[:last + 1] + hub + rest[last + 1:]
