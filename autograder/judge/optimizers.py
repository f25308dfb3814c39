"""Judge of 02_optimizers: seven update rules, the training loop, Adam on the digits, three
learning-rate schedules and AdamW.

Each test cell's hidden part collects the keys below (see ``autograder.judge`` for the protocol).
A rule is judged on a whole trajectory: the notebook's ``trajectory`` runs it from ``w0`` with one
gradient per step, checking the contract at every call (``call_rule``: a ``(w_next, state)`` pair,
inputs left as they were), and the iterates are compared here, step by step, with those of the
reference from the same start with the same gradients; when they differ, the iterates are compared
with those of the classic mistakes (``MISTAKES``) to say which one it is. ``fit`` is judged with the
stand-in rule ``nnlab.standins.SignStep`` (not a graded component, so a mistake in an update rule
is not charged again there): the same stand-in is run here, and the losses, final parameters and the
calls it recorded must agree.
"""
import math

import numpy as np

from nnlab import standins
from nnlab.data import load_digits_split

from autograder.reference import layers
from autograder.reference import optimizers as ref
from autograder.reference import schedules

from nnlab.standins import SignStep

from . import Failure, any_of, compare, custom

# The visible tests' tiny case: a start and four gradients (the notebook's W0 and G).
W0 = np.array([1.0, -2.0, 0.5])
TINY_GRADS = np.array([[0.5, 1.0, -2.0], [0.25, -1.0, -2.0], [-1.0, 0.5, 1.0], [2.0, 0.0, -0.5]])
ASSERTION = "AssertionError: "


def call_text(name, hyper):
    """How a call looks, e.g. "adam(lr=0.1, betas=(0.5, 0.9))" (the notebook's call_text)."""
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in hyper.items())})"


def random_case(shape, seed, hyper, steps):
    """(w0, grads, hyper) of the old hidden tests: w0 ~ N(0, 1), gradients N(0, 1) times 0.01, 1 or 10."""
    rng = np.random.default_rng(seed)
    w0 = rng.normal(size=shape)
    grads = rng.choice([0.01, 1.0, 10.0]) * rng.normal(size=(steps, *shape))
    return w0, grads, hyper


def reference_iterates(rule, w, grads, hyper):
    state, out = None, []
    for g in grads:
        w, state = rule(w, g, state, **hyper)
        out.append(w)
    return np.array(out)


# --- classic mistakes, recognised by their trajectories -------------------------------------------------

def _ignoring(name, key):
    """The reference rule called without the hyperparameter ``key`` (its default is used instead)."""
    rule = getattr(ref, name)
    return lambda w, dw, state, **hyper: rule(w, dw, state, **{k: v for k, v in hyper.items() if k != key})


def _adam_counting_from(first, advances=True):
    """Adam whose step counter starts at ``first`` before the increment (the first step uses t = first + 1),
    or never advances (advances=False: every step uses t = 1)."""
    def rule(w, dw, state, **hyper):
        if state is None:
            state = {"step": first, "exp_avg": np.zeros_like(w), "exp_avg_sq": np.zeros_like(w)}
        elif not advances:
            state = {**state, "step": 0}
        return ref.adam(w, dw, state, **hyper)
    return rule


def _averaged(eps_inside=False, swapped=False, summed=False):
    """RMSprop (or Adagrad: summed=True) with eps inside the root, or with the running average's weights swapped."""
    def rule(w, dw, state, lr=1e-2, alpha=0.99, eps=None, weight_decay=0.0):
        eps = (1e-10 if summed else 1e-8) if eps is None else eps
        g = dw + weight_decay * w
        s = np.zeros_like(w) if state is None else state["s"]
        s = s + g * g if summed else (1 - alpha) * s + alpha * g * g if swapped else alpha * s + (1 - alpha) * g * g
        return w - lr * g / (np.sqrt(s + eps) if eps_inside else np.sqrt(s) + eps), {"s": s}
    return rule


