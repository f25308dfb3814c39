"""Update rules of the lecture, one function each, with torch.optim's formulas and defaults.

Every rule has the signature ``rule(w, dw, state=None, **hyper) -> (w_next, state_next)``:

- ``w``: parameters, any shape; ``dw``: dL/dw, same shape.
- ``state``: the rule's memory (velocities, running averages, the step count ``"step"``);
  ``None`` starts a fresh one. Pass the returned state to the next call.
- Nothing is mutated: ``w``, ``dw`` and ``state`` are left as they were, and the returned
  ``w_next`` and ``state_next`` hold new arrays.

Hyperparameter names and defaults are those of torch.optim (``lr``, ``momentum``, ``alpha``,
``rho``, ``betas``, ``eps``, ``weight_decay``) and so are the formulas: from the same start,
with the same gradients, these rules and torch.optim agree to float64 rounding. Weight decay
is torch's coupled L2 term, g = dw + weight_decay * w, applied before everything else, except in
``adamw``, whose decay is decoupled from the gradient (torch.optim.AdamW). With a loss term
lambda * ||w||^2 (chapter 5), whose gradient is 2 lambda w, the coupled weight_decay is 2 lambda.
"""
import numpy as np


def _as_pair(w, dw):
    w = np.asarray(w, dtype=np.float64)
    dw = np.asarray(dw, dtype=np.float64)
    if w.shape != dw.shape:
        raise ValueError(f"w has shape {w.shape} but dw has shape {dw.shape}; dw must be dL/dw, shaped like w")
    return w, dw


def _check_nonnegative(**hyper):
    for name, value in hyper.items():
        if not value >= 0:
            raise ValueError(f"{name} must be >= 0; got {value}")


def _check_unit_interval(closed, **hyper):
    for name, value in hyper.items():
        if not (0 <= value <= 1 if closed else 0 <= value < 1):
            raise ValueError(f"{name} must be in [0, 1{']' if closed else ')'}; got {value}")


def _start(rule, w, dw, state, weight_decay, buffers):
    """Shared first lines of every rule: checks, the state (fresh or copied) and g = dw + wd * w.

    ``buffers`` maps each state array the rule needs to its initial value (created shaped like w).
    The returned state is a new dict of new arrays with "step" already incremented.
    """
    w, dw = _as_pair(w, dw)
    if state is None:
        state = {"step": 0, **{key: np.full(w.shape, float(value)) for key, value in buffers.items()}}
    missing = sorted(set(buffers) - set(state))
    if missing:
        raise ValueError(
            f"{rule}: state lacks {missing}; pass the state returned by the previous {rule} call "
            "with the same options, or None to start afresh"
        )
    for key in buffers:
        if np.shape(state[key]) != w.shape:
            raise ValueError(f"{rule}: state[{key!r}] has shape {np.shape(state[key])} but w has shape {w.shape}")
    new_state = {key: np.array(value, dtype=np.float64) for key, value in state.items() if key != "step"}
    new_state["step"] = state["step"] + 1
    return w, dw + weight_decay * w, new_state


def sgd(w, dw, state=None, lr=1e-3, weight_decay=0.0):
    """Vanilla (stochastic) gradient descent.

    w_{t+1} = w_t - lr * g_t,   g_t = dL/dw(w_t) + weight_decay * w_t.

    Args:
        w: parameters, any shape.  dw: gradient, same shape.  state: dict or None (holds "step" only).
        lr: step size.  weight_decay: coefficient of the L2 term added to dw.
    Returns:
        w_next: shaped like w.  state: {"step"}.
    """
    _check_nonnegative(lr=lr, weight_decay=weight_decay)
    w, g, state = _start("sgd", w, dw, state, weight_decay, {})
    return w - lr * g, state


def _sgd_momentum(rule, w, dw, state, lr, momentum, weight_decay, nesterov):
    _check_nonnegative(lr=lr, momentum=momentum, weight_decay=weight_decay)
    w, g, state = _start(rule, w, dw, state, weight_decay, {"velocity": 0.0})
    v = momentum * state["velocity"] + g
    state["velocity"] = v
    return w - lr * (g + momentum * v if nesterov else v), state


def momentum(w, dw, state=None, lr=1e-3, momentum=0.9, weight_decay=0.0):
    """SGD with (heavy-ball) momentum, torch's formulation with dampening 0.

    v_{t+1} = mu v_t + g_t,   w_{t+1} = w_t - lr v_{t+1},   v_0 = 0   (mu = ``momentum``).

    cs231n's notes' form u_{t+1} = mu u_t - lr g_t, w_{t+1} = w_t + u_{t+1} is the same
    trajectory for a constant lr: u_t = -lr v_t.
    ``momentum`` defaults to 0.9 (torch.optim.SGD's default 0 would make this plain SGD).

    Args:
        w: parameters, any shape.  dw: gradient, same shape.  state: dict or None.
        lr: step size.  momentum: mu.  weight_decay: L2 coefficient (g = dw + weight_decay * w).
    Returns:
        w_next: shaped like w.  state: {"step", "velocity"}.
    """
    return _sgd_momentum("momentum", w, dw, state, lr, momentum, weight_decay, nesterov=False)


