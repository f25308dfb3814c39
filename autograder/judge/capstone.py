"""Judge of 06_capstone: the student's Model, the training loop, and the recipe's test accuracy.

The capstone has no reference answer for the student's own network, so its checks are decided from
recordings (see ``autograder.judge`` for the protocol):

- ``test_model``: the hidden part records the loss at every parameter entry moved by ±h, and the
  analytic gradients; the centered differences are computed and compared here.
- ``test_train_*``: the hidden part drives the student's ``train`` with the notebook's scripted
  stand-in model (``ScriptedModel``, ``count_rule``: not graded components) and sends back what the
  stand-in recorded; what a correct loop does to the same stand-in is recomputed here.
- ``test_sanity_checks``: the sandbox receives two tiny subsets (20 images, classes renamed) of a grading
  split and sends back the first loss, the loss after overfitting and the overfitted model's labels for
  those images; the losses are compared with ln 10 and 0 here, the labels with the ones given.
- ``test_accuracy_*``: the sandbox receives the inputs of two grading splits (training and
  validation parts with their classes renamed, the test images without labels) and sends back the
  labels the recipe's model predicts; the held-out labels stay here, and the accuracy is measured here.
"""
import numpy as np

from nnlab.checks import check_close, check_gradient, check_shape
from nnlab.data import load_digits_split

from . import Failure, custom

H = 1e-5  # the step of the centered differences of test_model


def _require(condition, message):
    if not condition:
        raise Failure(message)


def _checked(check, *args, **kwargs):
    """A ``nnlab.checks`` assertion as a ``Failure``, with its wording."""
    try:
        check(*args, **kwargs)
    except AssertionError as err:
        raise Failure(str(err)) from None


def _value(result, what):
    _require(not result.error, f"{what} raised {result.error}")
    return result.value


# --- test_model: gradients against centered differences computed here ------------------------------

def _judge_gradient(record, name, what):
    """The analytic gradient of one parameter against (L(θ + h e_i) - L(θ - h e_i)) / 2h from the recorded losses."""
    numerical = (np.asarray(record["plus"][name], dtype=np.float64)
                 - np.asarray(record["minus"][name], dtype=np.float64)) / (2 * H)
    analytic = record["analytic"][name]
    if np.abs(numerical).max(initial=0.0) < 1e-7:  # e.g. a bias just before batch normalization: no effect, no gradient
        _checked(check_close, analytic, np.zeros_like(numerical), what + " (this parameter has no effect on the loss)",
                 atol=1e-7)
    else:
        _checked(check_gradient, analytic, numerical, what)


def _judge_model(results, cases):
    for (sizes, seed, n, _), result in zip(cases, results):
        record = _value(result, f"the check of Model({sizes}, seed={seed})")
        params, again = record["params"], record["again"]
        _require(isinstance(params, dict) and params, "model.params should be a non-empty dict of arrays")
        for name in params:
            _checked(check_close, again.get(name) if isinstance(again, dict) else again, params[name],
                     f"params[{name!r}] of two models built with the same seed")
        loss = record["loss"]
        _require(isinstance(loss, (int, float, np.ndarray)) and np.ndim(loss) == 0 and np.isfinite(loss),
                 f"model.loss should return a finite number first; got {loss!r}")
        names = record["grad_names"]
        _require(isinstance(names, list) and set(names) == set(params),
                 f"model.loss should return grads with the keys of params {sorted(params)}; got {names}")
        for name in params:
            _judge_gradient(record, name, f"the gradient of {name!r} in Model({sizes}, seed={seed})")
        labels = record["labels"]
        _checked(check_shape, labels, (n,), f"model.predict(X) for X of shape {(n, sizes[0])}")
        labels = np.asarray(labels)
        _require(np.issubdtype(labels.dtype, np.integer),
                 f"model.predict should return integer labels; got dtype {labels.dtype}")
        _require(np.array_equal(np.asarray(record["labels_again"]), labels),
                 "model.predict gave different labels for the same X twice (evaluation mode has no randomness)")
        _require(np.array_equal(np.asarray(record["labels_first"]), labels[:1]),
                 "model.predict(X[:1]) differs from model.predict(X)[:1]: in evaluation mode a prediction must not "
                 "depend on the other rows (use the running statistics of batch normalization)")