def _nesterov_old_velocity(w, dw, state, lr=1e-3, momentum=0.9, weight_decay=0.0):
    g = dw + weight_decay * w
    v = np.zeros_like(w) if state is None else state["v"]
    return w - lr * (g + momentum * v), {"v": momentum * v + g}


IGNORED = "{what} ignores its {key} argument: the result is that of the default {key}; use the {key} it is given"
MISTAKES = {
    "adam": [(_adam_counting_from(1), "Adam's step counter starts at 1 and is incremented before it is used, so the "
              "first step uses t = 2 (a first step of about 0.74 * lr instead of lr): start the count at 0, so that "
              "the first step has t = 1"),
             (_adam_counting_from(0, advances=False), "Adam's step counter never advances: every step uses the bias "
              "correction of t = 1; store the incremented step number in the state"),
             (lambda w, dw, state, **h: ref.adam(w, dw, state, bias_correction=False, **h),
              "that is Adam without bias correction (m and v are not divided by 1 - beta**t)")],
    "rmsprop": [(_averaged(eps_inside=True), "RMSprop adds eps inside the square root: sqrt(s + eps); torch adds it "
                 "outside, sqrt(s) + eps"),
                (_averaged(swapped=True), "the weights of RMSprop's running average are swapped: the old average "
                 "keeps the weight alpha and the new squared gradient gets 1 - alpha")],
    "adagrad": [(_averaged(eps_inside=True, summed=True), "Adagrad adds eps inside the square root: sqrt(G + eps); "
                 "torch adds it outside, sqrt(G) + eps")],
    "nesterov": [(_nesterov_old_velocity, "Nesterov's step uses the old velocity; in torch's form the step "
                  "g + momentum * v uses the velocity just updated")],
}


def diagnosis(name, w0, grads, hyper, got, extra=()):
    """The sentence of the classic mistake whose trajectory the student's iterates follow, or None.

    extra: more (wrong rule, sentence) pairs, tried first (e.g. AdamW's own mistakes)."""
    candidates = list(extra) + MISTAKES.get(name, []) + [(_ignoring(name, key), IGNORED.format(what=call_text(name, hyper), key=key))
                                           for key in ("eps", "weight_decay") if key in hyper]
    for rule, sentence in candidates:
        try:
            want = reference_iterates(rule, w0.copy(), grads, hyper)
        except (ValueError, KeyError):
            continue
        if got.shape == want.shape and np.allclose(got, want, rtol=1e-7, atol=1e-10):
            return sentence
    return None


def update_rule(name, visible, random, steps=20, key=None, rule=None, what=None, diagnoses=(), builds_on=None):
    """The check of one rule: the visible tests' hyperparameters on the tiny case, then random trajectories.

    Args:
        visible: hyperparameter dicts of the visible tests (four steps from W0 with the gradients G).
        random: (shape, seed, hyper) triples, ``steps`` steps each.
        key, rule, what: the collected key, the rule that gives the expected iterates and how the
            messages name it (defaults: ``name``, the reference's ``name``, its call).
        diagnoses: (wrong rule, sentence) pairs: when the iterates are those of a wrong rule, the
            message adds its sentence (the mistake in words).
        builds_on: as ``Check``.
    """
    rule = rule or getattr(ref, name)
    cases = [(W0.copy(), TINY_GRADS.copy(), hyper) for hyper in visible]
    cases += [random_case(shape, seed, hyper, steps) for shape, seed, hyper in random]

    def judge(results, cases):
        for (w0, grads, hyper), result in zip(cases, results):
            shape, n = w0.shape, len(grads)
            called = f"{call_text(name, hyper)}{what or ''} on an array of shape {shape}"
            if result.error:
                # call_rule's sentences (the contract) are already written for the student
                raise Failure(result.error[len(ASSERTION):] if result.error.startswith(ASSERTION)
                              else f"{called}, {n} steps from the same start, raised {result.error}")
            if result.mutated:
                raise Failure(f"{called} modified its inputs (the start or the gradients): return new arrays instead")
            got = result.value
            if not isinstance(got, np.ndarray) or got.shape != (n, *shape):
                raise Failure(f"{called}: the {n} iterates should stack to shape {(n, *shape)}; got "
                              + (f"shape {got.shape}" if isinstance(got, np.ndarray) else type(got).__name__))
            want = reference_iterates(rule, w0.copy(), grads, hyper)
            if not np.allclose(got, want, rtol=1e-7, atol=1e-10):
                mistake = diagnosis(name, w0, grads, hyper, got, diagnoses)
                if mistake:
                    raise Failure(f"{called}: {mistake}")
            for t in range(n):
                compare(got[t], want[t], f"{called}, step {t + 1} of {n}")

    return custom(key or name, cases, judge, builds_on=builds_on)


