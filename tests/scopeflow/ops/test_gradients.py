"""tf.gradients: graph structure (gradients/ scopes), aggregation, unconnected inputs,
grad_ys, stop_gradient, errors, and the per-op-type coverage of gradient functions."""

from __future__ import annotations

import numpy as np
import pytest
import scopeflow as tf
import torch
from op_test_helper import check_op
from scopeflow.framework import registry


@pytest.fixture(autouse=True)
def fresh_graph():
    with tf.Graph().as_default() as graph:
        yield graph


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_gradient_ops_live_under_the_gradients_scope(fresh_graph):
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    w = tf.placeholder(tf.float32, [3, 4], name="w")
    with tf.name_scope("layer"):
        h = tf.nn.relu(tf.matmul(x, w))
    loss = tf.reduce_sum(h)
    before = {op.name for op in fresh_graph.get_operations()}
    gx, gw = tf.gradients(loss, [x, w])
    new = {op.name for op in fresh_graph.get_operations()} - before
    assert all(name.startswith("gradients/") for name in new)
    assert gx.op.name.startswith("gradients/layer/MatMul_grad/")
    assert gw.op.type == "MatMul"
    assert any(n.startswith("gradients/layer/Relu_grad/") for n in new)
    assert any(n.startswith("gradients/Sum_grad/") for n in new)


def test_second_call_and_custom_name_get_their_own_scope():
    x = tf.placeholder(tf.float32, [2])
    y = tf.square(x)
    (g1,) = tf.gradients(y, x)
    (g2,) = tf.gradients(y, x)
    (g3,) = tf.gradients(y, x, name="my_grads")
    assert g1.op.name.startswith("gradients/")
    assert g2.op.name.startswith("gradients_1/")
    assert g3.op.name.startswith("my_grads/")


def test_multiple_paths_are_summed_with_add_n(fresh_graph):
    x = tf.placeholder(tf.float32, [3])
    y = tf.add(tf.mul(x, 2.0), tf.mul(tf.square(x), 3.0))
    (g,) = tf.gradients(y, x)
    value = np.array([1.0, -2.0, 0.5], np.float32)
    np.testing.assert_allclose(_run(g, {x: value}), 2 + 6 * value)
    assert any(op.type == "AddN" and op.name.startswith("gradients/")
               for op in fresh_graph.get_operations())


def test_unconnected_xs_get_none():
    x = tf.placeholder(tf.float32, [2])
    unused = tf.placeholder(tf.float32, [2])
    y = tf.reduce_sum(tf.exp(x))
    gx, gu = tf.gradients(y, [x, unused])
    assert gu is None
    assert gx is not None


def test_integer_path_cut_by_a_comparison_gives_none():
    x = tf.placeholder(tf.float32, [2])
    y = tf.cast(tf.greater(x, 0.0), tf.float32)
    assert tf.gradients(y, x) == [None]


def test_grad_ys_weight_each_output():
    x = tf.placeholder(tf.float32, [3])
    y = tf.mul(x, 3.0)
    weights = np.array([1.0, 10.0, 100.0], np.float32)
    (g,) = tf.gradients(y, x, grad_ys=weights)
    np.testing.assert_allclose(_run(g, {x: np.zeros(3, np.float32)}), 3 * weights)


def test_several_ys_add_their_gradients():
    x = tf.placeholder(tf.float32, [2])
    (g,) = tf.gradients([tf.mul(x, 2.0), tf.square(x)], x)
    value = np.array([1.0, 3.0], np.float32)
    np.testing.assert_allclose(_run(g, {x: value}), 2 + 2 * value)


def test_gradient_of_a_tensor_with_respect_to_itself_is_grad_y():
    x = tf.placeholder(tf.float32, [2])
    (g,) = tf.gradients(x, x)
    np.testing.assert_allclose(_run(g, {x: np.array([5.0, 6.0], np.float32)}), [1, 1])


def test_stop_gradient_cuts_only_its_path():
    x = tf.placeholder(tf.float32, [])
    y = tf.add(tf.square(tf.stop_gradient(x)), tf.mul(x, 4.0))
    (g,) = tf.gradients(y, x)
    assert _run(g, {x: np.float32(3.0)}) == pytest.approx(4.0)
    assert tf.gradients(tf.stop_gradient(x), x) == [None]


def test_gradients_with_respect_to_an_intermediate_tensor():
    x = tf.placeholder(tf.float32, [2])
    h = tf.mul(x, 3.0)
    y = tf.reduce_sum(tf.square(h))
    (gh,) = tf.gradients(y, h)
    np.testing.assert_allclose(_run(gh, {x: np.array([1.0, 2.0], np.float32)}), [6.0, 12.0])


