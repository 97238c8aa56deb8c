"""tf.IndexedSlices: the wrapper's properties and its conversion to a dense Tensor."""

import warnings

import numpy as np
import pytest
import scopeflow as tf


def _slices(dense_shape=(5, 2)):
    values = tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2), name="vals")
    indices = tf.constant(np.array([4, 0, 4], np.int32))
    shape = None if dense_shape is None else tf.constant(np.array(dense_shape, np.int32))
    return tf.IndexedSlices(values, indices, shape)


def test_properties_come_from_the_values_tensor():
    with tf.Graph().as_default() as graph, tf.device("/cpu:0"):
        s = _slices()
        assert s.name == "vals:0"
        assert s.dtype == tf.float32
        assert s.op is s.values.op
        assert s.graph is graph
        assert s.device == s.values.device
        assert s.indices.dtype == tf.int32
        assert "IndexedSlices(indices=" in str(s)


def test_convert_to_tensor_densifies_summing_duplicate_indices():
    with tf.Graph().as_default(), tf.Session() as sess:
        dense = tf.convert_to_tensor(_slices())
        assert dense.get_shape().as_list() == [5, 2]
        got = sess.run(dense)
    expected = np.zeros((5, 2), np.float32)
    expected[4] = [0 + 4, 1 + 5]
    expected[0] = [2, 3]
    np.testing.assert_array_equal(got, expected)


def test_ops_given_an_indexed_slices_use_its_dense_value():
    with tf.Graph().as_default(), tf.Session() as sess:
        doubled = tf.mul(_slices(), 2.0)
        assert sess.run(tf.reduce_sum(doubled)) == pytest.approx(2 * 15)


def test_negation_negates_the_values_only():
    with tf.Graph().as_default(), tf.Session() as sess:
        s = _slices()
        neg = -s
        assert neg.indices is s.indices and neg.dense_shape is s.dense_shape
        np.testing.assert_array_equal(sess.run(neg.values), -np.arange(6).reshape(3, 2))


def test_small_known_shape_converts_without_warning():
    with tf.Graph().as_default(), warnings.catch_warnings():
        warnings.simplefilter("error")
        tf.convert_to_tensor(_slices())


def test_unknown_dense_shape_warns_on_conversion():
    with tf.Graph().as_default():
        s = tf.IndexedSlices(tf.constant([[1.0]]), tf.constant([0]),
                             tf.placeholder(tf.int32, [2]))
        with pytest.warns(UserWarning, match="dense Tensor of unknown shape"):
            tf.convert_to_tensor(s)


def test_large_dense_shape_warns_with_the_element_count():
    with tf.Graph().as_default():
        s = tf.IndexedSlices(tf.zeros([3, 1000]), tf.constant([0, 1, 2]),
                             tf.constant(np.array([100_000, 1000], np.int32)))
        with pytest.warns(UserWarning, match="dense Tensor with 100000000 elements"):
            tf.convert_to_tensor(s)


def test_conversion_to_another_dtype_or_without_dense_shape_fails():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="requested dtype int32 for IndexedSlices"):
            tf.convert_to_tensor(_slices(), dtype=tf.int32)
        with pytest.raises(ValueError, match="without dense_shape"):
            tf.convert_to_tensor(_slices(dense_shape=None))


def test_session_run_of_indexed_slices_gives_its_dense_value():
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run(_slices())
    assert got.shape == (5, 2)
    np.testing.assert_array_equal(got[4], [4, 6])


def test_indexed_slices_value_is_a_named_triple():
    value = tf.IndexedSlicesValue(values=np.ones((1, 2)), indices=np.array([3]),
                                  dense_shape=np.array([4, 2]))
    assert value.indices[0] == 3 and tuple(value.dense_shape) == (4, 2)