# --- fit, with a stand-in rule --------------------------------------------------------------------

def bowl(curvature, centre):
    """L = ½ Σ_k Σ curvature[k] (p_k - centre)², and its gradients (the hidden block's bowl)."""
    def loss_and_grads(params):
        loss = sum(0.5 * float(np.sum(curvature[k] * (p - centre) ** 2)) for k, p in params.items())
        return loss, {k: curvature[k] * (p - centre) for k, p in params.items()}
    return loss_and_grads


def expected_fit(curvature, centre, start, steps, hyper):
    """(params, losses, calls) of the contract's loop, one state per parameter, with the stand-in rule
    ``nnlab.standins.SignStep`` (calls: the sorted (shape, calls its state had seen) of every call)."""
    loss_and_grads, rule = bowl(curvature, centre), standins.SignStep()
    params, states, losses = dict(start), {k: None for k in start}, []
    for _ in range(steps):
        loss, grads = loss_and_grads(params)
        losses.append(loss)
        for k in params:
            params[k], states[k] = rule(params[k], grads[k], states[k], **hyper)
    return params, np.array(losses), sorted((shape, seen) for shape, seen, _ in rule.calls)


def fit_cases():
    ones = {"a": np.ones(2), "b": np.ones((3, 1))}
    cases = [(ones, 0.0, {"a": np.array([2.0, -4.0]), "b": np.ones((3, 1))}, 3, {"lr": 0.1})]  # the visible test
    rng = np.random.default_rng(170)
    curvature = {"W": rng.uniform(0.5, 3.0, size=(4, 3)), "b": rng.uniform(0.5, 3.0, size=3),
                 "c": rng.uniform(0.5, 3.0, size=())}
    for hyper in [{"lr": 0.05, "decay": 0.8}, {"momentum": 0.5}, {}]:
        start = {k: np.asarray(rng.normal(size=np.shape(v))) for k, v in curvature.items()}
        cases.append((curvature, 1.0, start, 15, hyper))
    return cases


def judge_fit(results, cases):
    for (curvature, centre, start, steps, hyper), result in zip(cases, results):
        what = f"fit with a stand-in rule (nnlab.standins.SignStep: w - 0.1 * sign(dw)), **{hyper}, for {steps} steps"
        if result.error:
            raise Failure(f"{what} raised {result.error}")
        if result.mutated:
            raise Failure(f"{what}: fit modified the params it was given: build a new dict instead")
        got = result.value
        if not isinstance(got, dict) or set(got) != {"params", "losses", "calls"}:
            raise Failure(f"{what}: fit should return (params, losses)")
        params, losses, calls = expected_fit(curvature, centre, start, steps, hyper)
        compare(got["losses"], losses, f"{what}: the recorded losses (the loss before each update)")
        compare(got["params"], params, f"{what}: the final params")
        seen = sorted((tuple(shape), n) for shape, n, _ in got["calls"])
        passed = [h for _, _, h in got["calls"] if h != hyper]
        if passed:
            raise Failure(f"{what}: every call of the rule should receive the hyperparameters given to fit, {hyper}; "
                          f"one received {passed[0]}")
        if seen != calls:
            raise Failure("each parameter array must have its own state, passed from one step to the next; "
                          f"{what}, the rule saw (shape, calls so far) = {seen[:12]}")


