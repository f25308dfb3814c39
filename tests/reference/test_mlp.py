import numpy as np
import pytest

from autograder.reference import mlp
from autograder.reference.layers import softmax_cross_entropy
from autograder.reference.normalization import standardize_apply, standardize_fit
from nnlab.data import Split, load_digits_split, spirals
from nnlab.gradcheck import numerical_gradient, relative_error


@pytest.fixture(scope="module")
def digits():
    """The digits split, standardized with the training set's statistics."""
    raw = load_digits_split()
    mean, std = standardize_fit(raw.X_train)
    X_train, X_val, X_test = (standardize_apply(X, mean, std) for X in (raw.X_train, raw.X_val, raw.X_test))
    return Split(X_train, raw.y_train, X_val, raw.y_val, X_test, raw.y_test)


def _batch(n=8, d=5, classes=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, classes, size=n)


# --- gradients of the whole network -----------------------------------------------------------

GRADCHECK_CONFIGS = {
    "relu": dict(activation="relu"),
    "tanh": dict(activation="tanh"),
    "sigmoid": dict(activation="sigmoid", init="xavier_normal"),
    "softplus-hinge": dict(activation="softplus", loss="hinge"),
    "relu-batchnorm": dict(activation="relu", batchnorm=True),
    "sigmoid-batchnorm": dict(activation="sigmoid", batchnorm=True),
    "tanh-l2": dict(activation="tanh", penalty="l2", lam=0.1),
    "tanh-l1": dict(activation="tanh", penalty="l1", lam=0.1),
    "tanh-elastic": dict(activation="tanh", penalty="elastic_net", lam=0.1, beta=0.5),
    "relu-dropout": dict(activation="relu", dropout=0.3),
    "everything": dict(activation="tanh", batchnorm=True, dropout=0.5, penalty="elastic_net", lam=0.05, loss="hinge"),
}


@pytest.mark.parametrize("config", GRADCHECK_CONFIGS.values(), ids=GRADCHECK_CONFIGS.keys())
def test_network_gradient_matches_centered_differences(config):
    model = mlp.MLP([5, 7, 6, 3], seed=3, **config)
    X, y = _batch()

    def loss_with_fixed_masks(_):
        return model.loss(X, y, rng=np.random.default_rng(3))[0]

    _, grads = model.loss(X, y, rng=np.random.default_rng(3))
    if config["activation"] == "relu":  # centered differences are only valid away from relu's kink
        assert min(np.abs(a).min() for a in model.record["pre_activations"]) > 1e-4
    assert grads.keys() == model.params.keys()
    for name, param in model.params.items():
        num = numerical_gradient(loss_with_fixed_masks, param)
        if model.batchnorm and name in ("b1", "b2"):
            # batchnorm subtracts the batch mean, so a bias just before it has no effect at all
            assert np.abs(grads[name]).max() < 1e-12 and np.abs(num).max() < 1e-7
        else:
            assert relative_error(grads[name], num) < 1e-7, name


def test_penalty_applies_to_weights_only():
    X, y = _batch()
    plain = mlp.MLP([5, 7, 3], batchnorm=True, seed=0)
    penalized = mlp.MLP([5, 7, 3], batchnorm=True, penalty="l2", lam=0.3, seed=0)
    loss, grads = plain.loss(X, y)
    loss_p, grads_p = penalized.loss(X, y)
    W1, W2 = plain.params["W1"], plain.params["W2"]
    assert loss_p == pytest.approx(loss + 0.3 * (np.sum(W1**2) + np.sum(W2**2)), rel=1e-12)
    for name in ("b1", "b2", "gamma1", "beta1"):
        np.testing.assert_array_equal(grads_p[name], grads[name])
    np.testing.assert_allclose(grads_p["W2"], grads["W2"] + 0.6 * W2, rtol=1e-12)


def test_elastic_net_weights_its_squared_term_by_beta():
    X, y = _batch()
    l1 = mlp.MLP([5, 7, 3], penalty="l1", lam=0.2, seed=0).loss(X, y)[0]
    l2 = mlp.MLP([5, 7, 3], penalty="l2", lam=0.2, seed=0).loss(X, y)[0]
    none = mlp.MLP([5, 7, 3], seed=0).loss(X, y)[0]
    elastic = mlp.MLP([5, 7, 3], penalty="elastic_net", lam=0.2, beta=0.25, seed=0).loss(X, y)[0]
    assert elastic - none == pytest.approx(0.25 * (l2 - none) + (l1 - none), rel=1e-12)


# --- what a forward/backward pass records -----------------------------------------------------

