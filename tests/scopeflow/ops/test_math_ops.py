"""math_ops against torch: values and gradients, static shapes, TensorFlow's shape errors."""

from __future__ import annotations

import numpy as np
import pytest
import scopeflow as tf
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from op_test_helper import check_op, random_inputs

UNARY = [
    ("neg", tf.neg, torch.neg, -2, 2),
    ("abs", tf.abs, torch.abs, 0.1, 2),
    ("abs_negative", tf.abs, torch.abs, -2, -0.1),
    ("sign", tf.sign, torch.sign, -2, 2),
    ("square", tf.square, torch.square, -2, 2),
    ("sqrt", tf.sqrt, torch.sqrt, 0.5, 3),
    ("rsqrt", tf.rsqrt, torch.rsqrt, 0.5, 3),
    ("exp", tf.exp, torch.exp, -2, 2),
    ("log", tf.log, torch.log, 0.5, 3),
    ("tanh", tf.tanh, torch.tanh, -2, 2),
    ("sigmoid", tf.sigmoid, torch.sigmoid, -3, 3),
    ("inv", tf.inv, torch.reciprocal, 0.5, 2),
    ("sin", tf.sin, torch.sin, -2, 2),
    ("cos", tf.cos, torch.cos, -2, 2),
]


@pytest.mark.parametrize("name,tf_fn,torch_fn,low,high", UNARY, ids=[u[0] for u in UNARY])
def test_unary_matches_torch(name, tf_fn, torch_fn, low, high):
    check_op([(2, 3)], torch_fn, tf_fn, low=low, high=high)


def test_floor_and_ceil_values_and_no_gradient():
    check_op([(3, 2)], torch.floor, tf.floor, wrt=())
    check_op([(3, 2)], torch.ceil, tf.ceil, wrt=())
    x = tf.placeholder(tf.float32, [2])
    assert tf.gradients(tf.floor(x), x) == [None]


BROADCAST_SHAPES = [[(2, 3), (2, 3)], [(2, 3), (3,)], [(2, 1), (1, 3)], [(), (2, 3)],
                    [(4, 1, 3), (2, 1)]]
BINARY = [
    ("add", tf.add, torch.add, -2, 2),
    ("sub", tf.sub, torch.sub, -2, 2),
    ("mul", tf.mul, torch.mul, -2, 2),
    ("div", tf.div, torch.div, 0.5, 2),
    ("truediv", tf.truediv, torch.true_divide, 0.5, 2),
    ("pow", tf.pow, torch.pow, 0.5, 2),
    ("maximum", tf.maximum, torch.maximum, -2, 2),
    ("minimum", tf.minimum, torch.minimum, -2, 2),
    ("squared_difference", tf.squared_difference, lambda x, y: (x - y) ** 2, -2, 2),
    ("mod", tf.mod, torch.fmod, 0.5, 3),
]


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name,tf_fn,torch_fn,low,high", BINARY, ids=[b[0] for b in BINARY])
def test_binary_broadcasting_matches_torch(name, tf_fn, torch_fn, low, high, shapes):
    check_op(shapes, torch_fn, tf_fn, low=low, high=high)


def test_floordiv_floors_floats_and_truncates_ints_like_tf_06():
    check_op([(2, 3), (3,)], lambda x, y: torch.floor(x / y), tf.floordiv, low=0.5, high=3,
             wrt=())
    a = np.array([7, -7, 6], np.int32)
    b = np.array([2, 2, -4], np.int32)
    check_op(None, lambda x, y: torch.div(x, y, rounding_mode="trunc"), tf.floordiv,
             inputs=[a, b])
    check_op(None, lambda x, y: torch.div(x, y, rounding_mode="trunc"), tf.div, inputs=[a, b])


def test_truediv_of_int32_gives_float64():
    a, b = np.array([1, 3], np.int32), np.array([2, 4], np.int32)
    out = check_op(None, lambda x, y: x.double() / y.double(), tf.truediv, inputs=[a, b])
    assert out[0].dtype == np.float64


COMPARISONS = [
    (tf.equal, torch.eq), (tf.not_equal, torch.ne), (tf.less, torch.lt),
    (tf.less_equal, torch.le), (tf.greater, torch.gt), (tf.greater_equal, torch.ge),
]


@pytest.mark.parametrize("tf_fn,torch_fn", COMPARISONS, ids=lambda f: getattr(f, "__name__", ""))
def test_comparisons_are_bool_and_not_differentiable(tf_fn, torch_fn):
    a = np.array([[1, 2, 3], [3, 2, 1]], np.float32)
    b = np.array([2, 2, 2], np.float32)
    check_op(None, torch_fn, tf_fn, inputs=[a, b], wrt=())
    x = tf.placeholder(tf.float32, [3])
    assert tf_fn(x, 1.0).dtype == tf.bool
    assert tf.gradients(tf.cast(tf_fn(x, 1.0), tf.float32), x) == [None]


