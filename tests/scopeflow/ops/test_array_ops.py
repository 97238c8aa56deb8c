"""array_ops against torch: values and gradients, static shapes, TensorFlow's shape errors."""

from __future__ import annotations

import numpy as np
import pytest
import scopeflow as tf
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from op_test_helper import check_op


def test_reshape_with_minus_one_and_gradient():
    check_op([(2, 6)], lambda x: x.reshape(3, 4), lambda x: tf.reshape(x, [3, -1]),
             static_shape=False)
    x = tf.placeholder(tf.float32, [2, 6])
    assert tf.reshape(x, [3, -1]).get_shape().as_list() == [3, 4]


def test_reshape_to_a_wrong_size_raises():
    with pytest.raises(ValueError, match="Cannot reshape a tensor with 6 elements"):
        tf.reshape(tf.placeholder(tf.float32, [2, 3]), [4, 2])


def test_squeeze_all_and_listed_dims():
    check_op([(1, 3, 1, 2)], torch.squeeze, tf.squeeze, static_shape=False)
    check_op([(1, 3, 1, 2)], lambda x: x.squeeze(2), lambda x: tf.squeeze(x, [2]))
    assert tf.squeeze(tf.placeholder(tf.float32, [1, 3, 1])).get_shape().as_list() == [3]
    with pytest.raises(ValueError, match=r"Can not squeeze dim\[1\]"):
        tf.squeeze(tf.placeholder(tf.float32, [1, 3]), [1])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_expand_dims(dim):
    check_op([(2, 3)], lambda x: x.unsqueeze(dim), lambda x: tf.expand_dims(x, dim))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat_in_06_argument_order(axis):
    check_op([(2, 3), (2, 3), (2, 3)], lambda *xs: torch.cat(xs, axis),
             lambda *xs: tf.concat(axis, list(xs)))


def test_concat_of_unequal_blocks_and_unknown_sizes():
    check_op([(2, 3), (4, 3)], lambda a, b: torch.cat([a, b], 0), lambda a, b: tf.concat(0, [a, b]))
    a = tf.placeholder(tf.float32, [None, 3])
    assert tf.concat(0, [a, tf.placeholder(tf.float32, [2, 3])]).get_shape().as_list() == [None, 3]
    with pytest.raises(ValueError, match="not compatible"):
        tf.concat(0, [a, tf.placeholder(tf.float32, [2, 4])])


@pytest.mark.parametrize("axis", [0, 1])
def test_pack_and_unpack(axis):
    check_op([(2, 3)] * 3, lambda *xs: torch.stack(xs, axis), lambda *xs: tf.pack(xs, axis=axis))
    check_op([(3, 2)], lambda x: torch.unbind(x, axis),
             lambda x: tf.unpack(x, num=(3, 2)[axis], axis=axis))


def test_unpack_without_num_on_unknown_dim_raises():
    with pytest.raises(ValueError, match="Cannot infer num from shape"):
        tf.unpack(tf.placeholder(tf.float32, [None, 2]))


def test_split_in_06_argument_order():
    check_op([(2, 6)], lambda x: torch.split(x, 2, 1), lambda x: tf.split(1, 3, x))
    with pytest.raises(ValueError, match="evenly divide"):
        tf.split(1, 4, tf.placeholder(tf.float32, [2, 6]))


def test_slice_with_size_minus_one():
    check_op([(4, 5)], lambda x: x[1:3, 2:], lambda x: tf.slice(x, [1, 2], [2, -1]))


def test_gather_rows_with_repeats_sums_gradients():
    params = np.arange(12, dtype=np.float32).reshape(4, 3)
    idx = np.array([[0, 3], [3, 1]], np.int32)
    check_op(None, lambda p, i: p[i.long()], tf.gather, inputs=[params, idx])


def test_tile_and_gradient():
    check_op([(2, 3)], lambda x: x.repeat(2, 3), lambda x: tf.tile(x, [2, 3]))


def test_pad_constant():
    check_op([(2, 3)], lambda x: torch.nn.functional.pad(x, (0, 2, 1, 1)),
             lambda x: tf.pad(x, [[1, 1], [0, 2]]))


def test_transpose_default_reverses_and_perm():
    check_op([(2, 3, 4)], lambda x: x.permute(2, 1, 0), tf.transpose)
    check_op([(2, 3, 4)], lambda x: x.permute(1, 2, 0), lambda x: tf.transpose(x, [1, 2, 0]))


def test_shape_size_rank():
    x = tf.placeholder(tf.float32, [None, 3])
    value = np.zeros((5, 3), np.float32)
    with tf.Session() as sess:
        shape, size, rank = sess.run([tf.shape(x), tf.size(x), tf.rank(x)], {x: value})
    assert shape.tolist() == [5, 3] and size == 15 and rank == 2
    assert tf.shape(x).dtype == tf.int32
    assert tf.shape(x).get_shape().as_list() == [2]