def test_record_holds_each_hidden_layers_inputs_outputs_and_gradients():
    X, y = _batch(n=10)
    model = mlp.MLP([5, 7, 6, 3], activation="tanh", batchnorm=True, seed=0)
    _, grads = model.loss(X, y)
    record = model.record
    assert [a.shape for a in record["pre_activations"]] == [(10, 7), (10, 6)]
    for a, h in zip(record["pre_activations"], record["activations"]):
        np.testing.assert_allclose(a.mean(axis=0), 0.0, atol=1e-12)  # gamma = 1, beta = 0: standardized
        np.testing.assert_allclose(a.std(axis=0), 1.0, rtol=1e-4)
        np.testing.assert_array_equal(h, np.tanh(a))
    scores = model.forward(X, train=True)[0]
    dscores = softmax_cross_entropy(scores, y)[1]
    np.testing.assert_allclose(record["grad_activations"][1], dscores @ model.params["W3"].T, rtol=1e-12)
    np.testing.assert_allclose(grads["W3"], record["activations"][1].T @ dscores, rtol=1e-12)


# --- train and evaluation modes ---------------------------------------------------------------

def test_eval_mode_is_deterministic_and_uses_running_statistics():
    X, y = _batch(n=16)
    model = mlp.MLP([5, 7, 3], batchnorm=True, dropout=0.5, seed=0)
    for _ in range(3):
        model.loss(X, y)  # training mode: moves the running statistics, draws dropout masks
    running = {key: value.copy() for key, value in model.bn_state[0].items()}
    assert not np.array_equal(model.forward(X, train=True)[0], model.forward(X, train=True)[0])
    model.bn_state[0].update(running)  # undo the two calls above
    first = model.forward(X)[0]
    np.testing.assert_array_equal(model.forward(X)[0], first)
    np.testing.assert_allclose(model.forward(X[3:4])[0], first[3:4], rtol=1e-12)  # no batch statistics
    for key, value in running.items():
        np.testing.assert_array_equal(model.bn_state[0][key], value)
    np.testing.assert_array_equal(mlp.predict(model, X), first.argmax(axis=1))
    assert mlp.accuracy(model, X, y) == np.mean(first.argmax(axis=1) == y)


# --- training -----------------------------------------------------------------------------------

def test_adam_reaches_high_validation_accuracy_on_digits(digits):
    model = mlp.MLP([64, 100, 10], seed=0)
    history = mlp.train(model, digits, optimizer="adam", hyper={"lr": 1e-3}, epochs=5, batch_size=32)
    assert history.val_acc[0] < 0.3
    assert history.val_acc[-1] > 0.9
    assert mlp.accuracy(model, digits.X_test, digits.y_test) > 0.9
    assert np.mean(history.loss[-10:]) < np.mean(history.loss[:10]) / 5


def test_small_net_separates_spirals():
    X, y = spirals(n_per_class=100, rng=np.random.default_rng(0))
    X_val, y_val = spirals(n_per_class=50, rng=np.random.default_rng(1))
    data = Split(X, y, X_val, y_val, X_val, y_val)
    model = mlp.MLP([2, 50, 3], seed=0)
    history = mlp.train(model, data, optimizer="momentum", hyper={"lr": 0.1}, epochs=150, batch_size=32)
    assert history.train_acc[-1] > 0.95 and history.val_acc[-1] > 0.9


def _shift_augment(X, rng):
    return X + 0.1 * rng.standard_normal(X.shape)


def test_same_seeds_give_identical_histories(digits):
    def run(train_seed):
        model = mlp.MLP([64, 32, 10], batchnorm=True, dropout=0.2, seed=0)
        return mlp.train(model, digits, optimizer="rmsprop", hyper={"lr": 1e-3}, epochs=2, seed=train_seed,
                         augment=_shift_augment), model

    (h1, m1), (h2, m2), (h3, _) = run(0), run(0), run(1)
    assert h1 == h2
    for name in m1.params:
        np.testing.assert_array_equal(m1.params[name], m2.params[name])
    assert h1.loss != h3.loss


