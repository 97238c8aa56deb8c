"""tf.SparseTensor: construction checks, and Session.run fetching and feeding it."""

from __future__ import annotations

import numpy as np
import pytest
import scopeflow as tf


def _placeholder_sparse(dtype=tf.float32):
    return tf.SparseTensor(tf.placeholder(tf.int64, [None, 2]), tf.placeholder(dtype, [None]),
                           tf.placeholder(tf.int64, [2]))


def test_sparse_tensor_converts_lists_to_int64_indices_and_shape():
    with tf.Graph().as_default() as g:
        st = tf.SparseTensor([[0, 1], [2, 3]], [1.5, 2.5], [3, 4])
        assert st.indices.dtype == tf.int64 and st.shape.dtype == tf.int64
        assert st.dtype == tf.float32 and st.values.dtype == tf.float32
        assert st.graph is g and st.op is st.values.op
        assert st.indices.get_shape().as_list() == [2, 2]


@pytest.mark.parametrize(("indices", "values", "shape"), [
    ([0, 1], [1.0, 2.0], [3, 4]),                   # indices of rank 1
    ([[0, 1], [2, 3]], [1.0, 2.0, 3.0], [3, 4]),    # 2 index rows, 3 values
    ([[0, 1], [2, 3]], [1.0, 2.0], [3, 4, 5]),      # 2 index columns, 3 dimensions
])
def test_sparse_tensor_rejects_inconsistent_static_shapes(indices, values, shape):
    with tf.Graph().as_default(), pytest.raises(ValueError):
        tf.SparseTensor(indices, values, shape)


def test_run_of_a_sparse_tensor_returns_a_sparse_tensor_value():
    with tf.Graph().as_default():
        st = tf.SparseTensor([[0, 1], [2, 3]], [1.5, 2.5], [3, 4])
        with tf.Session() as sess:
            value = sess.run(st)
            nested = sess.run({"s": [st, st.values], "t": (st,)})
    assert isinstance(value, tf.SparseTensorValue)
    assert value.indices.tolist() == [[0, 1], [2, 3]] and value.indices.dtype == np.int64
    assert value.values.tolist() == [1.5, 2.5] and value.shape.tolist() == [3, 4]
    assert isinstance(nested["s"][0], tf.SparseTensorValue)
    assert nested["s"][1].tolist() == [1.5, 2.5]
    assert isinstance(nested["t"], tuple) and nested["t"][0].shape.tolist() == [3, 4]


def test_sparse_tensor_eval_uses_the_default_session():
    with tf.Graph().as_default():
        st = tf.SparseTensor([[1]], [7], [2])
        with tf.Session():
            assert st.eval().values.tolist() == [7]


def test_feeding_a_sparse_tensor_value_feeds_its_three_tensors():
    with tf.Graph().as_default():
        st = _placeholder_sparse()
        dense = tf.sparse_tensor_to_dense(st, -1.0)
        fed = tf.SparseTensorValue(np.array([[0, 0], [1, 2]]), np.array([3.0, 4.0], np.float32),
                                   np.array([2, 3]))
        with tf.Session() as sess:
            out = sess.run(dense, feed_dict={st: fed})
            again = sess.run([st, dense], feed_dict={st: ([[1, 1]], [9.0], [2, 2])})
    assert out.tolist() == [[3.0, -1.0, -1.0], [-1.0, -1.0, 4.0]]
    assert again[0].values.tolist() == [9.0] and again[1].tolist() == [[-1, -1], [-1, 9]]


def test_feeding_a_sparse_tensor_with_a_non_triple_is_a_type_error():
    with tf.Graph().as_default():
        st = _placeholder_sparse()
        with tf.Session() as sess, pytest.raises(TypeError, match="SparseTensorValue"):
            sess.run(st.values, feed_dict={st: np.zeros(3)})


def test_sparse_feed_checks_each_part_against_its_placeholder():
    with tf.Graph().as_default():
        st = _placeholder_sparse()
        with tf.Session() as sess, pytest.raises(ValueError, match="Cannot feed value of shape"):
            sess.run(st.values, feed_dict={st: ([0, 1], [1.0], [2, 2])})
