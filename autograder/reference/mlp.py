"""A small multilayer perceptron built from the reference pieces, and the loop that trains it.

Each hidden layer is  affine -> [batchnorm] -> nonlinearity -> [dropout];  the last layer is a
plain affine map to the class scores, followed by the softmax or hinge loss. A weight penalty
lam R(W) can be added for every weight matrix (never for biases, gamma or beta).

    model = MLP([64, 100, 10], activation="relu", init="he_normal", batchnorm=True, seed=0)
    history = train(model, split, optimizer="adam", hyper={"lr": 1e-3}, epochs=20)
    accuracy(model, split.X_test, split.y_test)

The chapters' experiments (optimizers, initialization, batch normalization, regularization) and
the capstone all train this model; ``model.record`` exposes what happened inside the last
forward/backward pass, for plotting activation and gradient statistics.
"""
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from .activations import ACTIVATIONS
from .init import INITIALIZERS
from .layers import (activation_backward, activation_forward, affine_backward, affine_forward, hinge_loss,
                     softmax_cross_entropy)
from .normalization import batchnorm_backward, batchnorm_forward
from .optimizers import RULES
from .regularization import PENALTIES, dropout_backward, dropout_forward

LOSSES = {"softmax": softmax_cross_entropy, "hinge": hinge_loss}
"""Name -> loss function ``(scores, y) -> (loss, dscores)``; the names ``MLP(loss=...)`` accepts."""

def _lookup(what, name, table):
    """table[name], or a ValueError that lists the choices."""
    if name not in table:
        raise ValueError(f"unknown {what} {name!r}; choose one of {sorted(table)}")
    return table[name]