def test_one_hot_default_and_axis():
    idx = np.array([0, 2, 1, 5], np.int32)
    expected = np.eye(3, dtype=np.float32)[[0, 2, 1]]
    expected = np.vstack([expected, np.zeros((1, 3), np.float32)])
    with tf.Graph().as_default(), tf.Session() as sess:
        hot = tf.one_hot(idx, 3)
        assert hot.get_shape().as_list() == [4, 3]
        np.testing.assert_array_equal(sess.run(hot), expected)
        np.testing.assert_array_equal(sess.run(tf.one_hot(idx, 3, axis=0)), expected.T)
        np.testing.assert_array_equal(sess.run(tf.one_hot(idx, 3, 5.0, -1.0)),
                                      np.where(expected == 1, 5.0, -1.0))


def test_sparse_to_dense_values_and_gradient():
    indices = np.array([[0, 1], [2, 0]], np.int32)
    values = np.array([3.0, 4.0], np.float32)
    default = np.array(-1.0, np.float32)

    def torch_fn(v, d):
        out = d.expand(3, 2).clone()
        out[0, 1], out[2, 0] = v[0], v[1]
        return out

    check_op(None, torch_fn, lambda v, d: tf.sparse_to_dense(indices, [3, 2], v, d),
             inputs=[values, default])


def test_sparse_to_dense_of_strings():
    with tf.Session() as sess:
        dense = sess.run(tf.sparse_to_dense([[0, 1], [2, 0]], [3, 2], tf.constant([b"a", b"b"]),
                                            b"-"))
        filled = sess.run(tf.sparse_to_dense([[0], [2]], [3], b"z", b""))
    assert dense.tolist() == [[b"-", b"a"], [b"-", b"-"], [b"b", b"-"]]
    assert filled.tolist() == [b"z", b"", b"z"]


def test_stop_gradient_blocks_gradient_but_passes_value():
    x = tf.placeholder(tf.float32, [2])
    y = tf.mul(tf.stop_gradient(x), x)
    (g,) = tf.gradients(y, x)
    with tf.Session() as sess:
        out, grad = sess.run([y, g], {x: np.array([2.0, 3.0], np.float32)})
    np.testing.assert_allclose(out, [4, 9])
    np.testing.assert_allclose(grad, [2, 3])


SLICES = [
    ("int", lambda x: x[1]),
    ("negative int", lambda x: x[-1]),
    ("slice", lambda x: x[1:3]),
    ("steps", lambda x: x[::2, 1:]),
    ("ellipsis", lambda x: x[..., 1]),
    ("newaxis", lambda x: x[:, None, 2]),
    ("tuple", lambda x: x[0, 1:4, -1]),
    ("open ends", lambda x: x[:-1, -3:]),
]


@pytest.mark.parametrize("name,index", SLICES, ids=[s[0] for s in SLICES])
def test_getitem_matches_torch(name, index):
    check_op([(4, 5, 3)], index, index)


def test_getitem_negative_steps():
    def flip(x):
        return x.flip(0)[::2]

    check_op([(5, 3)], flip, lambda x: x[::-2])
    check_op([(5, 3)], lambda x: x[1:4].flip(0).flip(1),
             lambda x: x[3:0:-1, ::-1])


def test_getitem_with_a_tensor_index():
    x = tf.placeholder(tf.float32, [4, 2])
    i = tf.placeholder(tf.int32, [])
    row = x[i]
    value = np.arange(8, dtype=np.float32).reshape(4, 2)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(row, {x: value, i: 2}), value[2])


def test_getitem_index_out_of_range_is_a_shape_error():
    with pytest.raises(ValueError, match="out of bounds"):
        tf.placeholder(tf.float32, [3])[5]


def test_a_fed_value_replaces_a_constant_shape_input_on_every_run():
    x = tf.placeholder(tf.float32, [6])
    target = tf.constant([2, 3])
    reshaped = tf.reshape(x, target)
    value = np.arange(6, dtype=np.float32)
    with tf.Session() as sess:
        assert sess.run(reshaped, {x: value}).shape == (2, 3)
        assert sess.run(reshaped, {x: value, target: [3, 2]}).shape == (3, 2)
        assert sess.run(reshaped, {x: value}).shape == (2, 3)


def test_unpack_infers_num_from_the_static_shape():
    parts = tf.unpack(tf.placeholder(tf.float32, [3, 2]))
    assert len(parts) == 3 and parts[0].get_shape().as_list() == [2]


def _ph(*shape):
    return tf.placeholder(tf.float32, list(shape))