def _judge_seeds(results, cases):
    for (sizes, a, b), result in zip(cases, results):
        first, second = _value(result, f"Model({sizes}, seed=...)")
        _require(isinstance(first, dict) and isinstance(second, dict) and set(first) == set(second),
                 f"Model({sizes}, seed={a}) and seed={b} should have params with the same names")
        _require(not all(np.array_equal(first[k], second[k]) for k in first),
                 f"Model({sizes}, seed={a}) and seed={b} have identical parameters: draw the weights from a generator "
                 "seeded with seed")


# --- test_train_*: what a correct loop does to the scripted stand-in ---------------------------------

def steps_per_epoch(n_train, batch_size):
    """ceil(N / B): the updates of one epoch."""
    return -(-n_train // batch_size)


def correct_run(script, patience, epochs):
    """(epochs run, best epoch) of a correct loop whose validation accuracy after epoch e is script[e - 1].

    An epoch improves when its accuracy is strictly higher than every earlier one; the loop stops
    after ``epochs`` epochs or after ``patience`` epochs in a row without improvement.
    """
    best, best_epoch, waited = -np.inf, 0, 0
    for epoch in range(1, epochs + 1):
        accuracy = script[epoch - 1] if epoch <= len(script) else 0.0  # the stand-in scores 0 past its script
        if accuracy > best:
            best, best_epoch, waited = accuracy, epoch, 0
        else:
            waited += 1
            if patience is not None and waited >= patience:
                return epoch, best_epoch
    return epochs, best_epoch


def _judge_updates(results, cases):
    for (n_train, batch_size, epochs), result in zip(cases, results):
        steps = steps_per_epoch(n_train, batch_size)
        what = f"train with N = {n_train} examples, batch_size = {batch_size}, {epochs} epochs (no patience)"
        record = _value(result, what)
        batches = record["batches"]
        _require(len(batches) == epochs * steps,
                 f"{what}: model.loss should be called epochs * ceil(N / B) = {epochs * steps} times; "
                 f"it was called {len(batches)} times")
        sizes = [len(b) for b in batches]
        want_sizes = ([batch_size] * (steps - 1) + [n_train - batch_size * (steps - 1)]) * epochs
        _require(sizes == want_sizes, f"{what}: the mini-batch sizes should be {want_sizes}; got {sizes}")
        for e in range(epochs):
            seen = sorted(i for b in batches[e * steps:(e + 1) * steps] for i in b)
            _require(seen == list(range(n_train)),
                     f"{what}: epoch {e + 1} should see every training example exactly once; it saw {seen}")
        _require(len(record["loss"]) == epochs * steps,
                 f"{what}: history['loss'] should hold one loss per update ({epochs * steps}); "
                 f"it holds {len(record['loss'])}")
        _checked(check_close, record["w"], [epochs * steps],
                 f"{what}: params['w'] of the trained model (it counts the updates; pass **hyper to the rule)")
        _checked(check_close, record["best_w"], [epochs * steps],
                 f"{what}: params['w'] of the best model (the script improves every epoch, so it is the last)")
        states = record["states"]  # count_rule's state counts each of the two parameters' updates
        want = [None, None] + sorted(k for k in range(1, epochs * steps) for _ in range(2))
        got = [None] * states.count(None) + sorted(s for s in states if s is not None)
        _require(got == want, f"{what}: each parameter needs its own optimizer state, passed from one update to the "
                              f"next (None at its first update); the rule received the states {states}")


def _judge_shuffling(results, cases):
    for (n_train, batch_size, epochs, runs), result in zip(cases, results):
        steps = steps_per_epoch(n_train, batch_size)
        sequences = _value(result, f"train with N = {n_train} examples, batch_size = {batch_size}")
        by_seed = {}
        for (seed, _), batches in zip(runs, sequences):
            first = by_seed.setdefault(seed, batches)
            _require(batches == first,
                     f"two runs with seed={seed} (the global np.random seeded differently) should train on the same "
                     f"mini-batches: use only np.random.default_rng(seed), not the global np.random; "
                     f"got {first[:3]}... and {batches[:3]}...")
        for a in by_seed:
            for b in by_seed:
                _require(a >= b or by_seed[a] != by_seed[b],
                         f"runs with seed={a} and seed={b} trained on the same mini-batches: shuffle with "
                         "np.random.default_rng(seed)")
        for seed, batches in by_seed.items():
            orders = [sum(batches[e * steps:(e + 1) * steps], []) for e in range(epochs)]
            _require(orders[0] != list(range(n_train)),
                     f"the first epoch visited the examples in their stored order {orders[0]}: shuffle them")
            _require(len({tuple(o) for o in orders}) == epochs,
                     f"with seed={seed}, an epoch visited the examples in the order of an earlier epoch: draw a fresh "
                     f"permutation every epoch from one generator (the {epochs} epochs' orders: {orders})")


def _ties(script, epochs_run):
    """Whether an epoch up to epochs_run only ties the best accuracy before it."""
    return any(script[e] == max(script[:e]) for e in range(1, min(epochs_run, len(script))))


def _judge_early_stopping(results, cases):
    for (n_train, batch_size, epochs, script, patience), result in zip(cases, results):
        steps = steps_per_epoch(n_train, batch_size)
        want_epochs, want_best = correct_run(script, patience, epochs)
        what = f"train on the script {script} with patience={patience} and epochs={epochs} ({steps} updates per epoch)"
        record = _value(result, what)
        want_validations = [steps * e for e in range(1, want_epochs + 1)]
        _require(record["validations"] == want_validations,
                 f"{what}: train should validate once after each of {want_epochs} epochs, after updates "
                 f"{want_validations}; it validated after updates {record['validations']}"
                 + (" (an epoch that only ties the best is not an improvement)" if _ties(script, want_epochs) else ""))
        _checked(check_close, record["val_acc"], script[:want_epochs],
                 f"{what}: history['val_acc'] (one validation accuracy per epoch run)")
        _require(record["best_epoch"] == want_best,
                 f"{what}: history['best_epoch'] should be {want_best}; got {record['best_epoch']}")
        _checked(check_close, record["best_w"], [steps * want_best],
                 f"{what}: params['w'] of the returned best model (the model after epoch {want_best}, "
                 f"i.e. after {steps * want_best} updates)")
        _checked(check_close, record["best_counter"], [steps * want_best],
                 f"{what}: counter of the best model (a state changed in place by training: copy the model with "
                 "copy.deepcopy)")
        _checked(check_close, record["w"], [steps * want_epochs],
                 f"{what}: params['w'] of the model passed to train after it stopped "
                 f"({want_epochs} epochs of {steps} updates)")
        _require(record["copied"], f"{what}: return a copy of the best model, not the model that went on training")


# --- test_accuracy_*: the recipe on splits whose held-out labels stay here ---------------------------

RENAMED = np.array([3, 7, 0, 9, 5, 1, 8, 2, 4, 6])  # a permutation of the ten classes, no digit keeps its label
SPLIT_SEEDS = (2026, 4051)
THRESHOLDS = {"test_accuracy_90": 0.90, "test_accuracy_94": 0.94, "test_accuracy_96": 0.96}
WHAT_TO_TRY = {
    0.90: "any network that trains gets there: check that the loss falls in the first epochs (else lower the learning "
          "rate, pass **hyper to the rule, and fix the gradients if test_model fails) and that predict uses "
          "evaluation mode",
    0.94: "weights at the right scale (He or Xavier, not N(0, 0.01^2)), Adam or momentum at a learning rate that "
          "trains, and enough epochs with early stopping",
    0.96: "a recipe that works on every split: a few hundred hidden units, batch normalization or a tuned Adam, a little "
          "dropout or L2, patience of 10 or more; compare variants on two seeds (part 5)",
}
"""What a recipe below each threshold should try first (the feedback of the accuracy cells)."""


def grading_split(seed):
    """(the sandbox's inputs: X_train, renamed y_train, X_val, renamed y_val, X_test; the true test labels)."""
    split = load_digits_split(seed=seed)
    return ((split.X_train / 16.0, RENAMED[split.y_train], split.X_val / 16.0, RENAMED[split.y_val],
             split.X_test / 16.0), split.y_test)


def renamed_case():
    """The visible test's inputs: 300 training and 100 validation images of the notebook's split, digit d labelled
    (d + 1) mod 10, and the images to predict: the same 100 validation images (their labels are not held out)."""
    split = load_digits_split()
    X_val = split.X_val[:100] / 16.0
    return split.X_train[:300] / 16.0, (split.y_train[:300] + 1) % 10, X_val, (split.y_val[:100] + 1) % 10, X_val


def _judge_renamed(results, cases):
    for result, args in zip(results, cases):
        labels = _value(result, "build_and_train on 300 images with renamed labels")
        _checked(check_shape, labels, (100,),
                 "the labels predicted by the model that build_and_train returns, for 100 images")
        accuracy = np.mean(np.asarray(labels) == args[3])
        _require(accuracy > 0.5,
                 f"trained on 300 images whose labels were renamed (digit d labelled (d + 1) mod 10), your model predicted "
                 f"the renamed labels for only {accuracy:.0%} of 100 validation images. build_and_train must learn from "
                 "its argument data only (not from train_val or digits it loads itself).")


SPLITS = [grading_split(seed) for seed in SPLIT_SEEDS]
SPLIT_NUMBERS = [(k,) for k in range(len(SPLITS))]  # what test_accuracy_94 and _96 ask for: graded_labels[k]


def accuracy_judge(threshold, relayed=False):
    """The judge of one accuracy cell: the mean test accuracy over SPLITS (renamed labels) reaches threshold.

    relayed: the cell sends again the labels that test_accuracy_90 computed (so the recipe trains once per split).
    """
    def judge(results, cases):
        graded, true_names = [], []
        for result, (_, y_test) in zip(results, SPLITS):
            _require(not result.error,
                     f"the labels predicted for the test images of a grading split are missing ({result.error}): "
                     "test_accuracy_90 computes them, see its message (build_and_train or predict raised)" if relayed else
                     f"build_and_train on a grading split, or the predict of the model it returned, raised {result.error}")
            labels = result.value
            _checked(check_shape, labels, y_test.shape, "the labels predicted for the test images of a grading split")
            graded.append(np.mean(np.asarray(labels) == RENAMED[y_test]))
            true_names.append(np.mean(np.asarray(labels) == y_test))
        _require(max(true_names) <= 0.5,
                 f"on a grading split, your model predicted the true digit for {max(true_names):.0%} of the test images, "
                 "although the labels it was given were renamed: build_and_train learned from data other than its "
                 "argument. No accuracy points.")
        mean = float(np.mean(graded))
        _require(mean >= threshold,
                 f"the mean test accuracy on the grading splits is {mean:.1%} "
                 f"({', '.join(f'{a:.1%}' for a in graded)}); this cell needs {threshold * 100:g} %. What to try: "
                 f"{WHAT_TO_TRY[threshold]}")
    return judge


# --- test_sanity_checks: the first loss and overfitting a tiny subset -----------------------------------

SANITY_IMAGES_PER_CLASS = 2
FIRST_LOSS_TOLERANCE = 1.0  # |first loss - ln 10|: a mean over the batch with moderate initial scores is within it
OVERFIT_LOSS = 0.05


def sanity_cases():
    """(X, y) of two tiny subsets of the first grading split: 2 training images per class each, labels renamed."""
    (X_train, y_train, *_), _ = SPLITS[0]
    cases = []
    for start in (0, SANITY_IMAGES_PER_CLASS):
        idx = np.concatenate([np.flatnonzero(y_train == c)[start:start + SANITY_IMAGES_PER_CLASS] for c in range(10)])
        cases.append((X_train[idx], y_train[idx]))
    return cases


def _judge_sanity(results, cases):
    for result, (X, y) in zip(results, cases):
        record = _value(result, f"sanity_checks on {len(y)} images")
        _require(isinstance(record, (tuple, list)) and len(record) == 3,
                 "sanity_checks should return (initial_loss, overfit_loss, model)")
        first, last, labels = record
        _require(abs(float(first) - np.log(10)) < FIRST_LOSS_TOLERANCE,
                 f"on a tiny subset of a grading split the first loss of your fresh model is {float(first):.3g}, "
                 f"not near ln 10 = 2.303 (within {FIRST_LOSS_TOLERANCE:g}): check that the loss is a mean over the "
                 "batch, and the scale of the initial weights")
        _require(float(last) < OVERFIT_LOSS,
                 f"on a tiny subset of a grading split ({len(y)} images) the loss after overfitting is {float(last):.3g}, "
                 f"not below {OVERFIT_LOSS:g}: your recipe cannot learn {len(y)} images by heart")
        _checked(check_shape, labels, y.shape, "the labels the overfitted model predicts for the tiny subset")
        learned = np.mean(np.asarray(labels) == y)
        _require(learned == 1.0, f"on a tiny subset of a grading split the overfitted model predicts only {learned:.0%} "
                                 f"of the {len(y)} labels it was trained on (should be all)")


TESTS = {
    "test_model": [custom("model", [([6, 7, 5, 3], 1, 8, H), ([64, 16, 10], 3, 16, H), ([12, 9, 8, 7, 4], 4, 16, H)],
                          _judge_model),
                   custom("model_seeds", [([10, 8, 3], 5, 6)], _judge_seeds)],
    "test_train_updates": [custom("train_updates", [(10, 4, 3), (7, 7, 2), (13, 5, 4), (6, 1, 2), (5, 8, 3), (40, 16, 1)],
                                  _judge_updates)],
    "test_train_shuffling": [custom("train_shuffling", [(12, 4, 3, [(5, 0), (5, 1), (6, 0)]),
                                                        (30, 7, 4, [(s, s) for s in range(6)] + [(3, 99)])],
                                    _judge_shuffling)],
    "test_train_early_stopping": [custom("train_early_stopping", [
        (10, 5, 6, [0.50, 0.70, 0.60, 0.70, 0.65, 0.90], 2),
        (9, 4, 6, [0.5, 0.7, 0.6, 0.7, 0.65, 0.9], 3),
        (9, 4, 6, [0.5, 0.7, 0.6, 0.7, 0.65, 0.9], None),
        (9, 4, 6, [0.5, 0.7, 0.6, 0.7, 0.65, 0.9], 1),
        (9, 4, 4, [0.3, 0.3, 0.3, 0.3], 2),
        (9, 4, 6, [0.9, 0.5, 0.95, 0.5, 0.5, 1.0], 2),
        (9, 4, 3, [0.1, 0.2, 0.3, 0.4, 0.5], 2)], _judge_early_stopping)],
    "test_accuracy_90": [custom("recipe_renamed", [renamed_case()], _judge_renamed),
                         custom("recipe_grading_splits", [inputs for inputs, _ in SPLITS],
                                accuracy_judge(THRESHOLDS["test_accuracy_90"]))],
    "test_accuracy_94": [custom("recipe_labels_94", SPLIT_NUMBERS, accuracy_judge(THRESHOLDS["test_accuracy_94"], True))],
    "test_accuracy_96": [custom("recipe_labels_96", SPLIT_NUMBERS, accuracy_judge(THRESHOLDS["test_accuracy_96"], True))],
    "test_sanity_checks": [custom("sanity_checks", sanity_cases(), _judge_sanity)],
}