def test_logical_ops():
    a = np.array([True, True, False, False])
    b = np.array([True, False, True, False])
    check_op(None, torch.logical_and, tf.logical_and, inputs=[a, b])
    check_op(None, torch.logical_or, tf.logical_or, inputs=[a, b])
    check_op(None, torch.logical_xor, tf.logical_xor, inputs=[a, b], static_shape=False)
    check_op(None, torch.logical_not, tf.logical_not, inputs=[a])


@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_matmul_with_transposes(ta, tb):
    a_shape = (4, 3) if ta else (3, 4)
    b_shape = (5, 4) if tb else (4, 5)
    check_op([a_shape, b_shape],
             lambda a, b: (a.t() if ta else a) @ (b.t() if tb else b),
             lambda a, b: tf.matmul(a, b, transpose_a=ta, transpose_b=tb))


def test_add_n_sums_and_spreads_gradient():
    check_op([(2, 3)] * 3, lambda a, b, c: a + b + c, lambda a, b, c: tf.add_n([a, b, c]))


def test_select_with_matrix_and_vector_conditions():
    cond = np.array([[True, False, True], [False, False, True]])
    t, e = random_inputs([(2, 3), (2, 3)])
    check_op(None, torch.where, tf.select, inputs=[cond, t, e])
    rows = np.array([True, False])
    check_op(None, lambda c, x, y: torch.where(c[:, None], x, y), tf.select,
             inputs=[rows, t, e])


def test_cast_round_trip_and_gradient_between_floats():
    check_op([(2, 3)], lambda x: x.double(), lambda x: tf.cast(x, tf.float64))
    check_op([(2, 3)], lambda x: x.to(torch.int32), tf.to_int32, wrt=())
    ints = np.array([1, -2, 3], np.int32)
    check_op(None, lambda x: x.float(), tf.to_float, inputs=[ints])
    check_op(None, lambda x: x.long(), tf.to_int64, inputs=[ints])


REDUCTIONS = [
    (tf.reduce_sum, lambda x, d, k: x.sum(dim=d, keepdim=k)),
    (tf.reduce_mean, lambda x, d, k: x.mean(dim=d, keepdim=k)),
    (tf.reduce_max, lambda x, d, k: x.amax(dim=d, keepdim=k)),
    (tf.reduce_min, lambda x, d, k: x.amin(dim=d, keepdim=k)),
    (tf.reduce_prod, lambda x, d, k: _torch_prod(x, d, k)),
]


def _torch_prod(x, dims, keep):
    for d in sorted((d % x.dim() for d in dims), reverse=True):
        x = x.prod(dim=d, keepdim=keep)
    return x


@pytest.mark.parametrize("axes", [None, [0], [1], [0, 2], [-1]], ids=str)
@pytest.mark.parametrize("keep", [False, True])
@pytest.mark.parametrize("tf_fn,torch_fn", REDUCTIONS, ids=lambda f: getattr(f, "__name__", ""))
def test_reductions_match_torch(tf_fn, torch_fn, axes, keep):
    dims = [0, 1, 2] if axes is None else axes
    check_op([(2, 3, 4)], lambda x: torch_fn(x, dims, keep),
             lambda x: tf_fn(x, reduction_indices=axes, keep_dims=keep), low=0.5, high=2)


def test_reduce_all_any_and_integer_mean():
    b = np.array([[True, False], [True, True]])
    check_op(None, lambda x: x.all(dim=1), lambda x: tf.reduce_all(x, 1), inputs=[b])
    check_op(None, lambda x: x.any(dim=0), lambda x: tf.reduce_any(x, [0]), inputs=[b])
    ints = np.array([[1, 2], [3, 4]], np.int32)
    check_op(None, lambda x: torch.tensor([1, 3], dtype=torch.int32),
             lambda x: tf.reduce_mean(x, 1), inputs=[ints])


def test_reduction_with_a_fed_index_tensor():
    x = tf.placeholder(tf.float32, [2, 3])
    axis = tf.placeholder(tf.int32, [])
    total = tf.reduce_sum(x, axis)
    (grad,) = tf.gradients(total, x)
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Session() as sess:
        out, g = sess.run([total, grad], {x: value, axis: 1})
    np.testing.assert_allclose(out, value.sum(1))
    np.testing.assert_allclose(g, np.ones((2, 3)))


def test_argmax_argmin_give_int64_indices():
    x = np.array([[1, 5, 2], [7, 0, 3]], np.float32)
    check_op(None, lambda t: t.argmax(1), lambda t: tf.argmax(t, 1), inputs=[x], wrt=())
    check_op(None, lambda t: t.argmin(0), lambda t: tf.argmin(t, 0), inputs=[x], wrt=())


