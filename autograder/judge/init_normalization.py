"""Judge of 03_init_normalization: standardization, weight initializers, activation statistics.

Each test cell's hidden part collects the keys below (see ``autograder.judge`` for the protocol).
An initializer is judged by the statistics of many draws: the notebook's ``initializer_draws``
draws from generators it seeds itself (as ``check_initializer`` does) and sends back the first
matrix, fingerprints of the seeded matrices, and the mean, variance and quantiles of |w| over
200,000 drawn values (the values themselves would not fit through the channel). The expected
variance never enters the sandbox (the notebook states it as the condition of the student's derivation):
it is the reference's formula for the visible cases and, as the old hidden tests did, the variance of
200,000 values drawn here from the reference for the others. The thresholds are those of
``check_initializer``; a variance off by the factor of a classic mistake gets that mistake's sentence.
``zeros`` is judged by the symmetry it causes: trained from zeros by the student's ``train_from``, the
tiny network's hidden units must stay identical (and match the reference's training from zeros).
"""
import dataclasses
import functools

import numpy as np

from nnlab.data import load_digits_split

from autograder.reference import activations as act
from autograder.reference import init as ref_init
from autograder.reference import normalization as ref

from . import Failure, against, compare, custom

DRAWN = 200_000  # values per initializer case, as in check_initializer


def kw_text(kw):
    return "".join(f", {k}={v:.4g}" for k, v in kw.items())


# --- Part 1: standardization -------------------------------------------------------------------------

def fit_cases(digits):
    cases = [(np.array([[1.0, 10.0, 5.0], [3.0, 30.0, 5.0]]),), (np.full((7, 2), 0.1),)]  # the visible tests
    for seed, (n, d) in [(1, (1, 3)), (2, (5, 4)), (3, (200, 16))]:
        r = np.random.default_rng(seed)
        cases.append((r.normal(size=(n, d)) * r.uniform(0.01, 100.0, size=d) + r.uniform(-50.0, 50.0, size=d),))
    const = np.random.default_rng(4).normal(size=(30, 5))
    const[:, 1], const[:, 3], const[:, 4] = 0.1, -3.0, 1e6
    return cases + [(const,), (digits.X_train,)]


def edge_case():
    edge = np.zeros((6, 4))
    edge[:, 0] = [-1e-12, 1e-12] * 3          # std exactly 1e-12 = 1e-12 * max(1, |mean|): not below it, so not constant
    edge[:, 1] = [-1.5e-12, 1.5e-12] * 3      # varies, barely: not constant
    edge[:, 2], edge[:, 3] = 100000.1, -12345.6  # constant; rounding gives the first a computed std of about 1e-11
    return edge


def apply_cases(digits):
    mean, std = ref.standardize_fit(digits.X_train)
    cases = [(np.array([[4.0, 0.0], [2.0, 1.5]]), np.array([2.0, 1.0]), np.array([2.0, 0.5])),  # the visible tests
             (digits.X_val, mean, std), (digits.X_train, mean, std)]
    for seed, (n, d) in [(5, (1, 3)), (6, (9, 4)), (7, (100, 20))]:
        r = np.random.default_rng(seed)
        cases.append((r.normal(scale=20.0, size=(n, d)), r.normal(size=d), r.uniform(0.1, 10.0, size=d)))
    return cases + [(digits.X_test, mean, std)]