def test_gradients_of_variables_through_operators():
    w = tf.Variable(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), name="w")
    b = tf.Variable(np.array([0.5, -0.5], np.float32), name="b")
    x = tf.constant([[1.0, 1.0]])
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - 1.0))
    gw, gb = tf.gradients(loss, [w, b])
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        got_w, got_b = sess.run([gw, gb])
    tw = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    tb = torch.tensor([0.5, -0.5], requires_grad=True)
    torch.mean((torch.ones(1, 2) @ tw + tb - 1) ** 2).backward()
    np.testing.assert_allclose(got_w, tw.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(got_b, tb.grad.numpy(), rtol=1e-6)


def test_second_derivative_by_differentiating_a_gradient():
    x = tf.placeholder(tf.float32, [3])
    y = tf.reduce_sum(tf.mul(tf.square(x), x))
    (g,) = tf.gradients(y, x)
    (h,) = tf.gradients(g, x)
    value = np.array([1.0, -2.0, 0.5], np.float32)
    np.testing.assert_allclose(_run(h, {x: value}), 6 * value, rtol=1e-6)


def test_a_chain_of_ops_matches_torch_autograd():
    def chain(lib):
        def fn(x, w, b):
            h = lib.tanh(lib.matmul(x, w) + b)
            return lib.reduce_sum(h * h, 1) if lib is tf else (h * h).sum(1)
        return fn

    torch_lib = type("T", (), {"tanh": staticmethod(torch.tanh),
                               "matmul": staticmethod(torch.matmul)})
    check_op([(4, 3), (3, 5), (5,)], chain(torch_lib), chain(tf))


def test_missing_gradient_function_raises_lookup_error():
    if "TestOpWithoutGradient" not in registry.registered_types():
        registry.register_op("TestOpWithoutGradient",
                             infer=lambda op: [(op.inputs[0].dtype, op.inputs[0].get_shape())],
                             kernel=lambda ctx, x: x)
    x = tf.placeholder(tf.float32, [2])
    y = tf.framework.ops.apply_op("TestOpWithoutGradient", [x], name="nograd").outputs[0]
    with pytest.raises(LookupError, match="No gradient defined for operation 'nograd'"):
        tf.gradients(y, x)


def test_grad_ys_count_must_match_ys():
    x = tf.placeholder(tf.float32, [2])
    with pytest.raises(ValueError, match="grad_ys"):
        tf.gradients([x, x], x, grad_ys=[np.ones(2, np.float32)])


DIFFERENTIABLE = [
    "MatMul", "Add", "Sub", "Mul", "Div", "Mod", "Pow", "Neg", "Abs", "Sign", "Square", "Sqrt",
    "Rsqrt", "Exp", "Log", "Tanh", "Sigmoid", "AddN", "Maximum", "Minimum", "Select", "Cast",
    "Sum", "Mean", "Max", "Min", "Prod", "Reshape", "Squeeze", "ExpandDims", "Concat", "Pack",
    "Unpack", "Split", "Slice", "StridedSlice", "Gather", "Tile", "Pad", "Transpose",
    "SparseToDense", "GatherNd", "UnsortedSegmentSum", "Identity", "Print", "Fill", "Relu", "Relu6", "Elu", "Softplus", "Softmax",
    "LogSoftmax", "BiasAdd", "Conv2D", "MaxPool", "AvgPool", "LRN", "L2Loss",
    "SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits", "TopK",
]
NOT_DIFFERENTIABLE = [
    "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd",
    "LogicalOr", "LogicalNot", "ArgMax", "ArgMin", "All", "Any", "Range", "Shape", "Size",
    "Rank", "OneHot", "StopGradient", "InTopK", "Const", "Placeholder", "ZerosLike", "OnesLike",
    "Variable", "Assign", "AssignAdd", "AssignSub", "CountUpTo", "RandomStandardNormal",
    "RandomUniform", "TruncatedNormal", "RandomShuffle", "NoOp",
]


@pytest.mark.parametrize("op_type", DIFFERENTIABLE)
def test_every_differentiable_op_type_has_a_gradient_function(op_type):
    spec = registry.get_spec(op_type)
    assert spec.grad is not None and not spec.not_differentiable
    assert spec.grad.__doc__, f"{op_type}: the gradient's formula belongs in its docstring"


@pytest.mark.parametrize("op_type", NOT_DIFFERENTIABLE)
def test_non_differentiable_op_types_are_declared(op_type):
    assert registry.get_spec(op_type).not_differentiable


def test_ops_and_gradients_on_a_tensor_of_unknown_rank():
    x = tf.placeholder(tf.float32)
    y = tf.reduce_sum(tf.square(tf.transpose(x)) * tf.constant([[1.0], [2.0], [3.0]]))
    assert y.get_shape().ndims is None or y.get_shape().as_list() == []
    (g,) = tf.gradients(y, x)
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    got_y, got_g = _run([y, g], {x: value})
    weights = np.array([1.0, 2.0, 3.0], np.float32)
    assert got_y == pytest.approx(float((value ** 2 * weights).sum()))
    np.testing.assert_allclose(got_g, 2 * value * weights)


def test_outputs_nobody_differentiated_contribute_zeros():
    x = tf.placeholder(tf.float32, [3, 2])
    first, _, third = tf.unpack(x)
    (g,) = tf.gradients(tf.add(tf.mul(first, 2.0), third), x)
    np.testing.assert_array_equal(_run(g, {x: np.ones((3, 2), np.float32)}),
                                  [[2, 2], [0, 0], [1, 1]])


def test_framework_ops_identity_fill_and_print_pass_gradients():
    check_op([(2, 3)], lambda x: x * 1, tf.identity)
    check_op([()], lambda v: v.expand(2, 3) * 1, lambda v: tf.fill([2, 3], v))
    check_op([(3,)], lambda x: x * 1, lambda x: tf.Print(x, [x], "value: "), dynamic=False)


def test_colocate_gradients_with_ops_places_each_gradient_beside_its_op():
    x = tf.placeholder(tf.float32, [2])
    with tf.device("/cpu:0"):
        y = tf.exp(x)
    (g,) = tf.gradients(y, x, colocate_gradients_with_ops=True)
    (plain,) = tf.gradients(y, x)
    assert g.op.device == y.op.device != ""
    assert plain.op.device == ""
