import numpy as np
import pytest
import torch

from autograder.reference import schedules

N_STEPS = 100


def torch_rates(make_scheduler, steps=N_STEPS, lr=0.5):
    """get_last_lr() of a torch scheduler after 0, 1, ..., steps - 1 calls of step()."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))], lr=lr)
    scheduler = make_scheduler(opt)
    rates = []
    for _ in range(steps):
        rates.append(scheduler.get_last_lr()[0])
        opt.step()
        scheduler.step()
    return np.array(rates)


@pytest.mark.parametrize("step_size, gamma", [(30, 0.1), (1, 0.9), (7, 0.5), (100, 0.1)])
def test_step_lr_matches_torch_step_lr(step_size, gamma):
    want = torch_rates(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size, gamma))
    got = [schedules.step_lr(t, 0.5, step_size, gamma) for t in range(N_STEPS)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("t_max, eta_min", [(99, 0.0), (99, 0.01), (20, 0.0), (1, 0.1)])
def test_cosine_lr_matches_torch_cosine_annealing_up_to_t_max(t_max, eta_min):
    steps = t_max + 1
    want = torch_rates(lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, t_max, eta_min), steps)
    got = [schedules.cosine_lr(t, 0.5, t_max, eta_min) for t in range(steps)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert got[0] == 0.5 and np.isclose(got[-1], eta_min, rtol=0, atol=1e-15)


@pytest.mark.parametrize("warmup_steps, start_factor", [(5, 1 / 3), (10, 0.1), (1, 0.5), (100, 0.01)])
def test_warmup_lr_matches_torch_linear_lr(warmup_steps, start_factor):
    want = torch_rates(lambda opt: torch.optim.lr_scheduler.LinearLR(
        opt, start_factor=start_factor, end_factor=1.0, total_iters=warmup_steps))
    got = [schedules.warmup_lr(t, 0.5, warmup_steps, start_factor) for t in range(N_STEPS)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


def test_warmup_default_start_factor_is_torch_default():
    import inspect
    theirs = inspect.signature(torch.optim.lr_scheduler.LinearLR).parameters["start_factor"].default
    assert inspect.signature(schedules.warmup_lr).parameters["start_factor"].default == theirs


@pytest.mark.parametrize("call, match", [
    (lambda: schedules.step_lr(-1, 0.1, 10), "step number"),
    (lambda: schedules.step_lr(1.5, 0.1, 10), "step number"),
    (lambda: schedules.step_lr(3, 0.1, 0), "step_size must be an integer >= 1"),
    (lambda: schedules.cosine_lr(11, 0.1, 10), "t <= t_max"),
    (lambda: schedules.cosine_lr(0, 0.1, 0), "t_max must be an integer >= 1"),
    (lambda: schedules.warmup_lr(0, 0.1, 0), "warmup_steps must be an integer >= 1"),
    (lambda: schedules.warmup_lr(0, 0.1, 5, start_factor=0.0), r"start_factor must be in \(0, 1\]"),
])
def test_bad_arguments_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()