# --- Adam on the digits --------------------------------------------------------------------------------

ADAM_KEYS = {"lr", "betas", "eps", "weight_decay"}


def _number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def adam_hyper(hyper):
    """The student's ADAM_HYPER, checked to be adam's hyperparameters as finite numbers (it is the one input
    chosen in the sandbox: nothing else of it reaches the reference)."""
    ok = isinstance(hyper, dict) and set(hyper) <= ADAM_KEYS and all(
        _number(v) for k, v in hyper.items() if k != "betas")
    betas = hyper.get("betas", (0.9, 0.999)) if isinstance(hyper, dict) else None
    if not ok or not (isinstance(betas, (tuple, list)) and len(betas) == 2 and all(_number(b) for b in betas)):
        raise Failure("ADAM_HYPER should be a dict of adam's hyperparameters (lr, betas, eps, weight_decay) "
                      f"as numbers, e.g. {{'lr': 0.01, 'betas': (0.9, 0.999)}}; got {str(hyper)[:100]}")
    return {**hyper, **({"betas": tuple(betas)} if "betas" in hyper else {})}


def softmax_regression(X, y):
    """Mean softmax cross-entropy of X @ W + b and its gradients (the notebook's softmax_regression)."""
    def loss_and_grads(params):
        loss, dscores = layers.softmax_cross_entropy(X @ params["W"] + params["b"], y)
        return loss, {"W": X.T @ dscores, "b": dscores.sum(axis=0)}
    return loss_and_grads


def train_digits(hyper):
    """The reference's 200 steps of adam(**hyper) on softmax regression from zero: (losses before each step,
    final loss)."""
    digits = load_digits_split()
    loss_and_grads = softmax_regression(digits.X_train / 16.0, digits.y_train)
    params, states, losses = {"W": np.zeros((64, 10)), "b": np.zeros(10)}, {"W": None, "b": None}, []
    try:
        for _ in range(200):
            loss, grads = loss_and_grads(params)
            losses.append(loss)
            for k in params:
                params[k], states[k] = ref.adam(params[k], grads[k], states[k], **hyper)
    except ValueError as err:
        raise Failure(f"ADAM_HYPER = {hyper} is not a valid setting of adam: {err}") from None
    return np.array(losses), loss_and_grads(params)[0]


def _reaches_the_target(final, hyper, whose):
    if not (np.isfinite(final) and final < 0.05):
        raise Failure(f"after 200 steps with {whose} adam(**{hyper}) the training loss is {final:.4f}; it should be below 0.05")


def judge_train_digits(results, cases):
    """The student's run (their adam with ADAM_HYPER in their fit) agrees with the reference's and reaches the target."""
    (result,) = results
    if result.error:
        raise Failure(f"training with your adam in your fit raised {result.error}")
    got = result.value
    if not isinstance(got, dict) or set(got) != {"hyper", "losses"}:
        raise Failure("the training run could not be read back")
    hyper = adam_hyper(got["hyper"])
    losses, final = train_digits(hyper)
    compare(got["losses"], losses, f"the training losses of your adam(**{hyper}) in your fit", rtol=1e-6, atol=1e-9)
    _reaches_the_target(final, hyper, "your")


def judge_adam_hyper(results, cases):
    """ADAM_HYPER alone: the reference's adam with it, in the reference's loop, reaches the target."""
    (result,) = results
    if result.error:
        raise Failure(f"ADAM_HYPER could not be read: {result.error}")
    hyper = adam_hyper(result.value)
    _reaches_the_target(train_digits(hyper)[1], hyper, "the reference's")