def uses_given_statistics(check):
    """standardize_apply's check, first failing with a sentence when the result is X re-standardized with its own
    statistics (the classic mistake: re-fitting on the data it is applied to)."""
    def judge(results, cases):
        for (X, mean, std), result in zip(cases, results):
            got, refit = result.value, (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
            if (result.error is None and isinstance(got, np.ndarray) and got.shape == X.shape and len(X) > 1
                    and np.allclose(got, refit) and not np.allclose(refit, ref.standardize_apply(X, mean, std))):
                raise Failure("standardize_apply re-fitted the statistics on the X it receives: it must use the "
                              "training statistics it is given (mean and std), whatever X is")
        check.judge(results, cases)
    return dataclasses.replace(check, judge=judge)


MISMATCHED = [(np.ones((3, 4)), np.zeros(5), np.ones(5)),  # the visible test
              (np.ones((2, 3)), np.zeros(2), np.ones(2)), (np.ones((2, 3)), np.zeros(3), np.ones(4))]


def raises_value_error(results, cases):
    for (X, mean, std), result in zip(cases, results):
        call = f"standardize_apply(X of shape {X.shape}, mean of shape {mean.shape}, std of shape {std.shape})"
        if not (result.error or "").startswith("ValueError"):
            raise Failure(f"{call} should raise a ValueError; it "
                          + (f"raised {result.error}" if result.error else "returned a value"))


# --- Part 2: initializers ----------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def reference_variance(name, fan_in, fan_out, kw):
    """The variance of 200,000 values drawn from the reference initializer (seed 123), as the old hidden tests
    (kw as a tuple of pairs; cached: the same for every submission)."""
    init, rng = getattr(ref_init, name), np.random.default_rng(123)
    return np.concatenate([np.ravel(init(fan_in, fan_out, rng, **dict(kw)))
                           for _ in range(-(-DRAWN // (fan_in * fan_out)))]).var()


def initializer(name, visible, hidden, uniform=False):
    """The check of one random initializer over many draws.

    Args:
        visible: (fan_in, fan_out, kw, variance) of the visible tests (the table's variance).
        hidden: (fan_in, fan_out, kw), judged against the reference's measured variance.
    """
    cases = [(fi, fo, kw) for fi, fo, kw, _ in visible] + list(hidden)
    variances = [var for *_, var in visible] + [None] * len(hidden)

    def judge(results, cases):
        for (fan_in, fan_out, kw), var, result in zip(cases, variances, results):
            call = f"{name}({fan_in}, {fan_out}, rng{kw_text(kw)})"
            if result.error:
                raise Failure(f"{call} raised {result.error}")
            judge_draws(name, call, fan_in, fan_out, kw, uniform, result.value,
                        reference_variance(name, fan_in, fan_out, tuple(kw.items())) if var is None else var)

    return custom(name, cases, judge)


def judge_draws(name, call, fan_in, fan_out, kw, uniform, got, var):
    """check_initializer's assertions, on what initializer_draws sent back."""
    shape, dtype = got["shape"], got["dtype"]
    if shape is None:
        raise Failure(f"{name} returned None; did you forget a `return`?")
    if tuple(shape) != (fan_in, fan_out):
        raise Failure(f"{call} should have shape {(fan_in, fan_out)}; got shape {tuple(shape)}")
    if dtype != "float64":
        raise Failure(f"{name} should return float64; got {dtype}")
    first, again = got["same_seed"]
    if first != again:
        raise Failure(f"{name}: two generators with the same seed gave different matrices; draw every random number "
                      "from `rng` (not from np.random), so that the same seed gives the same weights")
    if first == got["other_seed"]:
        raise Failure(f"{name}: generators with different seeds gave the same matrix; draw from the `rng` you are given")
    n, mean, measured = int(got["n"]), float(got["mean"]), float(got["var"])
    if n < DRAWN:
        raise Failure(f"{call}: only {n} values were drawn (expected at least {DRAWN})")
    if not abs(mean) < 5 * np.sqrt(var / n):
        raise Failure(f"{name}({fan_in}, {fan_out}): the mean of {n} drawn weights is {mean:.3g}; it should be 0")
    if not abs(measured / var - 1) < 0.03:
        raise Failure(f"{call}: " + (variance_mistake(name, fan_in, fan_out, kw, measured, var) or
                      condition_failure(name, fan_in, fan_out, measured, var, n)))
    quantiles = np.asarray(got["abs_quantiles"], dtype=np.float64)
    inside = float(np.interp(np.sqrt(var), quantiles, np.linspace(0.0, 1.0, len(quantiles))))
    expected, kind = (1 / np.sqrt(3), "uniform") if uniform else (0.6827, "normal (Gaussian)")
    if not abs(inside - expected) < 0.01:
        raise Failure(f"{name}: {inside:.1%} of the drawn weights lie within one standard deviation of 0, but a "
                      f"{kind} distribution puts {expected:.1%} there: draw from the right distribution")
    bound = np.sqrt(3 * var)  # U(-a, a) has variance a^2 / 3; allow 1 % for a variance measured from draws
    if uniform and not quantiles[-1] <= 1.01 * bound:
        raise Failure(f"{name}: a weight of size {quantiles[-1]:.4g} exceeds the bound a = {bound:.4g} of U(-a, a)")


# The condition each family's variance satisfies (by the first word of its name), as the notebook's check_initializer.
CONDITIONS = {"small": ("Var(w)", lambda fan_in, fan_out, v: v),
              "xavier": ("(F + B) / 2, the average of the forward and backward factors", lambda fi, fo, v: (fi + fo) * v / 2),
              "he": ("the forward factor F = fan_in * Var(w)", lambda fan_in, fan_out, v: fan_in * v)}


def condition_failure(name, fan_in, fan_out, measured, var, n):
    """The notebook's sentence: the condition of the derivation, computed from the measured and the expected variance."""
    what, condition = CONDITIONS[name.split("_")[0]]
    got, want = condition(fan_in, fan_out, measured), condition(fan_in, fan_out, var)
    return (f"with the variance {measured:.4g} of {n} drawn weights, {what} is {got:.4g}, but it should be {want:.4g} "
            f"(off by a factor {got / want:.3f}). Check your derivation, and whether you passed a variance where a "
            "standard deviation or a bound belongs")


def variance_mistake(name, fan_in, fan_out, kw, measured, var):
    """The sentence of a classic mistake the measured variance points to, or None."""
    def near(x):
        return abs(measured / x - 1) < 0.03
    if near(var * var):
        return ("the drawn weights have a standard deviation equal to the variance of your derivation: you passed the "
                "variance where a standard deviation belongs (rng.normal and the bound of rng.uniform take a standard "
                "deviation or a bound, not a variance)")
    if name.endswith("uniform") and near(var / 3):
        return ("the drawn weights have a third of the variance of your derivation: the bound a of U(-a, a) was set to "
                "the standard deviation, but U(-a, a) has variance a^2 / 3 (step 5)")
    if name.startswith("he") and fan_in != fan_out and near(var * fan_in / fan_out):
        return ("the variance is that of the forward condition with fan_out in place of fan_in: He's condition keeps "
                "the forward factor F = fan_in * Var(w) (step 4)")
    return None


# --- the symmetry of zeros: the tiny network of the notebook's tiny_net cell ----------------------------------

def tiny_data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(32, 3))
    return X, np.stack([np.sin(X[:, 0]) + X[:, 1] * X[:, 2], np.cos(X[:, 1])], axis=1)


def tiny_grads(params, X, Y):
    """Gradients of L = ||sigmoid(X W1) W2 - Y||^2 / (2N) (the notebook's tiny_net)."""
    h = act.sigmoid(X @ params["W1"])
    dout = (h @ params["W2"] - Y) / len(X)
    return {"W1": X.T @ ((dout @ params["W2"].T) * h * (1.0 - h)), "W2": h.T @ dout}


def ref_train_from_zeros(steps, lr, hidden):
    X, Y = tiny_data()
    params = {"W1": np.zeros((3, hidden)), "W2": np.zeros((hidden, 2))}
    for _ in range(steps):
        grads = tiny_grads(params, X, Y)
        params = {k: params[k] - lr * grads[k] for k in params}
    return params


def distinct_units(params, tol=1e-9):
    """The number of different hidden units (the notebook's distinct_units)."""
    units = np.concatenate([params["W1"], params["W2"].T], axis=0).T
    scale = max(1.0, float(np.abs(units).max()))
    kept = []
    for u in units:
        if not any(np.abs(u - v).max() <= tol * scale for v in kept):
            kept.append(u)
    return len(kept)


def trained_params(result, call, hidden):
    """The student's trained {"W1", "W2"}, checked for their shapes."""
    if result.error:
        raise Failure(f"{call} raised {result.error}")
    got = result.value
    shapes = {"W1": (3, hidden), "W2": (hidden, 2)}
    if not isinstance(got, dict) or set(got) != set(shapes) or any(np.shape(got[k]) != v for k, v in shapes.items()):
        raise Failure(f"{call} should return a dict with W1 of shape {shapes['W1']} and W2 of shape {shapes['W2']}")
    return {k: np.asarray(v, dtype=np.float64) for k, v in got.items()}


def judge_zeros_symmetry(results, cases):
    for (steps, lr, hidden), result in zip(cases, results):
        call = f"train_from(zeros, steps={steps}, lr={lr}, hidden={hidden})"
        got = trained_params(result, call, hidden)
        count = distinct_units(got)
        if count != 1:
            raise Failure(f"{call} ended with {count} different hidden units of {hidden}: started at zeros, the hidden "
                          "units should stay identical (identical units get identical gradients), so zeros must be "
                          "all zeros, and train_from must start from init(3, hidden) and init(hidden, 2)")
        compare(got, ref_train_from_zeros(steps, lr, hidden), f"{call} (the weights after training)")


def judge_random_symmetry(results, cases):
    for (steps, lr, hidden, seed), result in zip(cases, results):
        call = f"train_from(small_random, steps={steps}, lr={lr}, rng=np.random.default_rng({seed}), hidden={hidden})"
        count = distinct_units(trained_params(result, call, hidden))
        if count != hidden:
            raise Failure(f"{call} ended with {count} different hidden units of {hidden}: random initial weights "
                          "should break the symmetry, so that every unit learns something else")


def shape_1x1(key, name):
    def judge(results, cases):
        (result,) = results
        if result.error:
            raise Failure(f"{name}(1, 1, rng) raised {result.error}")
        shape = np.shape(result.value) if isinstance(result.value, np.ndarray) else type(result.value).__name__
        if shape != (1, 1):
            raise Failure(f"{name}(1, 1, rng) should have shape (1, 1); got {shape}")
    return custom(key, [()], judge)


# --- Part 3: activation statistics ---------------------------------------------------------------------

ACTIVATIONS = {"identity": lambda s: s, "relu": act.relu, "tanh": act.tanh, "sigmoid": act.sigmoid}


def ref_layer_stats(X, weights, activation):
    h, means, stds = X, [], []
    for W in weights:
        h = ACTIVATIONS[activation](h @ W)
        means.append(h.mean())
        stds.append(h.std())
    return np.array(means), np.array(stds)


def layer_stats_cases():
    X, weights = np.array([[1.0, -1.0]]), [2.0 * np.eye(2), np.array([[1.0], [1.0]])]
    cases = [(X, weights, "identity"), (X, weights, "relu"), (np.ones((5, 3)), [np.full((3, 3), 0.1)] * 6, "tanh")]
    for seed, widths, activation in [(1, [5, 4, 3], "tanh"), (2, [64, 100, 100, 100, 10], "relu"), (3, [8] * 12, "sigmoid")]:
        r = np.random.default_rng(seed)
        X = r.normal(size=(20, widths[0]))
        cases.append((X, [r.normal(size=(a, b)) / np.sqrt(a) for a, b in zip(widths[:-1], widths[1:])], activation))
    return cases + [(np.ones((4, 3)), [], "tanh")]


def judge_layer_stats(results, cases):
    for (X, weights, activation), result in zip(cases, results):
        what = f"layer_stats with {activation} through {len(weights)} layers"
        if result.error:
            raise Failure(f"{what} raised {result.error}")
        compare(result.value, ref_layer_stats(X, weights, activation), f"{what} (means, stds)")


def tests():
    digits = load_digits_split()
    gain_tanh = ref_init.calculate_gain("tanh")
    return {
        "test_standardize_fit": [
            against("standardize_fit", ref.standardize_fit, fit_cases(digits)),
            against("standardize_fit_list", ref.standardize_fit, [([[1.0, 2.0], [3.0, 6.0]],)],
                    what="standardize_fit on a Python list of rows"),
            against("standardize_fit_edge", ref.standardize_fit, [(edge_case(),)],
                    what="standardize_fit at the edge of the rule 'constant when std < 1e-12 * max(1, |mean|)' "
                         "(features that vary by about 1e-12 around 0, constant features near 1e5)")],
        "test_standardize_apply": [
            uses_given_statistics(against("standardize_apply", ref.standardize_apply, apply_cases(digits), pure=True)),
            custom("standardize_apply_mismatch", MISMATCHED, raises_value_error)],
        "test_zeros_small_random": [
            custom("zeros_symmetry", [(200, 1.0, 4), (50, 0.5, 7), (1, 1.0, 1)], judge_zeros_symmetry),
            custom("small_random_symmetry", [(200, 1.0, 4, 0), (30, 0.5, 6, 1)], judge_random_symmetry),
            initializer("small_random", [(100, 50, {}, 0.01**2), (20, 30, {"scale": 0.5}, 0.5**2)],
                        [(256, 64, {}), (7, 3, {"scale": 2.0}), (30, 500, {"scale": 1e-3})])],
        "test_xavier_normal": [
            initializer("xavier_normal", [(100, 50, {}, 2 / 150), (64, 64, {"gain": 5 / 3}, (5 / 3) ** 2 * 2 / 128)],
                        [(256, 64, {}), (7, 3, {}), (30, 500, {"gain": gain_tanh}), (128, 128, {"gain": 0.5})]),
            shape_1x1("xavier_normal_1x1", "xavier_normal")],
        "test_xavier_uniform": [
            initializer("xavier_uniform", [(100, 50, {}, 2 / 150), (64, 64, {"gain": 5 / 3}, (5 / 3) ** 2 * 2 / 128)],
                        [(256, 64, {}), (7, 3, {}), (30, 500, {"gain": gain_tanh})], uniform=True)],
        "test_he_normal": [
            initializer("he_normal", [(100, 50, {}, 2 / 100), (64, 200, {"gain": 1.0}, 1 / 64)],
                        [(256, 64, {}), (7, 3, {}), (30, 500, {}), (500, 30, {"gain": gain_tanh})])],
        "test_he_uniform": [
            initializer("he_uniform", [(100, 50, {}, 2 / 100), (64, 200, {"gain": 1.0}, 1 / 64)],
                        [(256, 64, {}), (7, 3, {}), (30, 500, {}), (500, 30, {"gain": 1.0})], uniform=True)],
        "test_layer_stats": [custom("layer_stats", layer_stats_cases(), judge_layer_stats)],
    }


TESTS = tests()
