"""Judge of 04_batchnorm: the forward pass in training and evaluation, its running statistics, the two
backward passes, a network with batch normalization, and its training at a large learning rate.

Each test cell's hidden part collects the keys below (see ``autograder.judge`` for the protocol). A
layer's state lives across calls, so one collected call runs a whole scenario on one layer (a list of
calls of ``batchnorm_forward``) and returns each call's output and a copy of the state after it; the
judge replays the scenario on the reference layer.
"""
import copy

import numpy as np

from autograder.reference import mlp as ref_mlp
from autograder.reference import normalization as ref

from . import Failure, against, compare, custom

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


def running_scenarios():
    """(state, calls) of one layer; a call is (x, gamma, beta, keyword arguments of batchnorm_forward)."""
    x = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 4.0], [6.0, 2.0]])   # means 3, 2; unbiased variances 20/3, 2
    ones, zeros = np.ones(2), np.zeros(2)
    r = np.random.default_rng(20)
    steps = []
    for n, momentum in [(5, 0.1), (2, 0.1), (17, 0.3), (64, 0.9), (3, 0.05), (8, 0.0), (8, 1.0)]:
        steps.append((r.normal(2.0, 3.0, (n, 6)), r.normal(size=6), r.normal(size=6), {"momentum": momentum}))
    steps.append((r.normal(size=(4, 6)), np.ones(6), np.zeros(6), {"train": False}))
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
    if not options.get("train", True):
        return f"the evaluation-mode call that follows {step - 1} training steps (batch of {len(x)})"
    start = "a fresh layer" if fresh else "the given running statistics"
    return f"training step {step} from {start} (batch of {len(x)}, momentum={options.get('momentum', 0.1)})"


def judge_running_statistics(results, cases):
    for (state, calls), result in zip(cases, results):
        if result.error:
            raise Failure(f"a sequence of {len(calls)} calls of batchnorm_forward on one layer raised {result.error}")
        got = result.value
        if not isinstance(got, (list, tuple)) or len(got) != len(calls):
            raise Failure(f"a sequence of {len(calls)} calls of batchnorm_forward gave {type(got).__name__} back")
        for step, ((out, after), (want_out, want_state)) in enumerate(zip(got, ref_layer(copy.deepcopy(state), calls)),
                                                                        start=1):
            where = describe_call(step, calls, fresh=not state)
            compare(out, want_out, f"the output of {where}")
            if not isinstance(after, dict) or not set(after) >= set(STATS):
                raise Failure(f"state should hold running_mean and running_var after {where}; it has keys "
                              f"{sorted(after) if isinstance(after, dict) else type(after).__name__}")
            compare(after["running_mean"], want_state["running_mean"],
                    f"running_mean after {where} (it should be (1 - momentum) * running_mean + momentum * the batch "
                    "mean, and not change in evaluation mode)")
            compare(after["running_var"], want_state["running_var"],
                    f"running_var after {where} (it should be (1 - momentum) * running_var + momentum * the unbiased "
                    "batch variance, N / (N - 1) times np.var, and not change in evaluation mode)")


def evaluation_cases():
    """(state, x, gamma, beta, keyword arguments): the visible test's batch and its second row alone, random layers, a fresh one."""
    state = {"running_mean": np.array([1.0, -2.0, 0.0]), "running_var": np.array([4.0, 1.0, 0.25])}
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, -1.0])
    x = np.array([[3.0, -2.0, 0.5], [5.0, 0.0, 1.0], [7.0, 2.0, 1.5]])   # batch statistics differ from the running ones
    cases = [(state, x, gamma, beta, {"eps": 0.0}), (state, x[1:2], gamma, beta, {"eps": 0.0})]
    for seed, (n, d) in [(30, (1, 5)), (31, (1, 64)), (32, (9, 5)), (33, (40, 12))]:
        r = np.random.default_rng(seed)
        stats = {"running_mean": r.normal(size=d), "running_var": r.uniform(0.1, 3.0, d)}
        cases.append((stats, r.normal(4.0, 5.0, (n, d)), r.normal(size=d), r.normal(size=d), {}))
    cases.append(({}, np.array([[2.0, -3.0]]), np.ones(2), np.zeros(2), {}))
    return cases


def judge_evaluation(results, cases):
    for (state, x, gamma, beta, options), result in zip(cases, results):
        fresh = "a fresh layer (running_mean = 0 and running_var = 1)" if not state else "given running statistics"
        where = f"evaluation-mode output for a batch of shape {x.shape} on {fresh}"
        if result.error:
            raise Failure(f"the {where} raised {result.error}")
        out, after = result.value
        compare(out, ref.batchnorm_forward(x, gamma, beta, dict(state), train=False, **options)[0],
                f"the {where} (it should use running_mean and running_var, not the batch's statistics)")
        for key in state:
            if not isinstance(after, dict) or key not in after:
                raise Failure(f"state lost {key} in an evaluation-mode call (it should not change)")
            compare(after[key], state[key], f"{key} after an evaluation-mode call (should not change)")


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
    return against(name, reference, backward_cases(seeds_shapes, extra), what=f"{name} (dx, dgamma, dbeta)")


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
    """(one example, params, running statistics of every hidden layer) of the two deeper networks."""
    cases = []
    for (X, params, _, _), (seed, sizes) in zip(mlp_cases()[2:], deep_networks()):
        r = np.random.default_rng(seed + 100)
        stats = [{"running_mean": r.normal(size=h), "running_var": r.uniform(0.5, 2.0, h)} for h in sizes[1:-1]]
        cases.append((X[:1], params, stats))
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


def ref_mlp_eval(X, params, bn_states):
    return reference_model(params, bn_states).forward(X, train=False)[0]


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


TESTS = {
    "test_batchnorm_forward_train": [
        against("batchnorm_forward_train", ref_train_out,
                [visible_train_case()] + forward_cases([(10, (2, 1)), (11, (7, 3)), (12, (64, 10)), (13, (5, 100))])
                + [(np.random.default_rng(14).normal(size=(6, 4)), np.ones(4), np.zeros(4))],
                what="batchnorm_forward (training mode)", pure=True),
        against("batchnorm_forward_eps", ref_eps_out,
                [(np.array([[1.0, -2.0], [3.0, 2.0]]), np.array([2.0, 0.5]), np.array([1.0, -1.0]), 0.0),
                 forward_cases([(11, (7, 3))])[0] + (0.5,)],
                what="batchnorm_forward with eps=0 and eps=0.5 (use the eps argument)")],
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
        against("mlp_loss_scores", ref_mlp_scores, mlp_cases(), what="mlp_loss(X, params, bn_states) (the scores)"),
        against("mlp_loss", ref_mlp_loss, mlp_cases(),
                what="mlp_loss(X, params, bn_states, y) (the loss and the gradients; a bias before batch "
                     "normalization gets 0)"),
        against("mlp_loss_evaluation", ref_mlp_eval, evaluation_mlp_cases(),
                what="the evaluation-mode scores of one example (use train=False in every layer)")],
    "test_batchnorm_beats_baseline": [custom("large_learning_rate", [(0,), (1,), (2,)], judge_large_learning_rate)],
}
