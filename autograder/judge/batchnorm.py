"""Judge of 04_batchnorm: the forward pass in training and evaluation, its running statistics, the two
backward passes, a network with batch normalization, and its training at a large learning rate.

Each test cell's hidden part collects the keys below (see ``autograder.judge`` for the protocol). A
layer's state lives across calls, so one collected call runs a whole scenario on one layer (a list of
calls of ``batchnorm_forward``) and returns each call's output and a copy of the state after it; the
judge replays the scenario on the reference layer.

One mistake, one charge: the running statistics are judged only on the state (not on the training
output, which is the first cell's), the evaluation mode only with given statistics (a fresh layer's
start belongs to the running statistics); the backward passes build on the training-mode forward
pass (its cache is the student's); the network is judged a second time with the stand-in
normalization of ``nnlab.standins`` in place of the student's batchnorm, and its training builds on
every cell before it. The messages say which mistake they found, after checking it.
"""
import copy
import dataclasses
import itertools

import numpy as np

from autograder.reference import mlp as ref_mlp
from autograder.reference import normalization as ref
from nnlab import standins

from . import Failure, against, any_of, compare, custom

STATS = ("running_mean", "running_var")


def forward_cases(seeds_shapes, loc=3.0, scale=4.0):
    """(x, gamma, beta) for each (seed, (N, D))."""
    cases = []
    for seed, (n, d) in seeds_shapes:
        r = np.random.default_rng(seed)
        cases.append((r.normal(loc, scale, (n, d)), r.normal(1.0, 0.5, d), r.normal(size=d)))
    return cases


def visible_train_case():
    """The visible test's batch: 50 examples of 3 features of very different scales."""
    x = np.random.default_rng(0).normal(loc=[5.0, -3.0, 0.0], scale=[10.0, 0.5, 2.0], size=(50, 3))
    return x, np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])


def ref_train_out(x, gamma, beta):
    return ref.batchnorm_forward(x, gamma, beta, {})[0]


def ref_eps_out(x, gamma, beta, eps):
    return ref.batchnorm_forward(x, gamma, beta, {}, eps=eps)[0]


def training_mistake(out, x, gamma, beta, eps=1e-5):
    """What the student's training-mode output ``out`` is, in words, when it is a known slip; else None."""
    n, m, v = len(x), x.mean(axis=0), x.var(axis=0)
    with np.errstate(all="ignore"):
        return _first_match(out, gamma * (x - m) / np.sqrt(v + eps) + beta, [
            (gamma * (x - m) / np.sqrt(v * n / (n - 1) + eps) + beta,
             "it normalizes with the unbiased variance (1/(N-1), ddof=1): the normalization uses the batch's biased "
             "variance, np.var (1/N); only the running variance stores the unbiased one"),
            ((x - m) / np.sqrt(v + eps), "it leaves out gamma and beta: out = gamma * xhat + beta"),
            (gamma * (x - m) / (v + eps) + beta, "it divides by the variance where its square root belongs"),
            (gamma * (x - m) / np.sqrt(v) + beta, "it leaves out eps: divide by sqrt(var + eps)")])


def diagnosed(check, diagnose):
    """``check`` whose failure names the mistake when ``diagnose(value, *case)`` recognizes one in some case."""
    def judge(results, cases):
        try:
            check.judge(results, cases)
        except Failure:
            for args, result in zip(cases, results):
                try:
                    mistake = None if result.error else diagnose(np.asarray(result.value, dtype=np.float64), *args)
                except (TypeError, ValueError):
                    mistake = None
                if mistake:
                    raise Failure(f"batchnorm_forward in training mode, for x of shape {np.shape(args[0])}: "
                                  f"{mistake}") from None
            raise
    return dataclasses.replace(check, judge=judge)