def train_digits_check():
    """Part 9: the student's own run (their softmax, adam and fit with ADAM_HYPER) agrees with the reference's
    and reaches the target; when their adam or fit fails above (charged there), ADAM_HYPER is judged alone,
    with the reference's adam. Both keys are collected before the visible asserts, which a failing fit stops."""
    upstream = {"test_adam": "adam", "test_fit": "fit"}
    return any_of(custom("train_digits", [()], judge_train_digits, builds_on=upstream),
                  custom("train_digits_hyper", [()], judge_adam_hyper, builds_on=upstream, fallback=True))


# --- learning-rate schedules ---------------------------------------------------------------------------

def _rates(schedule, steps, hyper):
    return np.array([schedule(t, **hyper) for t in range(steps)])


def _shifted(schedule, by):
    """The schedule read ``by`` steps late (by = -1: one step ahead)."""
    return lambda t, **hyper: schedule(max(t - by, 0), **hyper)


def _cosine_t_max(shift):
    """Cosine annealing that reaches eta_min at t_max + shift."""
    def rate(t, lr, t_max, eta_min=0.0):
        return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / (t_max + shift))) / 2
    return rate


def _smooth_step(t, lr, step_size, gamma=0.1):
    """Step decay without the floor: a smooth exponential through the drops."""
    return lr * gamma ** (t / step_size)


# (schedule written wrongly, what the student is told): the classic mistakes the judge recognises
SCHEDULE_DIAGNOSES = {
    "step_lr": [
        (_shifted(schedules.step_lr, -1), "your rate drops one step early: at t = step_size - 1 it is still lr; "
                                          "the first drop is at t = step_size (t // step_size)"),
        (_shifted(schedules.step_lr, 1), "your rate drops one step late: the first drop is at t = step_size"),
        (_smooth_step, "your rate decays smoothly; step decay is constant between drops (integer division t // step_size)"),
    ],
    "cosine_lr": [
        (_cosine_t_max(-1), "your cosine reaches eta_min one step early, at t = t_max - 1; it should reach it "
                            "exactly at t = t_max (the angle is pi * t / t_max)"),
        (_cosine_t_max(1), "your cosine reaches eta_min one step late, at t = t_max + 1; it should reach it "
                           "exactly at t = t_max (the angle is pi * t / t_max)"),
        (_shifted(schedules.cosine_lr, -1), "your cosine is one step ahead: at t = 0, before any update, the rate is lr"),
    ],
    "warmup_lr": [
        (_shifted(schedules.warmup_lr, -1), "your warmup is one step ahead: at t = 0, before any update, the rate is "
                                            "start_factor * lr, and it reaches lr at t = warmup_steps"),
        (_shifted(schedules.warmup_lr, 1), "your warmup is one step late: it should reach lr at t = warmup_steps"),
    ],
}


def _same_rates(got, wrong, steps, hyper):
    """Whether got are the rates of the wrong schedule (False where that one cannot even be computed)."""
    try:
        return np.allclose(got, _rates(wrong, steps, hyper), rtol=1e-9, atol=1e-12)
    except ArithmeticError:
        return False


def schedule(name, cases):
    """The check of one schedule: its rates at t = 0 ... steps - 1, for each (steps, hyper) case.

    When the rates are those of a classic mistake (``SCHEDULE_DIAGNOSES``) the message says which.
    """
    reference = getattr(schedules, name)

    def judge(results, cases):
        for (steps, hyper), result in zip(cases, results):
            what = f"{name}(t, {', '.join(f'{k}={v!r}' for k, v in hyper.items())}) for t = 0, ..., {steps - 1}"
            if result.error:
                raise Failure(f"{what} raised {result.error}")
            want = _rates(reference, steps, hyper)
            got = result.value
            if not isinstance(got, np.ndarray) or got.shape != want.shape:
                raise Failure(f"{what}: could not read back one number per step")
            bad = ~np.isclose(got, want, rtol=1e-9, atol=1e-12)
            if bad.any():
                t = int(np.argmax(bad))
                why = next((text for wrong, text in SCHEDULE_DIAGNOSES[name] if _same_rates(got, wrong, steps, hyper)), "")
                raise Failure(f"{what}: at t = {t} the rate should be {want[t]:.10g}; got {got[t]:.10g}"
                              + (f". {why[0].upper()}{why[1:]}" if why else ""))

    return custom(name, cases, judge)


