"""Shared fixtures: a seeded generator, NumPy floating-point warnings turned into errors, and the headless
Chromium of every browser test."""
import shutil

import numpy as np
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def strict_numpy():
    """Overflow, invalid and divide-by-zero raise FloatingPointError inside the test.

    Underflow (exp(-1e4) == 0.0) stays silent, as in NumPy's defaults: it is exact to float64.
    """
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        yield


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, launched once per worker: Playwright's sync API allows one session per
    thread, so every browser test (the site's, the report page's) shares this one."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium); .ci/run installs it for CI")
    from playwright.sync_api import sync_playwright

    from bench.page_weight import CHROMIUM_FLAGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


# Fixtures computed once and shared by several tests (an nbgrader batch, a book build, a PDF, the
# kit, the site's pages opened in Chromium). Under pytest-xdist (`make test` runs `pytest -n auto
# --dist loadgroup`) the tests sharing one of them go to the same worker, so each is computed once;
# every other test goes wherever a worker is free. A fixture computed once per value of a parameter
# (an assignment, a page) makes one group per value, so the groups spread over the workers. Each
# fixture name maps to the parameter that splits its group (None: one group).
SHARED = {"hostile_batch": None, "graded": "graded", "tiny_book": None, "fresh_kit": None, "pdf": None,
          "built": None, "weights": None, "loaded": "page"}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        for name, split in SHARED.items():
            if name in item.fixturenames:
                param = split and getattr(item, "callspec", None) and item.callspec.params.get(split)
                item.add_marker(pytest.mark.xdist_group(f"{name}-{param}" if param else name))
                break
