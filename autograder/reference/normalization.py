"""Data standardization and batch normalization (Ioffe & Szegedy, 2015).

Standardization rescales each input feature once, with statistics of the training set;
batch normalization does the same inside the network, for every mini-batch, and learns a
scale gamma and shift beta that can undo it. Semantics follow scikit-learn's StandardScaler
and torch's nn.BatchNorm1d.
"""
import numpy as np


def _as_matrix(name, X):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"{name} must be (N, D), one example per row; got shape {X.shape} "
                         "(reshape a single example to (1, D))")
    return X


def standardize_fit(X):
    """Per-feature mean and (population) standard deviation of a training set, as StandardScaler.

    mean_j = 1/N sum_n X_nj,   std_j = sqrt(1/N sum_n (X_nj - mean_j)^2)   (ddof = 0).
    A feature that is constant (up to the rounding error of computing its variance, the test
    scikit-learn uses) gets std_j = 1, so ``standardize_apply`` centres it and never divides by 0.

    Args:
        X: (N, D) training inputs, N >= 1.
    Returns:
        mean: (D,).  std: (D,), all > 0.
    """
    X = _as_matrix("X", X)
    n = X.shape[0]
    if n == 0:
        raise ValueError("standardize_fit needs at least one example; X has no rows")
    mean = X.mean(axis=0)
    var = X.var(axis=0)
    eps = np.finfo(np.float64).eps
    constant = var <= n * eps * var + (n * mean * eps) ** 2
    return mean, np.where(constant, 1.0, np.sqrt(var))


def standardize_apply(X, mean, std):
    """Standardize X with statistics from ``standardize_fit``: (X - mean) / std, feature by feature.

    Use the training set's mean and std for the validation and test sets too.

    Args:
        X: (N, D) inputs.  mean, std: (D,) from ``standardize_fit``.
    Returns:
        Z: (N, D).
    """
    X = _as_matrix("X", X)
    mean = np.asarray(mean, dtype=np.float64)
    std = np.asarray(std, dtype=np.float64)
    if mean.shape != (X.shape[1],) or std.shape != (X.shape[1],):
        raise ValueError(f"X has shape {X.shape} ({X.shape[1]} features) but mean has shape {mean.shape} "
                         f"and std {std.shape}; fit them on data with the same features")
    if not (std > 0).all():
        raise ValueError("std must be > 0 everywhere; use the std from standardize_fit, which replaces 0 by 1")
    return (X - mean) / std


def batchnorm_forward(x, gamma, beta, state, train=True, momentum=0.1, eps=1e-5):
    """Batch normalization over the batch axis (Ioffe & Szegedy, 2015, Algorithm 1).

    y = gamma * (x - mu) / sqrt(var + eps) + beta, where in training mu, var are the batch mean
    and biased batch variance (1/N), and in evaluation the running estimates. Training also
    updates the running estimates, as torch's nn.BatchNorm1d:

        running_mean <- (1 - momentum) running_mean + momentum mu
        running_var  <- (1 - momentum) running_var  + momentum var N / (N - 1)   (unbiased)

    ``state`` is the layer's buffers and the one argument that is changed: its two entries are
    replaced by the updated arrays (the arrays it held before are left untouched). An empty dict is
    a fresh layer: running_mean = 0 and running_var = 1, as torch.

    Args:
        x: (N, D) inputs; N >= 2 in training (a batch of one has no variance).
        gamma, beta: (D,) scale and shift.
        state: dict holding "running_mean", "running_var" (D,); created on first use.
        train: batch statistics (True) or running statistics (False).
        momentum: weight of the new batch in the running averages (the lecture's alpha).
        eps: added to the variance.
    Returns:
        out: (N, D).  cache: what ``batchnorm_backward`` needs.
    """
    x = _as_matrix("x", x)
    n, d = x.shape
    gamma = np.asarray(gamma, dtype=np.float64)
    beta = np.asarray(beta, dtype=np.float64)
    if gamma.shape != (d,) or beta.shape != (d,):
        raise ValueError(f"gamma and beta must have shape ({d},) for x of shape {x.shape}; "
                         f"got {gamma.shape} and {beta.shape}")
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1]; got {momentum}")
    if not eps >= 0:
        raise ValueError(f"eps must be >= 0; got {eps}")
    if train and n < 2:
        raise ValueError(f"batchnorm in training needs a batch of at least 2 examples to estimate a variance; "
                         f"got x of shape {x.shape} (use train=False for single examples)")
    if not isinstance(state, dict):
        raise ValueError(f"state must be a dict holding the layer's running statistics ({{}} for a fresh layer); "
                         f"got {state!r}")
    state.setdefault("running_mean", np.zeros(d))
    state.setdefault("running_var", np.ones(d))
    for key in ("running_mean", "running_var"):
        if np.shape(state[key]) != (d,):
            raise ValueError(f"state[{key!r}] has shape {np.shape(state[key])} but x has {d} features")
    if train:
        mu, var = x.mean(axis=0), x.var(axis=0)
        state["running_mean"] = (1 - momentum) * state["running_mean"] + momentum * mu
        state["running_var"] = (1 - momentum) * state["running_var"] + momentum * var * n / (n - 1)
    else:
        mu = np.asarray(state["running_mean"], dtype=np.float64)
        var = np.asarray(state["running_var"], dtype=np.float64)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv_std
    cache = {"x": x, "mu": mu, "var": var, "eps": eps, "inv_std": inv_std, "xhat": xhat, "gamma": gamma,
             "train": train}
    return gamma * xhat + beta, cache