def test_range_forms_and_static_length():
    with tf.Graph().as_default(), tf.Session() as sess:
        assert tf.range(5).get_shape().as_list() == [5]
        assert tf.range(2, 11, 3).get_shape().as_list() == [3]
        np.testing.assert_array_equal(sess.run(tf.range(2, 11, 3)), [2, 5, 8])
        np.testing.assert_array_equal(sess.run(tf.range(5)), np.arange(5))
        limit = tf.placeholder(tf.int32, [])
        dynamic = tf.range(0, limit)
        assert dynamic.get_shape().as_list() == [None]
        assert sess.run(dynamic, {limit: 4}).tolist() == [0, 1, 2, 3]


def test_python_scalars_take_the_tensor_dtype():
    x = tf.placeholder(tf.float64, [2])
    assert tf.add(x, 1).dtype == tf.float64
    assert tf.mul(2, x).dtype == tf.float64


def test_op_names_and_types_follow_tensorflow():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [2, 2])
        assert tf.matmul(a, a).op.type == "MatMul"
        assert tf.reduce_sum(a).op.name == "Sum"
        assert tf.truediv(a, a).op.name == "truediv"
        assert tf.add(a, a).op.type == "Add"
        assert tf.to_float(tf.cast(a, tf.int32)).op.name == "ToFloat"


# ---- TensorFlow's errors for incompatible static shapes ------------------------------------


def test_matmul_inner_dimension_mismatch_raises_value_error():
    a, b = tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.float32, [4, 5])
    with pytest.raises(ValueError, match="Dimensions 3 and 4 are not compatible") as info:
        tf.matmul(a, b)
    assert "MatMul" in str(info.value)


def test_matmul_needs_rank_2():
    with pytest.raises(ValueError, match="must have rank 2"):
        tf.matmul(tf.placeholder(tf.float32, [3]), tf.placeholder(tf.float32, [3, 3]))


def test_unbroadcastable_shapes_raise():
    with pytest.raises(ValueError, match=r"Incompatible shapes for broadcasting: \(2, 3\) and "
                                         r"\(4,\)"):
        tf.add(tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.float32, [4]))


def test_mismatched_dtypes_raise_type_error():
    with pytest.raises(TypeError, match="int32.*float32|float32.*int32"):
        tf.add(tf.placeholder(tf.float32, [2]), tf.placeholder(tf.int32, [2]))


def test_invalid_reduction_index_raises():
    with pytest.raises(ValueError, match="Invalid reduction dimension 2 for input with 2"):
        tf.reduce_sum(tf.placeholder(tf.float32, [2, 3]), [2])


def test_unknown_dims_propagate_through_broadcast():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [1, 3])
    assert tf.add(x, y).get_shape().as_list() == [None, 3]
    assert tf.add(x, tf.placeholder(tf.float32)).get_shape().ndims is None


def test_float_only_ops_reject_integer_inputs():
    with pytest.raises(TypeError, match="DataType int32 not in list of allowed values"):
        tf.sqrt(tf.constant([4, 9]))


def test_string_add_concatenates_and_equal_compares():
    with tf.Graph().as_default(), tf.Session() as sess:
        words = tf.constant(["ab", "c"])
        joined, same = sess.run([tf.add(words, "!"), tf.equal(words, "c")])
    assert joined.tolist() == [b"ab!", b"c!"]
    assert same.tolist() == [False, True]


@pytest.mark.parametrize("reduce", [tf.reduce_sum, tf.reduce_mean, tf.reduce_max,
                                    tf.reduce_min, tf.reduce_prod])
def test_reducing_over_no_axes_is_the_identity(reduce):
    check_op([(2, 3)], lambda x: x * 1, lambda x: reduce(x, []))


def test_clip_by_value_and_its_gradient():
    check_op([(3, 4)], lambda x: torch.clamp(x, -0.5, 1.0),
             lambda x: tf.clip_by_value(x, -0.5, 1.0))


def test_python_values_take_the_dtype_of_the_first_converted_value():
    values = np.array([1.5, 0.0], np.float32)
    assert tf.equal(values, 0).dtype == tf.bool
    assert tf.add(values, 1).dtype == tf.float32


_shapes = st.lists(st.integers(1, 3), max_size=3)


@settings(max_examples=60, deadline=None)
@given(a=_shapes, b=_shapes)
def test_static_broadcast_shape_agrees_with_numpy(a, b):
    with tf.Graph().as_default():
        x, y = tf.placeholder(tf.float32, a), tf.placeholder(tf.float32, b)
        try:
            expected = np.broadcast_shapes(tuple(a), tuple(b))
        except ValueError:
            with pytest.raises(ValueError, match="Incompatible shapes for broadcasting"):
                tf.add(x, y)
            return
        assert tuple(tf.add(x, y).get_shape().as_list()) == expected
        unknown = tf.placeholder(tf.float32, [None] * len(a))
        inferred = tf.add(unknown, y).get_shape()
        assert inferred.is_compatible_with(expected)