def running_scenarios():
    """(state, calls) of one layer in training; a call is (x, gamma, beta, keyword arguments of batchnorm_forward)."""
    x = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 4.0], [6.0, 2.0]])   # means 3, 2; unbiased variances 20/3, 2
    ones, zeros = np.ones(2), np.zeros(2)
    r = np.random.default_rng(20)
    steps = []
    for n, momentum in [(5, 0.1), (2, 0.1), (17, 0.3), (64, 0.9), (3, 0.05), (8, 0.0), (8, 1.0)]:
        steps.append((r.normal(2.0, 3.0, (n, 6)), r.normal(size=6), r.normal(size=6), {"momentum": momentum}))
    return [({}, [(x, ones, zeros, {})]),
            ({"running_mean": np.array([1.0, 1.0]), "running_var": np.array([2.0, 2.0])},
             [(x, ones, zeros, {"momentum": 0.5})]),
            ({}, steps)]


def ref_layer(state, calls):
    """What the reference layer returns for a scenario: [(out, state after the call)]."""
    trace = []
    for x, gamma, beta, options in calls:
        out, _ = ref.batchnorm_forward(x, gamma, beta, state, **options)
        trace.append((out, {k: state[k].copy() for k in STATS}))
    return trace


def describe_call(step, calls, fresh):
    x, _, _, options = calls[step - 1]
    start = "a fresh layer" if fresh else "the given running statistics"
    return f"training step {step} from {start} (batch of {len(x)}, momentum={options.get('momentum', 0.1)})"


def running_mistake(name, got, before, x, momentum, fresh):
    """The deviations from the running average that explain ``got`` (the state[name] after one training call
    from ``before``), in words; None when no known mistake (or combination of them) gives it."""
    n, mean = len(x), name == "running_mean"
    batch = {"unbiased": x.mean(axis=0) if mean else x.var(axis=0) * n / (n - 1)}
    if not mean:
        batch["biased"] = x.var(axis=0)
    starts = {"right": before}
    if fresh and not mean:
        starts["zeros"] = np.zeros_like(before)
    rules = {"right": lambda old, new: (1 - momentum) * old + momentum * new,
             "swapped": lambda old, new: momentum * old + (1 - momentum) * new,
             "overwritten": lambda old, new: new}
    correct = rules["right"](before, batch["unbiased"])
    words = {("start", "zeros"): "running_var of a fresh layer should start at ones (as PyTorch's BatchNorm1d), not zeros",
             ("variance", "biased"): "running_var should store the unbiased batch variance, N / (N - 1) times np.var, "
                                     "not the biased one it normalizes with",
             ("rule", "swapped"): f"the weights of the running average are swapped: momentum is the weight of the new "
                                  f"batch (PyTorch's convention), {name} = (1 - momentum) * {name} + momentum * the batch's",
             ("rule", "overwritten"): f"{name} is overwritten by this batch's statistic instead of being averaged: "
                                      f"{name} = (1 - momentum) * {name} + momentum * the batch's"}
    for start, variance, rule in itertools.product(starts, batch, rules):
        want = rules[rule](starts[start], batch[variance])
        if np.shape(got) == np.shape(want) and np.allclose(got, want, rtol=1e-9, atol=1e-12) \
                and not np.allclose(want, correct, rtol=1e-9, atol=1e-12):
            found = [words[k] for k in (("start", start), ("variance", variance), ("rule", rule)) if k in words]
            return "; ".join(found)
    return None