def nesterov(w, dw, state=None, lr=1e-3, momentum=0.9, weight_decay=0.0):
    """Nesterov accelerated gradient, torch's SGD(nesterov=True) with dampening 0.

    v_{t+1} = mu v_t + g_t,   w_{t+1} = w_t - lr (g_t + mu v_{t+1})   (mu = ``momentum``).

    This is the look-ahead form of Sutskever et al. (2013) rewritten in the variable the gradient
    is evaluated at (as in cs231n's ``x += -mu * v_prev + (1 + mu) * v``), so only dL/dw at the
    current w is needed. ``momentum`` defaults to 0.9 (torch requires momentum > 0 here).

    Args:
        w: parameters, any shape.  dw: gradient, same shape.  state: dict or None.
        lr: step size.  momentum: mu.  weight_decay: L2 coefficient.
    Returns:
        w_next: shaped like w.  state: {"step", "velocity"}.
    """
    return _sgd_momentum("nesterov", w, dw, state, lr, momentum, weight_decay, nesterov=True)


def adagrad(w, dw, state=None, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    """Adagrad (Duchi et al., 2011): per-coordinate steps shrink with the sum of squared gradients.

    G_t = G_{t-1} + g_t^2,   w_{t+1} = w_t - lr / (1 + (t - 1) lr_decay) * g_t / (sqrt(G_t) + eps)

    with G_0 = initial_accumulator_value and t = 1, 2, ... the step number.

    Args:
        w: parameters, any shape.  dw: gradient, same shape.  state: dict or None.
        lr: step size.  lr_decay, weight_decay, initial_accumulator_value, eps: as torch.optim.Adagrad.
    Returns:
        w_next: shaped like w.  state: {"step", "sum"}.
    """
    _check_nonnegative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                       initial_accumulator_value=initial_accumulator_value, eps=eps)
    w, g, state = _start("adagrad", w, dw, state, weight_decay, {"sum": initial_accumulator_value})
    state["sum"] = state["sum"] + g * g
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    return w - clr * g / (np.sqrt(state["sum"]) + eps), state