class MLP:
    """A fully connected network: ``len(sizes) - 1`` affine layers, a nonlinearity between them.

    Parameters live in the dict ``params``: "W1", "b1", ..., "WL", "bL" for the L affine layers
    (W_l of shape (sizes[l-1], sizes[l]), drawn by ``init``; b_l zeros) and, with batchnorm,
    "gamma1", "beta1", ..., for the L - 1 hidden layers (ones and zeros). ``bn_state[l - 1]``
    holds hidden layer l's running mean and variance. (A bias just before batchnorm is kept, as in
    cs231n, but is useless: subtracting the batch mean cancels it, so its gradient is 0.)

    After every forward pass ``record`` holds, per hidden layer l = 1 .. L-1 (list index l - 1):
        "pre_activations": (N, H_l) inputs of the nonlinearity (after batchnorm, if any),
        "activations":     (N, H_l) its outputs (before dropout),
    and after every ``loss`` call also
        "grad_activations": (N, H_l) dLoss/d(activations).

    Args:
        sizes: [D, H_1, ..., H_{L-1}, C]: input features, hidden widths, classes (at least two entries).
        activation: a name in ``activations.ACTIVATIONS`` ("relu", "tanh", "sigmoid", "softplus").
        init: a name in ``init.INITIALIZERS``, or a function ``(fan_in, fan_out, rng, **init_kw) -> W``.
        init_kw: keyword arguments for ``init`` (e.g. {"scale": 0.01} for small_random, {"gain": 5/3}).
        batchnorm: insert batch normalization before every hidden nonlinearity.
        dropout: probability p of dropping a hidden unit in training (inverted dropout), in [0, 1).
        loss: "softmax" (cross-entropy) or "hinge" (multiclass SVM).
        penalty: None, "l2" (lam ||W||^2), "l1" (lam ||W||_1) or "elastic_net" (lam (beta ||W||^2 + ||W||_1)),
            summed over the weight matrices W1 .. WL.
        lam, beta: strength of the penalty, and the elastic net's weight of its squared term.
        seed: seed of the weights and of the default dropout generator.
    """

    def __init__(self, sizes, activation="relu", init="he_normal", init_kw=None, batchnorm=False, dropout=0.0,
                 loss="softmax", penalty=None, lam=0.0, beta=1.0, seed=0):
        if len(sizes) < 2 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1
                                 for s in sizes):
            raise ValueError(f"sizes must list at least two positive integers [inputs, ..., classes]; got {sizes!r}")
        _lookup("activation", activation, ACTIVATIONS)
        init_fn = init if callable(init) else _lookup("init", init, INITIALIZERS)
        self.loss_fn = _lookup("loss", loss, LOSSES)
        if penalty is not None:
            _lookup("penalty", penalty, PENALTIES)
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout is the probability of dropping a hidden unit, in [0, 1); got {dropout}")
        if not lam >= 0:
            raise ValueError(f"lam (the penalty strength) must be >= 0; got {lam}")
        self.sizes, self.activation, self.batchnorm, self.dropout = list(sizes), activation, batchnorm, dropout
        self.penalty, self.lam, self.beta = penalty, lam, beta
        self.n_layers = len(sizes) - 1
        self.rng = np.random.default_rng(seed)
        self.params = {}
        for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            W = init_fn(fan_in, fan_out, self.rng, **(init_kw or {}))
            self.params[f"W{l}"] = np.asarray(W, dtype=np.float64)
            self.params[f"b{l}"] = np.zeros(fan_out)
            if batchnorm and l < self.n_layers:
                self.params[f"gamma{l}"] = np.ones(fan_out)
                self.params[f"beta{l}"] = np.zeros(fan_out)
        self.bn_state = [{} for _ in range(self.n_layers - 1)]
        self.record = {}

    def _hidden_forward(self, x, l, train, rng):
        """Hidden layer l: affine -> [batchnorm] -> nonlinearity -> [dropout]. Returns (out, cache)."""
        p = self.params
        a, affine_cache = affine_forward(x, p[f"W{l}"], p[f"b{l}"])
        bn_cache = None
        if self.batchnorm:
            a, bn_cache = batchnorm_forward(a, p[f"gamma{l}"], p[f"beta{l}"], self.bn_state[l - 1], train=train)
        h, act_cache = activation_forward(a, self.activation)
        self.record["pre_activations"].append(a)
        self.record["activations"].append(h)
        out, mask = h, None
        if train and self.dropout > 0:
            out, mask = dropout_forward(h, self.dropout, train=True, rng=rng)
        return out, (affine_cache, bn_cache, act_cache, mask)

    def _hidden_backward(self, dout, l, cache, grads):
        """Backward pass of hidden layer l: fills grads for its parameters, returns d(input)."""
        affine_cache, bn_cache, act_cache, mask = cache
        dh = dout if mask is None else dropout_backward(dout, mask)
        self.record["grad_activations"][l - 1] = dh
        da = activation_backward(dh, act_cache)
        if self.batchnorm:
            da, grads[f"gamma{l}"], grads[f"beta{l}"] = batchnorm_backward(da, bn_cache)
        dx, grads[f"W{l}"], grads[f"b{l}"] = affine_backward(da, affine_cache)
        return dx

    def forward(self, X, train=False, rng=None):
        """Class scores of a batch, and the caches the backward pass needs.

        Training mode uses batch statistics in batchnorm (and updates the running ones) and drops
        units; evaluation mode uses the running statistics and no dropout, so it is deterministic.

        Args:
            X: (N, D) inputs.  train: bool.
            rng: numpy Generator for the dropout masks (default: the model's own, ``self.rng``).
        Returns:
            scores: (N, C).  caches: one per layer, for ``backward``.
        """
        rng = self.rng if rng is None else rng
        self.record = {"pre_activations": [], "activations": [], "grad_activations": [None] * (self.n_layers - 1)}
        x, caches = np.asarray(X, dtype=np.float64), []
        for l in range(1, self.n_layers):
            x, cache = self._hidden_forward(x, l, train, rng)
            caches.append(cache)
        L = self.n_layers
        scores, cache = affine_forward(x, self.params[f"W{L}"], self.params[f"b{L}"])
        return scores, caches + [cache]

    def backward(self, dscores, caches):
        """Gradients of every parameter by backpropagation from dLoss/dscores.

        Args:
            dscores: (N, C).  caches: from ``forward``.
        Returns:
            grads: dict with the keys and shapes of ``params`` (the data loss only, no penalty).
        """
        grads, L = {}, self.n_layers
        dx, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, caches[-1])
        for l in range(L - 1, 0, -1):
            dx = self._hidden_backward(dx, l, caches[l - 1], grads)
        return grads

    def penalty_loss(self):
        """The weight penalty lam sum_l R(W_l) and its gradient for every W_l.

        Returns:
            value: float (0 without penalty).  grads: {"W1": dW1, ...} (empty without penalty).
        """
        if self.penalty is None:
            return 0.0, {}
        extra = {"beta": self.beta} if self.penalty == "elastic_net" else {}
        value, grads = 0.0, {}
        for l in range(1, self.n_layers + 1):
            v, grads[f"W{l}"] = PENALTIES[self.penalty](self.params[f"W{l}"], self.lam, **extra)
            value += v
        return value, grads

    def loss(self, X, y, train=True, rng=None):
        """Loss of a labelled batch and its gradient with respect to every parameter.

        L = data_loss(scores(X), y) + lam sum_l R(W_l), the data loss averaged over the batch.

        Args:
            X: (N, D) inputs.  y: (N,) integer labels in [0, C).
            train: training mode (batch statistics, dropout), as in ``forward``.
            rng: numpy Generator for the dropout masks (default ``self.rng``); pass a freshly
                seeded one to get the same masks on every call (e.g. for a gradient check).
        Returns:
            loss: float.  grads: dict with the keys and shapes of ``params``.
        """
        scores, caches = self.forward(X, train=train, rng=rng)
        data_loss, dscores = self.loss_fn(scores, y)
        grads = self.backward(dscores, caches)
        penalty, dpenalty = self.penalty_loss()
        for name, dW in dpenalty.items():
            grads[name] = grads[name] + dW
        return data_loss + penalty, grads


def predict(model, X):
    """Predicted classes in evaluation mode: argmax_c scores[n, c].  X: (N, D).  Returns (N,) int."""
    return model.forward(X, train=False)[0].argmax(axis=1)