def judge_running_statistics(results, cases):
    """Only the state after each training call is judged (the output is test_batchnorm_forward_train's)."""
    for (state, calls), result in zip(cases, results):
        if result.error:
            raise Failure(f"a sequence of {len(calls)} calls of batchnorm_forward on one layer raised {result.error}")
        got = result.value
        if not isinstance(got, (list, tuple)) or len(got) != len(calls):
            raise Failure(f"a sequence of {len(calls)} calls of batchnorm_forward gave {type(got).__name__} back")
        before = {"running_mean": np.zeros(calls[0][0].shape[1]), "running_var": np.ones(calls[0][0].shape[1]),
                  **copy.deepcopy(state)}
        for step, ((_, after), (_, want_state)) in enumerate(zip(got, ref_layer(copy.deepcopy(state), calls)), start=1):
            where = describe_call(step, calls, fresh=not state)
            if not isinstance(after, dict) or not set(after) >= set(STATS):
                raise Failure(f"state should hold running_mean and running_var after {where}; it has keys "
                              f"{sorted(after) if isinstance(after, dict) else type(after).__name__}")
            x, momentum = calls[step - 1][0], calls[step - 1][3].get("momentum", 0.1)
            for name in STATS:
                try:
                    compare(after[name], want_state[name], f"{name} after {where}")
                except Failure as failure:
                    mistake = running_mistake(name, np.asarray(after[name], dtype=np.float64), before[name], x,
                                              momentum, fresh=not state and step == 1)
                    batch = "mean" if name == "running_mean" else "unbiased variance, N / (N - 1) times np.var"
                    raise Failure(f"{name} after {where}: {mistake}" if mistake else
                                  f"{failure} (it should be (1 - momentum) * {name} + momentum * the batch's "
                                  f"{batch})") from None
            before = want_state


def evaluation_cases():
    """(state, x, gamma, beta, keyword arguments): the visible test's batch and its second row alone, then random
    layers with given running statistics (a fresh layer's start is test_running_statistics')."""
    state = {"running_mean": np.array([1.0, -2.0, 0.0]), "running_var": np.array([4.0, 1.0, 0.25])}
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, -1.0])
    x = np.array([[3.0, -2.0, 0.5], [5.0, 0.0, 1.0], [7.0, 2.0, 1.5]])   # batch statistics differ from the running ones
    cases = [(state, x, gamma, beta, {"eps": 0.0}), (state, x[1:2], gamma, beta, {"eps": 0.0})]
    for seed, (n, d) in [(30, (1, 5)), (31, (1, 64)), (32, (9, 5)), (33, (40, 12))]:
        r = np.random.default_rng(seed)
        stats = {"running_mean": r.normal(size=d), "running_var": r.uniform(0.1, 3.0, d)}
        cases.append((stats, r.normal(4.0, 5.0, (n, d)), r.normal(size=d), r.normal(size=d), {}))
    cases.append(({"running_mean": np.array([0.5, -1.0]), "running_var": np.array([2.0, 0.5])},
                  np.array([[2.0, -3.0], [1.0, 1.0]]), np.ones(2), np.zeros(2), {"eps": 0.5}))
    return cases


def evaluation_mistake(out, state, x, gamma, beta, eps):
    """What the student's evaluation output ``out`` is, in words, after comparing it with what the running
    statistics, the batch's statistics and the usual slips give; None when it is none of them."""
    rm, rv = state["running_mean"], state["running_var"]
    bm, bv = x.mean(axis=0), x.var(axis=0)
    with np.errstate(all="ignore"):   # a batch of one has no variance: with eps = 0 its own statistics divide by 0
        return _first_match(out, ref.batchnorm_forward(x, gamma, beta, dict(state), train=False, eps=eps)[0], [
        (gamma * (x - bm) / np.sqrt(bv + eps) + beta,
         "it normalizes with this batch's own mean and variance: evaluation mode must use state's running_mean "
         "and running_var (the running statistics it is given), so that a prediction depends on its input alone"),
        ((x - rm) / np.sqrt(rv + eps),
         "it uses the running statistics but leaves out gamma and beta: out = gamma * xhat + beta in both modes"),
        ((x - bm) / np.sqrt(bv + eps),
         "it normalizes with this batch's own statistics and leaves out gamma and beta"),
        (gamma * (x - rm) / (rv + eps) + beta,
         "it divides by the running variance where its square root belongs (the standard deviation)"),
        (gamma * (x - rm) / np.sqrt(rv) + beta,
         "it uses the running statistics but not the eps it is given (sqrt(running_var + eps))"),
        (gamma * (x - rm) / np.sqrt(rv * len(x) / max(len(x) - 1, 1) + eps) + beta,
         "it rescales the running variance by N / (N - 1): running_var is already unbiased, use it as it is")])


