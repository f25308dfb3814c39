"""Shared fixtures: a seeded generator, and NumPy floating-point warnings turned into errors."""
import numpy as np
import pytest


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