# --- AdamW, on the student's adam and on a stand-in -----------------------------------------------------

def decoupled(base, variant="adamw"):
    """AdamW built on the rule ``base`` (the reference adam, or the stand-in), or one of its classic mistakes.

    variant: "adamw" (shrink w by lr * weight_decay * w, then base's step with weight_decay 0),
    "coupled" (weight_decay passed to base, as an L2 term in its gradient), "after" (shrink the new w
    instead of the old), "without_lr" (shrink by weight_decay * w), "none" (no decay at all).
    """
    def rule(w, dw, state=None, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        hyper = {"lr": lr, "betas": betas, "eps": eps}
        if variant == "coupled":
            return base(w, dw, state, weight_decay=weight_decay, **hyper)
        if variant == "after":
            w_next, state = base(w, dw, state, **hyper)
            return w_next - lr * weight_decay * w_next, state
        shrink = {"adamw": lr * weight_decay, "without_lr": weight_decay, "none": 0.0}[variant]
        return base(w - shrink * w, dw, state, **hyper)
    return rule


ADAMW_MISTAKES = {
    "coupled": "your adamw passes weight_decay to adam, as an L2 term in the gradient (then divided by sqrt(v_hat) "
               "like the gradient): AdamW decays w itself, by lr * weight_decay * w, and gives adam weight_decay 0",
    "after": "your adamw decays the new w, after Adam's step: AdamW shrinks the current w_t first, "
             "w' = w_t - lr * weight_decay * w_t, then takes Adam's step from w'",
    "without_lr": "your adamw shrinks w by weight_decay * w: AdamW's decay is lr * weight_decay * w (scaled by the learning rate)",
    "none": "your adamw does not decay w at all: AdamW first shrinks w by lr * weight_decay * w",
}

ADAMW_VISIBLE = [{"lr": 0.1, "weight_decay": 0.5}]
ADAMW_RANDOM = [((5,), 170, {}), ((3, 4), 171, {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1}),
                ((2, 3, 2), 172, {"lr": 0.1, "betas": (0.5, 0.9), "eps": 0.1, "weight_decay": 0.3}),
                ((7,), 173, {"lr": 0.05, "weight_decay": 0.0})]


def adamw_check():
    """AdamW on the student's adam (against the reference), or on the stand-in adam ``SignStep``.

    The hidden block collects "adamw_standin" with adam replaced by ``nnlab.standins.SignStep``
    (w - 0.1 sign(dw)) and "adamw" with the student's own adam: adamw passes when either agrees with
    AdamW built on the same adam, so a mistake in adam is charged in test_adam only.
    """
    def on(base):
        return decoupled(base), [(decoupled(base, v), text) for v, text in ADAMW_MISTAKES.items()]

    own, own_mistakes = on(ref.adam)
    standin, standin_mistakes = on(lambda w, dw, state=None, **hyper: SignStep()(w, dw, state, **hyper))
    return any_of(
        update_rule("adamw", ADAMW_VISIBLE, ADAMW_RANDOM, key="adamw", rule=own, diagnoses=own_mistakes,
                    builds_on={"test_adam": "adam"}),
        update_rule("adamw", ADAMW_VISIBLE, ADAMW_RANDOM, key="adamw_standin", rule=standin, diagnoses=standin_mistakes,
                    what=" built on a stand-in adam (w - 0.1 sign(dw), from nnlab.standins)"))


TESTS = {
    "test_sgd": [update_rule("sgd", [{"lr": 0.1}, {"lr": 0.1, "weight_decay": 0.5}], [
        ((4,), 100, {}), ((3, 5), 101, {"lr": 0.3}), ((2, 3, 4), 102, {"lr": 0.05, "weight_decay": 0.2})])],
    "test_momentum": [update_rule("momentum", [{"lr": 0.1, "momentum": 0.9}], [
        ((5,), 110, {}), ((3, 4), 111, {"lr": 0.1, "momentum": 0.5}),
        ((2, 3, 2), 112, {"lr": 0.01, "momentum": 0.99, "weight_decay": 0.1}), ((6, 1), 113, {"lr": 0.2, "momentum": 0.0})])],
    "test_nesterov": [update_rule("nesterov", [{"lr": 0.1, "momentum": 0.9}], [
        ((5,), 120, {}), ((4, 3), 121, {"lr": 0.1, "momentum": 0.5}),
        ((2, 2, 3), 122, {"lr": 0.01, "momentum": 0.99, "weight_decay": 0.1})])],
    "test_adagrad": [update_rule("adagrad", [{"lr": 0.1}, {"lr": 0.1, "eps": 1.0}], [
        ((5,), 130, {}), ((3, 4), 131, {"lr": 0.5}), ((2, 3, 2), 132, {"lr": 0.1, "eps": 0.1, "weight_decay": 0.05})])],
    "test_adadelta": [update_rule("adadelta", [{}], [
        ((5,), 140, {}), ((4, 3), 141, {"lr": 0.5, "rho": 0.95}), ((2, 3, 2), 142, {"rho": 0.5, "eps": 1e-3, "weight_decay": 0.1})])],
    "test_rmsprop": [update_rule("rmsprop", [{"lr": 0.01, "alpha": 0.9}, {"lr": 0.01, "alpha": 0.9, "eps": 1.0}], [
        ((5,), 150, {}), ((3, 4), 151, {"lr": 0.001, "alpha": 0.9}),
        ((2, 2, 3), 152, {"lr": 0.05, "alpha": 0.5, "eps": 0.1, "weight_decay": 0.1})])],
    "test_adam": [update_rule("adam", [{"lr": 0.1}], [
        ((5,), 160, {}), ((3, 4), 161, {"lr": 0.01, "betas": (0.8, 0.99)}),
        ((2, 3, 2), 162, {"lr": 0.1, "betas": (0.5, 0.9), "eps": 0.1, "weight_decay": 0.1}),
        ((7,), 163, {"lr": 0.05, "betas": (0.0, 0.0)})], steps=30)],
    "test_fit": [custom("fit", fit_cases(), judge_fit)],
    "test_train_digits": [train_digits_check()],
    "test_step_lr": [schedule("step_lr", [
        (8, {"lr": 0.5, "step_size": 3, "gamma": 0.1}), (100, {"lr": 0.1, "step_size": 30}),
        (60, {"lr": 2.0, "step_size": 1, "gamma": 0.9}), (50, {"lr": 0.01, "step_size": 7, "gamma": 0.5})])],
    "test_cosine_lr": [schedule("cosine_lr", [
        (5, {"lr": 0.5, "t_max": 4, "eta_min": 0.1}), (101, {"lr": 0.1, "t_max": 100}),
        (31, {"lr": 1.0, "t_max": 30, "eta_min": 0.01}), (2, {"lr": 0.3, "t_max": 1})])],
    "test_warmup_lr": [schedule("warmup_lr", [
        (6, {"lr": 0.3, "warmup_steps": 4}), (100, {"lr": 0.1, "warmup_steps": 10, "start_factor": 0.1}),
        (20, {"lr": 1.0, "warmup_steps": 1, "start_factor": 0.5}), (30, {"lr": 0.02, "warmup_steps": 25, "start_factor": 0.01})])],
    "test_adamw": [adamw_check()],
}