def _first_match(got, right, candidates):
    """The sentence of the first (value, sentence) candidate that ``got`` equals and ``right`` does not; else None."""
    for want, sentence in candidates:
        if np.shape(got) == np.shape(want) and np.allclose(got, want, rtol=1e-7, atol=1e-10) \
                and not np.allclose(want, right, rtol=1e-7, atol=1e-10):
            return sentence
    return None


def judge_evaluation(results, cases):
    for (state, x, gamma, beta, options), result in zip(cases, results):
        where = f"the evaluation-mode output for a batch of shape {x.shape} and given running statistics"
        if result.error:
            raise Failure(f"{where} raised {result.error}")
        if not isinstance(result.value, (list, tuple)) or len(result.value) != 2:
            raise Failure(f"{where}: batchnorm_forward should return (out, cache)")
        out, after = result.value
        try:
            compare(out, ref.batchnorm_forward(x, gamma, beta, dict(state), train=False, **options)[0], where)
        except Failure as failure:
            try:
                mistake = evaluation_mistake(np.asarray(out, dtype=np.float64), state, x, gamma, beta,
                                             options.get("eps", 1e-5))
            except (TypeError, ValueError):
                mistake = None
            raise Failure(f"{where}: {mistake}" if mistake else
                          f"{failure}. It matches neither the normalization with the running statistics, "
                          "gamma * (x - running_mean) / sqrt(running_var + eps) + beta, nor the one with the batch's "
                          "statistics: check the formula") from None
        for key in state:
            if not isinstance(after, dict) or key not in after:
                raise Failure(f"state lost {key} in an evaluation-mode call (it should not change)")
            try:
                compare(after[key], state[key], key)
            except Failure:
                raise Failure(f"state[{key!r}] changed in an evaluation-mode call: evaluation uses the running "
                              "statistics and leaves them as they are (only training updates them); it should not "
                              "change") from None


def backward_cases(seeds_shapes, extra):
    """(x, gamma, beta, dout) for each (seed, (N, D)), then the visible test's and one more batch."""
    cases = []
    for seed, (n, d) in seeds_shapes:
        r = np.random.default_rng(seed)
        cases.append((r.normal(2.0, 3.0, (n, d)), r.normal(1.0, 0.5, d), r.normal(size=d), r.normal(size=(n, d))))
    for seed, (loc, scale), (n, d) in extra:
        r = np.random.default_rng(seed)
        cases.append((r.normal(loc, scale, (n, d)), r.normal(size=d), r.normal(size=d), r.normal(size=(n, d))))
    return cases


def backward_check(name, backward, seeds_shapes, extra):
    def reference(x, gamma, beta, dout):
        return backward(dout, ref.batchnorm_forward(x, gamma, beta, {})[1])
    return against(name, reference, backward_cases(seeds_shapes, extra), what=f"{name} (dx, dgamma, dbeta)",
                   builds_on=FORWARD)


FORWARD = {"test_batchnorm_forward_train": "batchnorm_forward"}  # the cache a backward pass gets is the student's