def adadelta(w, dw, state=None, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
    """Adadelta (Zeiler, 2012): Adagrad's sum replaced by a running average, units fixed by a second one.

    E[g^2]_t = rho E[g^2]_{t-1} + (1 - rho) g_t^2
    D_t      = sqrt(E[D^2]_{t-1} + eps) / sqrt(E[g^2]_t + eps) * g_t
    E[D^2]_t = rho E[D^2]_{t-1} + (1 - rho) D_t^2
    w_{t+1}  = w_t - lr D_t

    The paper has no learning rate (lr = 1, torch's default).

    Args:
        w: parameters, any shape.  dw: gradient, same shape.  state: dict or None.
        lr: step size.  rho: decay of both averages.  eps: added inside both square roots.
        weight_decay: L2 coefficient.
    Returns:
        w_next: shaped like w.  state: {"step", "square_avg", "acc_delta"}.
    """
    _check_nonnegative(lr=lr, eps=eps, weight_decay=weight_decay)
    _check_unit_interval(True, rho=rho)
    w, g, state = _start("adadelta", w, dw, state, weight_decay, {"square_avg": 0.0, "acc_delta": 0.0})
    state["square_avg"] = rho * state["square_avg"] + (1 - rho) * g * g
    delta = np.sqrt(state["acc_delta"] + eps) / np.sqrt(state["square_avg"] + eps) * g
    state["acc_delta"] = rho * state["acc_delta"] + (1 - rho) * delta * delta
    return w - lr * delta, state


def rmsprop(w, dw, state=None, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    """RMSprop (Hinton's lecture 6e): divide the step by a running root mean square of the gradient.

    s_t = alpha s_{t-1} + (1 - alpha) g_t^2,   w_{t+1} = w_t - lr g_t / (sqrt(s_t) + eps)

    ``centered=True`` divides by an estimate of the standard deviation instead,
    sqrt(s_t - m_t^2) with m_t = alpha m_{t-1} + (1 - alpha) g_t. ``momentum`` = mu > 0 keeps a
    buffer b_t = mu b_{t-1} + g_t / (sqrt(.) + eps) and steps w_{t+1} = w_t - lr b_t.
    cs231n's notes call it the "decay rate": it is ``alpha``.

    Args:
        w: parameters, any shape.  dw: gradient, same shape.  state: dict or None.
        lr: step size.  alpha: decay of s.  eps: added to the root.  weight_decay: L2 coefficient.
        momentum: mu.
        centered: bool.
    Returns:
        w_next: shaped like w.  state: {"step", "square_avg"} plus "grad_avg" if centered and
        "momentum_buffer" if momentum > 0.
    """
    _check_nonnegative(lr=lr, eps=eps, weight_decay=weight_decay, momentum=momentum)
    _check_unit_interval(True, alpha=alpha)
    buffers = {"square_avg": 0.0}
    if centered:
        buffers["grad_avg"] = 0.0
    if momentum > 0:
        buffers["momentum_buffer"] = 0.0
    w, g, state = _start("rmsprop", w, dw, state, weight_decay, buffers)
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
    if centered:
        state["grad_avg"] = state["grad_avg"] + (1 - alpha) * (g - state["grad_avg"])
        avg = np.sqrt(state["square_avg"] - state["grad_avg"] ** 2) + eps
    else:
        avg = np.sqrt(state["square_avg"]) + eps
    if momentum > 0:
        state["momentum_buffer"] = momentum * state["momentum_buffer"] + g / avg
        return w - lr * state["momentum_buffer"], state
    return w - lr * g / avg, state


def adam(w, dw, state=None, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         bias_correction=True):
    """Adam (Kingma & Ba, 2015): momentum on the gradient, RMSprop on its square, both bias-corrected.

    m_t = beta1 m_{t-1} + (1 - beta1) g_t,      v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
    mhat_t = m_t / (1 - beta1^t),               vhat_t = v_t / (1 - beta2^t)
    w_{t+1} = w_t - lr mhat_t / (sqrt(vhat_t) + eps)

    ``amsgrad=True`` uses the running maximum of v_t in place of v_t (Reddi et al., 2018).
    ``bias_correction=False`` drops the two divisions: cs231n's notes' "Adam (almost)", whose first
    steps are too large because m_0 = v_0 = 0 biases both averages towards zero (torch has no
    such option; with the default True this is torch.optim.Adam).

    Args:
        w: parameters, any shape.  dw: gradient, same shape.  state: dict or None.
        lr: step size.  betas: (beta1, beta2), each in [0, 1).  eps: added to the root.
        weight_decay: L2 coefficient.
        amsgrad, bias_correction: bool.
    Returns:
        w_next: shaped like w.  state: {"step", "exp_avg", "exp_avg_sq"} plus "max_exp_avg_sq" if amsgrad.
    """
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2); got {betas}")
    beta1, beta2 = betas
    _check_nonnegative(lr=lr, eps=eps, weight_decay=weight_decay)
    _check_unit_interval(False, beta1=beta1, beta2=beta2)
    buffers = {"exp_avg": 0.0, "exp_avg_sq": 0.0}
    if amsgrad:
        buffers["max_exp_avg_sq"] = 0.0
    w, g, state = _start("adam", w, dw, state, weight_decay, buffers)
    state["exp_avg"] = state["exp_avg"] + (1 - beta1) * (g - state["exp_avg"])
    state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state["max_exp_avg_sq"], state["exp_avg_sq"])
    second = state["max_exp_avg_sq"] if amsgrad else state["exp_avg_sq"]
    t = state["step"]
    correction1, correction2 = (1 - beta1**t, 1 - beta2**t) if bias_correction else (1.0, 1.0)
    denom = np.sqrt(second) / correction2**0.5 + eps
    return w - (lr / correction1) * state["exp_avg"] / denom, state


def adamw(w, dw, state=None, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    """AdamW (Loshchilov & Hutter, 2019): Adam with the weight decay decoupled from the gradient.

    w'      = w_t - lr * weight_decay * w_t            (shrink first, by a fixed fraction lr * wd)
    w_{t+1} = adam(w', dw, lr, betas, eps) step        (m, v built from dw alone: no L2 term in them)

    that is, w_{t+1} = (1 - lr wd) w_t - lr mhat_t / (sqrt(vhat_t) + eps), as torch.optim.AdamW.
    In Adam with ``weight_decay`` (coupled L2), the term wd * w enters m and v and is then divided by
    sqrt(vhat): coordinates with large gradients are barely decayed. Here every coordinate shrinks by
    the same factor 1 - lr wd per step. Note torch's default weight_decay differs: 1e-2 here, 0 in Adam.

    Args:
        w: parameters, any shape.  dw: gradient, same shape.  state: dict or None.
        lr: step size.  betas: (beta1, beta2), each in [0, 1).  eps: added to the root.
        weight_decay: decay coefficient (per unit of lr).
    Returns:
        w_next: shaped like w.  state: {"step", "exp_avg", "exp_avg_sq"}.
    """
    _check_nonnegative(lr=lr, weight_decay=weight_decay)
    w, _ = _as_pair(w, dw)
    return adam(w * (1 - lr * weight_decay), dw, state, lr=lr, betas=betas, eps=eps)


RULES = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "adadelta": adadelta,
    "rmsprop": rmsprop,
    "adam": adam,
}