def test_history_evaluates_at_start_each_epoch_and_last_step(digits):
    model = mlp.MLP([64, 16, 10], seed=0)
    history = mlp.train(model, digits, optimizer="sgd", hyper={"lr": 0.1}, epochs=3, batch_size=100)
    n = len(digits.y_train)
    assert history.steps_per_epoch == -(-n // 100)
    assert history.steps == [0, history.steps_per_epoch, 2 * history.steps_per_epoch, 3 * history.steps_per_epoch]
    np.testing.assert_array_equal(history.epochs, [0, 1, 2, 3])
    assert len(history.loss) == 3 * history.steps_per_epoch
    assert len(history.train_acc) == len(history.val_acc) == 4

    short = mlp.train(mlp.MLP([64, 16, 10], seed=0), digits, eval_every=4, max_steps=10, batch_size=100)
    assert short.steps == [0, 4, 8, 10] and len(short.loss) == 10


def test_training_stops_at_target_accuracy(digits):
    model = mlp.MLP([64, 32, 10], seed=0)
    history = mlp.train(model, digits, optimizer="adam", hyper={"lr": 1e-3}, epochs=10, eval_every=5,
                        target_accuracy=0.85)
    assert history.steps_to_target is not None and history.steps_to_target % 5 == 0
    assert history.steps[-1] == history.steps_to_target == len(history.loss)
    assert history.val_acc[-1] >= 0.85 > max(history.val_acc[:-1])
    unreachable = mlp.train(mlp.MLP([64, 32, 10], seed=0), digits, epochs=1, target_accuracy=1.01)
    assert unreachable.steps_to_target is None and len(unreachable.loss) == unreachable.steps_per_epoch


def test_diverging_run_stops_without_warnings(digits, strict_numpy):
    model = mlp.MLP([64, 32, 10], seed=0)
    history = mlp.train(model, digits, optimizer="sgd", hyper={"lr": 1e3}, epochs=5)
    assert history.diverged
    assert not np.isfinite(history.loss[-1]) and np.isfinite(history.loss[:-1]).all()


def test_hooks_see_every_batch_and_step(digits):
    sizes, steps = [], []

    def augment(X, rng):
        sizes.append(X.shape)
        return X

    mlp.train(mlp.MLP([64, 16, 10], seed=0), digits, epochs=2, batch_size=400, augment=augment,
              on_step=lambda step, model: steps.append((step, len(model.record["activations"][0]))))
    n = len(digits.y_train)
    assert sizes == [(400, 64), (400, 64), (n - 800, 64)] * 2
    assert steps == [(1, 400), (2, 400), (3, n - 800), (4, 400), (5, 400), (6, n - 800)]


def test_every_epoch_visits_each_example_once_in_a_fresh_order():
    X = np.arange(12.0)[:, None]  # each example's one feature is its index
    y = np.arange(12) % 2
    seen = []

    def augment(X_batch, rng):
        seen.append(X_batch[:, 0].astype(int))
        return X_batch

    mlp.train(mlp.MLP([1, 2]), Split(X, y, X, y, X, y), epochs=2, batch_size=5, augment=augment)
    first, second = np.concatenate(seen[:3]), np.concatenate(seen[3:])
    assert [len(s) for s in seen] == [5, 5, 2] * 2
    assert sorted(first) == sorted(second) == list(range(12))
    assert list(first) != list(range(12)) and list(first) != list(second)


def test_custom_init_and_optimizer_functions_are_used(digits):
    model = mlp.MLP([64, 16, 10], init=lambda fan_in, fan_out, rng: np.full((fan_in, fan_out), 0.5))
    np.testing.assert_array_equal(model.params["W2"], 0.5)
    mlp.train(model, digits, optimizer=lambda w, dw, state: (w - 0.01 * dw, state), max_steps=1)
    assert not np.all(model.params["W2"] == 0.5)


def test_init_kw_reaches_the_initializer():
    model = mlp.MLP([64, 500, 10], init="small_random", init_kw={"scale": 0.01}, seed=0)
    assert model.params["W1"].std() == pytest.approx(0.01, rel=0.02)


# --- bad configurations -----------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, choice", [
    (dict(activation="swish"), "relu"),
    (dict(init="orthogonal"), "he_normal"),
    (dict(loss="mse"), "hinge"),
    (dict(penalty="l3"), "elastic"),
])
def test_unknown_names_list_the_choices(kwargs, choice):
    with pytest.raises(ValueError, match=f"unknown .*choose one of .*{choice}"):
        mlp.MLP([4, 3, 2], **kwargs)


def test_unknown_optimizer_lists_the_choices(digits):
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'; choose one of .*'adam'.*'sgd'"):
        mlp.train(mlp.MLP([64, 10]), digits, optimizer="adamw")


@pytest.mark.parametrize("kwargs, message", [
    (dict(sizes=[4]), "at least two positive integers"),
    (dict(sizes=[4, 0, 2]), "at least two positive integers"),
    (dict(sizes=[4, 2], dropout=1.0), r"dropout .* \[0, 1\)"),
    (dict(sizes=[4, 2], lam=-1.0), "lam"),
])
def test_bad_sizes_and_strengths_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mlp.MLP(**kwargs)