def init_mlp(sizes, batchnorm, seed, scale=0.1):
    """The notebook's init_mlp (its scaffolding cell): the parameters of the visible tests' networks."""
    rng = np.random.default_rng(seed)
    params = {}
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.normal(0.0, scale, (fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
        if batchnorm and l < len(sizes) - 1:
            params[f"gamma{l}"], params[f"beta{l}"] = np.ones(fan_out), np.zeros(fan_out)
    return params, ([{} for _ in sizes[1:-1]] if batchnorm else None)


def mlp_cases():
    """(X, params, bn_states, y) of the visible test (with and without batch normalization), then two deeper networks."""
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(8, 5)), np.array([0, 1, 2, 0, 1, 2, 2, 1])
    cases = []
    for batchnorm in (True, False):
        params, bn_states = init_mlp([5, 6, 4, 3], batchnorm=batchnorm, seed=1, scale=0.5)
        params = {k: v + 0.1 * rng.normal(size=v.shape) for k, v in params.items()}   # nonzero biases, gamma != 1
        cases.append((X, params, bn_states, y))
    for seed, sizes in deep_networks():
        r = np.random.default_rng(seed)
        params = {k: v + 0.2 * r.normal(size=v.shape)
                  for k, v in ref_mlp.MLP(sizes, activation="relu", batchnorm=True, seed=seed).params.items()}
        cases.append((r.normal(size=(12, sizes[0])), params, [{} for _ in sizes[1:-1]], r.integers(0, sizes[-1], 12)))
    return cases


def deep_networks():
    return [(60, [6, 7, 5, 4]), (61, [64, 32, 32, 32, 10])]


def evaluation_mlp_cases():
    """(examples, params, running statistics of every hidden layer) of the two deeper networks: five examples, then one."""
    cases = []
    for (X, params, _, _), (seed, sizes) in zip(mlp_cases()[2:], deep_networks()):
        r = np.random.default_rng(seed + 100)
        stats = [{"running_mean": r.normal(size=h), "running_var": r.uniform(0.5, 2.0, h)} for h in sizes[1:-1]]
        cases += [(X[:5], params, stats), (X[:1], params, stats)]
    return cases


def reference_model(params, bn_states):
    """The reference MLP holding these parameters and running statistics."""
    sizes = [params["W1"].shape[0]] + [params[f"W{l}"].shape[1] for l in range(1, 1 + sum(k[0] == "W" for k in params))]
    model = ref_mlp.MLP(sizes, activation="relu", batchnorm=bn_states is not None)
    model.params = {k: v.copy() for k, v in params.items()}
    if bn_states is not None:
        model.bn_state = copy.deepcopy(bn_states)
    return model


def ref_mlp_scores(X, params, bn_states, y):
    return reference_model(params, bn_states).forward(X, train=True)[0]


def ref_mlp_loss(X, params, bn_states, y):
    return reference_model(params, bn_states).loss(X, y, train=True)


def ref_mlp_eval(X, params, bn_states, train=False):
    return reference_model(params, bn_states).forward(X, train=train)[0]


def with_standins(reference):
    """``reference`` computed by the reference MLP with nnlab.standins' normalization in place of batchnorm: what
    the student's mlp_loss gives when the hidden test swaps their batchnorm_forward/backward for the stand-ins."""
    def standin_reference(*args, **kwargs):
        with standins.replacing(vars(ref_mlp), batchnorm_forward=standins.shift_scale_forward,
                                batchnorm_backward=standins.shift_scale_backward):
            return reference(*args, **kwargs)
    return standin_reference


def evaluation_check(key, reference, what, builds_on=None):
    """The evaluation-mode scores; a failure says "train=False" only when the scores are the training-mode ones."""
    def judge(results, cases):
        for (X, params, stats), result in zip(cases, results):
            where = f"{what} for {len(X)} example{'s' if len(X) > 1 else ''}"
            if result.error:
                raise Failure(f"{where} raised {result.error}")
            try:
                compare(result.value, reference(X, params, stats), where)
            except Failure as failure:
                trained = None
                if len(X) > 1:
                    with np.errstate(all="ignore"):
                        trained = reference(X, params, stats, train=True)
                same = trained is not None and np.shape(result.value) == trained.shape and \
                    np.allclose(np.asarray(result.value, dtype=np.float64), trained, rtol=1e-7, atol=1e-10)
                raise Failure(f"{where}: they are the training-mode scores (batch statistics): pass train=False to "
                              "batchnorm_forward in every layer" if same else str(failure)) from None
    return custom(key, evaluation_mlp_cases(), judge, builds_on=builds_on)


LR = 2.0


def judge_large_learning_rate(results, cases):
    """For every seed, batch normalization reaches 90 % and beats the plain network by 30 points."""
    for (seed,), result in zip(cases, results):
        if result.error:
            raise Failure(f"training the networks at lr={LR} (seed {seed}) raised {result.error}")
        with_bn, without = (float(a) for a in result.value)
        if not with_bn >= 0.90:
            raise Failure(f"with batch normalization the network should reach 90 % validation accuracy at lr={LR} "
                          f"(seed {seed}); it reached {with_bn:.1%}. Check mlp_loss in evaluation mode and your "
                          "running statistics.")
        if not with_bn - without >= 0.30:
            raise Failure(f"with batch normalization the network should beat the one without by 30 points at lr={LR} "
                          f"(seed {seed}); got {with_bn:.1%} against {without:.1%}")


LAYER = {"test_batchnorm_forward_train": "batchnorm_forward", "test_running_statistics": "batchnorm_forward",
         "test_evaluation_mode": "batchnorm_forward", "test_batchnorm_backward": "batchnorm_backward",
         "test_batchnorm_backward_staged": "batchnorm_backward_staged"}   # what a network with batchnorm builds on
STANDIN = "with the stand-in normalization of nnlab.standins in place of your batchnorm"


def network_check(key, reference, cases, what):
    """The network on the student's own layer, or else on the stand-in normalization (one charge for a layer's mistake)."""
    return any_of(against(key, reference, cases, what=what, builds_on=LAYER),
                  against(f"{key}_standin", with_standins(reference), cases, what=f"{what}, {STANDIN},"))


TESTS = {
    "test_batchnorm_forward_train": [
        diagnosed(against("batchnorm_forward_train", ref_train_out,
                          [visible_train_case()] + forward_cases([(10, (2, 1)), (11, (7, 3)), (12, (64, 10)), (13, (5, 100))])
                          + [(np.random.default_rng(14).normal(size=(6, 4)), np.ones(4), np.zeros(4))],
                          what="batchnorm_forward (training mode)", pure=True), training_mistake),
        diagnosed(against("batchnorm_forward_eps", ref_eps_out,
                          [(np.array([[1.0, -2.0], [3.0, 2.0]]), np.array([2.0, 0.5]), np.array([1.0, -1.0]), 0.0),
                           forward_cases([(11, (7, 3))])[0] + (0.5,)],
                          what="batchnorm_forward with eps=0 and eps=0.5 (use the eps argument)"), training_mistake)],
    "test_running_statistics": [custom("running_statistics", running_scenarios(), judge_running_statistics)],
    "test_evaluation_mode": [custom("evaluation_mode", evaluation_cases(), judge_evaluation)],
    "test_batchnorm_backward_staged": [backward_check(
        "batchnorm_backward_staged", ref.batchnorm_backward_staged,
        [(40, (2, 3)), (41, (3, 1)), (42, (16, 8)), (43, (64, 20))],
        [(0, (1.0, 2.0), (6, 4)), (44, (-1.0, 5.0), (9, 3))])],
    "test_batchnorm_backward": [backward_check(
        "batchnorm_backward", ref.batchnorm_backward,
        [(50, (2, 4)), (51, (3, 1)), (52, (32, 7)), (53, (128, 50))],
        [(1, (-2.0, 3.0), (8, 5)), (54, (4.0, 0.1), (7, 3))])],
    "test_mlp_loss": [
        network_check("mlp_loss_scores", ref_mlp_scores, mlp_cases(), "mlp_loss(X, params, bn_states) (the scores)"),
        network_check("mlp_loss", ref_mlp_loss, mlp_cases(),
                      "mlp_loss(X, params, bn_states, y) (the loss and the gradients; a bias before batch "
                      "normalization gets 0)"),
        any_of(evaluation_check("mlp_loss_evaluation", ref_mlp_eval, "the evaluation-mode scores", builds_on=LAYER),
               evaluation_check("mlp_loss_evaluation_standin", with_standins(ref_mlp_eval),
                                f"the evaluation-mode scores {STANDIN}"))],
    "test_batchnorm_beats_baseline": [custom("large_learning_rate", [(0,), (1,), (2,)], judge_large_learning_rate,
                                             builds_on={**LAYER, "test_mlp_loss": "mlp_loss"})],
}