def accuracy(model, X, y):
    """Fraction of X's rows whose predicted class (evaluation mode) equals y.  Returns a float in [0, 1]."""
    return float(np.mean(predict(model, X) == np.asarray(y)))


@dataclass
class History:
    """What ``train`` measured.

    loss: the training loss of every step's mini-batch (step t at index t - 1).
    steps: the step numbers of the evaluations (0 is the untrained model).
    train_acc, val_acc: accuracy (evaluation mode) on the whole training / validation set at those steps.
    steps_per_epoch: mini-batches per pass over the training set.
    steps_to_target: first evaluated step with val_acc >= target_accuracy (None if never, or no target).
    diverged: training stopped because the loss became inf or NaN.
    """

    steps_per_epoch: int
    loss: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    steps_to_target: int | None = None
    diverged: bool = False

    @property
    def epochs(self):
        """The evaluation steps in epochs (steps / steps_per_epoch), for plotting."""
        return np.asarray(self.steps) / self.steps_per_epoch


def _evaluate(history, model, data, step, target_accuracy):
    """Append the accuracies at ``step``; True (and ``steps_to_target`` set) if the target is reached."""
    history.steps.append(step)
    history.train_acc.append(accuracy(model, data.X_train, data.y_train))
    history.val_acc.append(accuracy(model, data.X_val, data.y_val))
    if target_accuracy is not None and history.val_acc[-1] >= target_accuracy:
        history.steps_to_target = step
        return True
    return False


def _batches(n, batch_size, rng):
    """Mini-batch indices without end: epoch after epoch, each a fresh permutation of range(n)."""
    while True:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield order[start:start + batch_size]


def train(model, data, optimizer="sgd", hyper=None, epochs=10, batch_size=64, seed=0, eval_every=None,
          augment=None, max_steps=None, target_accuracy=None, on_step=None):
    """Mini-batch training of ``model`` in place, with one optimizer state per parameter.

    Each epoch visits the training set once in an order shuffled by a generator seeded with
    ``seed`` (which also draws the dropout masks and feeds ``augment``): the same model seed and
    the same ``seed`` give the same History. Each step computes the mini-batch loss and gradients
    (training mode) and updates every parameter with the rule. Accuracies are evaluated before
    the first step, then every ``eval_every`` steps (None: after every epoch) and after the last step.

    Args:
        model: an ``MLP``.
        data: anything with X_train, y_train, X_val, y_val (e.g. ``nnlab.data.Split``).
        optimizer: a name in ``optimizers.RULES``, or a rule ``(w, dw, state, **hyper) -> (w_next, state)``.
        hyper: the rule's hyperparameters, e.g. {"lr": 0.1, "momentum": 0.9}; None: its defaults.
        epochs: passes over the training set.  batch_size: examples per step.
        seed: seed of the shuffling, dropout and augmentation.
        eval_every: evaluate every this many steps (None: once per epoch).
        augment: optional ``augment(X_batch, rng) -> X_batch`` applied to every training batch.
        max_steps: stop after this many steps even if the epochs are not done.
        target_accuracy: stop at the first evaluation with validation accuracy >= this, and
            record its step in ``History.steps_to_target``.
        on_step: optional ``on_step(step, model)`` called after every update (``model.record``
            then describes that step's mini-batch).
    Returns:
        History.
    """
    rule = optimizer if callable(optimizer) else _lookup("optimizer", optimizer, RULES)
    hyper = hyper or {}
    X, y = np.asarray(data.X_train, dtype=np.float64), np.asarray(data.y_train)
    n = len(y)
    if not (isinstance(batch_size, (int, np.integer)) and 1 <= batch_size):
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    steps_per_epoch = -(-n // batch_size)
    total = epochs * steps_per_epoch if max_steps is None else min(max_steps, epochs * steps_per_epoch)
    rng = np.random.default_rng(seed)
    states = dict.fromkeys(model.params)
    history = History(steps_per_epoch=steps_per_epoch)
    # Matrices this small gain nothing from BLAS threads and lose much to their synchronization
    # (training ran 4x slower with 2 threads on 2 busy cores), so one thread computes. A diverging
    # run (too large a learning rate) overflows: that is reported as History.diverged, not warned.
    with threadpool_limits(1, user_api="blas"), np.errstate(over="ignore", invalid="ignore"):
        if _evaluate(history, model, data, 0, target_accuracy):
            return history
        for step, idx in zip(range(1, total + 1), _batches(n, batch_size, rng)):
            X_batch = X[idx] if augment is None else augment(X[idx], rng)
            loss, grads = model.loss(X_batch, y[idx], train=True, rng=rng)
            history.loss.append(loss)
            if not np.isfinite(loss):
                history.diverged = True
                return history
            for name, w in model.params.items():
                model.params[name], states[name] = rule(w, grads[name], states[name], **hyper)
            if on_step is not None:
                on_step(step, model)
            due = step % eval_every == 0 if eval_every else step % steps_per_epoch == 0
            if (due or step == total) and _evaluate(history, model, data, step, target_accuracy):
                return history
    return history
