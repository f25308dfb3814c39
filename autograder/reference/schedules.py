"""Learning-rate schedules: the learning rate in force at step t = 0, 1, 2, ..., as torch computes it.

Each schedule is a pure function ``schedule(t, lr, ...) -> float`` of the step number ``t`` (the
number of ``scheduler.step()`` calls made so far) and the base learning rate ``lr``. It equals the
``get_last_lr()[0]`` of the matching ``torch.optim.lr_scheduler`` after t calls of ``step()``:

- ``step_lr``   = ``StepLR(optimizer, step_size, gamma)``
- ``cosine_lr`` = ``CosineAnnealingLR(optimizer, T_max=t_max, eta_min)``, for t <= t_max
- ``warmup_lr`` = ``LinearLR(optimizer, start_factor, end_factor=1.0, total_iters=warmup_steps)``

torch updates the rate recursively (each ``step()`` multiplies or adds to the last one); the closed
forms here give the same values to float64 rounding (about 1e-15 relative).
"""
import math


def _check_step(t):
    if isinstance(t, bool) or not float(t).is_integer() or t < 0:
        raise ValueError(f"t is a step number 0, 1, 2, ...; got {t!r}")
    return int(t)


def step_lr(t, lr, step_size, gamma=0.1):
    """Step decay: the rate is multiplied by ``gamma`` every ``step_size`` steps.

    lr_t = lr * gamma ** floor(t / step_size)

    Args:
        t: step number (int >= 0).  lr: base rate (the rate at t = 0).
        step_size: steps between two decays (int >= 1).  gamma: factor of each decay.
    Returns:
        float: the rate in force at step t.
    """
    t = _check_step(t)
    if not (isinstance(step_size, int) and step_size >= 1):
        raise ValueError(f"step_size must be an integer >= 1; got {step_size!r}")
    return lr * gamma ** (t // step_size)


def cosine_lr(t, lr, t_max, eta_min=0.0):
    """Cosine annealing (Loshchilov & Hutter, 2017, without restarts): half a cosine from lr to eta_min.

    lr_t = eta_min + (lr - eta_min) * (1 + cos(pi * t / t_max)) / 2,   0 <= t <= t_max

    so lr_0 = lr and lr_{t_max} = eta_min. (Beyond t_max torch's recursion climbs back up the
    cosine; this function, like the contract, covers t <= t_max.)

    Args:
        t: step number, 0 <= t <= t_max.  lr: base rate.  t_max: steps to reach eta_min (int >= 1).
        eta_min: the final rate.
    Returns:
        float: the rate in force at step t.
    """
    t = _check_step(t)
    if not (isinstance(t_max, int) and t_max >= 1):
        raise ValueError(f"t_max must be an integer >= 1; got {t_max!r}")
    if t > t_max:
        raise ValueError(f"cosine_lr covers 0 <= t <= t_max = {t_max}; got t = {t}")
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2


def warmup_lr(t, lr, warmup_steps, start_factor=1 / 3):
    """Linear warmup: the rate grows linearly from start_factor * lr to lr in ``warmup_steps`` steps.

    lr_t = lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)

    so lr_0 = start_factor * lr and lr_t = lr from t = warmup_steps on (torch's LinearLR with
    end_factor 1 and total_iters = warmup_steps; its default start_factor is 1/3).

    Args:
        t: step number (int >= 0).  lr: the rate after warmup.  warmup_steps: int >= 1.
        start_factor: fraction of lr at t = 0, in (0, 1].
    Returns:
        float: the rate in force at step t.
    """
    t = _check_step(t)
    if not (isinstance(warmup_steps, int) and warmup_steps >= 1):
        raise ValueError(f"warmup_steps must be an integer >= 1; got {warmup_steps!r}")
    if not 0 < start_factor <= 1:
        raise ValueError(f"start_factor must be in (0, 1]; got {start_factor}")
    return lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)