def batchnorm_backward(dout, cache):
    """Backward pass of ``batchnorm_forward``, in closed form.

    With xhat = (x - mu) / sigma, sigma = sqrt(var + eps) and g = dout * gamma:

        dbeta  = sum_n dout,   dgamma = sum_n dout * xhat,
        dx     = (1 / (N sigma)) (N g - sum_n g - xhat sum_n g * xhat)     (training)
        dx     = g / sigma                                                  (evaluation)

    In training mu and var depend on x, which gives the two sums; in evaluation they are constants.

    Args:
        dout: (N, D) upstream gradient.  cache: from ``batchnorm_forward``.
    Returns:
        dx: (N, D).  dgamma, dbeta: (D,).
    """
    xhat, inv_std = cache["xhat"], cache["inv_std"]
    g = dout * cache["gamma"]
    if cache["train"]:
        n = dout.shape[0]
        dx = inv_std / n * (n * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0))
    else:
        dx = g * inv_std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def batchnorm_backward_staged(dout, cache):
    """Backward pass of ``batchnorm_forward`` through its computational graph, one node at a time.

    Forward graph (training):  mu = mean_n x;  xmu = x - mu;  sq = xmu^2;  var = mean_n sq;
    sigma = sqrt(var + eps);  ivar = 1 / sigma;  xhat = xmu * ivar;  out = gamma * xhat + beta.
    Each step below applies the chain rule to one node, in reverse order; a variable used twice
    (xmu, x) sums the gradients of its two paths. In evaluation mu and var are constants, so the
    only path from x to out is through xmu. Same result as ``batchnorm_backward``.

    Args:
        dout: (N, D) upstream gradient.  cache: from ``batchnorm_forward``.
    Returns:
        dx: (N, D).  dgamma, dbeta: (D,).
    """
    x, mu, var, eps, ivar, xhat, gamma = (cache[k] for k in ("x", "mu", "var", "eps", "inv_std", "xhat", "gamma"))
    n = x.shape[0]
    xmu = x - mu
    sigma = np.sqrt(var + eps)
    dbeta = dout.sum(axis=0)                      # out = gammax + beta
    dgamma = (dout * xhat).sum(axis=0)            # gammax = gamma * xhat
    dxhat = dout * gamma
    dxmu_direct = dxhat * ivar                    # xhat = xmu * ivar (the xmu input)
    if not cache["train"]:
        return dxmu_direct, dgamma, dbeta
    divar = (dxhat * xmu).sum(axis=0)             # xhat = xmu * ivar (the ivar input)
    dsigma = -divar / sigma**2                    # ivar = 1 / sigma
    dvar = 0.5 / sigma * dsigma                   # sigma = sqrt(var + eps)
    dsq = np.full_like(x, 1.0 / n) * dvar         # var = mean_n sq
    dxmu = dxmu_direct + 2 * xmu * dsq            # sq = xmu^2, plus the direct path
    dmu = -dxmu.sum(axis=0)                       # xmu = x - mu (the mu input)
    dx = dxmu + np.full_like(x, 1.0 / n) * dmu    # mu = mean_n x, plus the path through xmu
    return dx, dgamma, dbeta