SHAPE_ERRORS = [
    ("pack", lambda: tf.pack([_ph(2, 3), _ph(3, 2)]), "not compatible"),
    ("gather of a scalar", lambda: tf.gather(_ph(), [0]), "must have rank at least 1"),
    ("transpose perm", lambda: tf.transpose(_ph(2, 3), [0, 0]), "not a valid permutation"),
    ("tile rank", lambda: tf.tile(_ph(2, 3), [2]), "must have rank 1"),
    ("pad rank", lambda: tf.pad(_ph(2, 3), [[1, 1]]), "must have rank 1"),
    ("slice bounds", lambda: tf.slice(_ph(2, 3), [1, 1], [2, 1]), "within dimension 0"),
    ("expand_dims", lambda: tf.expand_dims(_ph(2, 3), 4), "out of range"),
    ("concat dim", lambda: tf.concat(2, [_ph(2, 3), _ph(2, 3)]), "out of range"),
    ("concat rank", lambda: tf.concat(0, [_ph(2, 3), _ph(2)]), "same rank"),
]


@pytest.mark.parametrize("name,build,message", SHAPE_ERRORS, ids=[e[0] for e in SHAPE_ERRORS])
def test_incompatible_static_shapes_raise_value_error_naming_the_op(name, build, message):
    with tf.Graph().as_default(), pytest.raises(ValueError, match=message) as info:
        build()
    assert "(op: '" in str(info.value)


def test_unsorted_segment_sum_and_gradient():
    data = np.arange(12, dtype=np.float32).reshape(4, 3)
    ids = np.array([2, 0, 2, 1], np.int32)

    def torch_fn(d, i):
        return torch.zeros(3, 3).index_add(0, i.long(), d)

    check_op(None, torch_fn, lambda d, i: tf.unsorted_segment_sum(d, i, 3), inputs=[data, ids])


def test_gather_nd_picks_by_full_or_partial_index():
    params = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    full = np.array([[0, 1, 2], [1, 2, 3]], np.int32)
    partial = np.array([[1, 0], [0, 2]], np.int32)
    check_op(None, lambda p, i: p[i[:, 0].long(), i[:, 1].long(), i[:, 2].long()],
             tf.gather_nd, inputs=[params, full], dynamic=False)
    repeated = np.array([[1, 0], [0, 2], [1, 0]], np.int32)
    check_op(None, lambda p, i: p[i[:, 0].long(), i[:, 1].long()],
             tf.gather_nd, inputs=[params, repeated], dynamic=False)
    check_op(None, lambda p, i: p[i[:, 0].long(), i[:, 1].long()],
             tf.gather_nd, inputs=[params, partial], wrt=())


def test_gather_index_out_of_range_is_invalid_argument_naming_the_index():
    params = tf.constant(np.zeros((4, 2), np.float32))
    picked = tf.gather(params, [1, 7], name="pick")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match=r"indices\[1\] = 7 is not in \[0, 4\)") as e:
        sess.run(picked)
    assert e.value.op.name == "pick"


def test_strided_slice_with_computed_bounds_infers_what_it_can():
    x = tf.placeholder(tf.float32, [4, 5, 3])
    i = tf.placeholder(tf.int32, [])
    assert x[i, 1:].get_shape().as_list() == [4, 3]
    assert x[1:i].get_shape().as_list() == [None, 5, 3]
    bounds = tf.placeholder(tf.int32, [None])
    assert tf.strided_slice(x, bounds, bounds, bounds).get_shape().ndims is None


_bounds = st.one_of(st.none(), st.integers(-6, 6))


@st.composite
def _slice_specs(draw):
    entries = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["int", "slice", "slice", "newaxis"]))
        if kind == "int":
            entries.append(draw(st.integers(-3, 2)))
        elif kind == "slice":
            step = draw(st.one_of(st.none(), st.sampled_from([1, 2, -1, -2])))
            entries.append(slice(draw(_bounds), draw(_bounds), step))
        else:
            entries.append(None)
    if draw(st.booleans()):
        entries.insert(draw(st.integers(0, len(entries))), Ellipsis)
    return tuple(entries)


@settings(max_examples=40, deadline=None)
@given(spec=_slice_specs())
def test_getitem_agrees_with_numpy_on_values_static_shapes_and_gradients(spec):
    value = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
    expected = value[spec]
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32, [3, 4, 5])
        y = x[spec]
        (g,) = tf.gradients(y, x)
        got, grad = sess.run([y, g], {x: value})
    np.testing.assert_array_equal(got, expected)
    assert y.get_shape().as_list() == list(expected.shape)
    counts = np.zeros_like(value)
    np.add.at(counts, spec, 1.0)
    np.testing.assert_array_equal(grad, counts)
