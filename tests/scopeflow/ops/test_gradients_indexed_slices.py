"""tf.gradients with IndexedSlices: Gather's sparse gradient, its aggregation, densifying."""

import numpy as np
import pytest
import scopeflow as tf

TABLE = np.arange(30, dtype=np.float32).reshape(10, 3)


def _dense(rows_and_values, shape=(10, 3)):
    out = np.zeros(shape, np.float32)
    for row, value in rows_and_values:
        out[row] += value
    return out


def test_embedding_lookup_gradient_is_indexed_slices_of_the_gathered_rows():
    ids = np.array([[1, 4], [4, 9]], np.int32)
    with tf.Graph().as_default(), tf.Session() as sess:
        table = tf.Variable(TABLE)
        loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(table, ids)))
        (grad,) = tf.gradients(loss, [table])
        assert isinstance(grad, tf.IndexedSlices)
        assert grad.values.get_shape().as_list() == [4, 3]
        assert grad.indices.get_shape().as_list() == [4]
        sess.run(tf.initialize_all_variables())
        values, indices, shape = sess.run([grad.values, grad.indices, grad.dense_shape])
    np.testing.assert_array_equal(indices, [1, 4, 4, 9])
    np.testing.assert_array_equal(values, 2 * TABLE[[1, 4, 4, 9]])
    np.testing.assert_array_equal(shape, [10, 3])


def test_gather_gradient_with_unknown_params_shape_reads_it_at_run_time():
    with tf.Graph().as_default(), tf.Session() as sess:
        params = tf.placeholder(tf.float32, [None, None])
        (grad,) = tf.gradients(tf.reduce_sum(tf.gather(params, [2, 2, 0])), [params])
        assert isinstance(grad, tf.IndexedSlices)
        values, indices, shape = sess.run([grad.values, grad.indices, grad.dense_shape],
                                          {params: TABLE})
    assert values.shape == (3, 3)
    np.testing.assert_array_equal(indices, [2, 2, 0])
    np.testing.assert_array_equal(shape, [10, 3])


def test_two_sparse_gradients_concatenate_values_and_indices():
    with tf.Graph().as_default(), tf.Session() as sess:
        params = tf.constant(TABLE)
        loss = tf.reduce_sum(tf.gather(params, [1, 2])) + 3.0 * tf.reduce_sum(
            tf.gather(params, [2]))
        (grad,) = tf.gradients(loss, [params])
        assert isinstance(grad, tf.IndexedSlices)
        assert grad.values.op.type == "Concat" and grad.indices.op.type == "Concat"
        indices, dense = sess.run([grad.indices, tf.convert_to_tensor(grad)])
    assert sorted(indices.tolist()) == [1, 2, 2]
    np.testing.assert_array_equal(dense, _dense([(1, 1.0), (2, 1.0), (2, 3.0)]))


def test_sparse_and_dense_gradients_mix_as_slices_of_every_row():
    # TensorFlow 0.6 turns the dense gradient into slices of all its rows and concatenates.
    with tf.Graph().as_default(), tf.Session() as sess:
        params = tf.constant(TABLE)
        loss = tf.reduce_sum(tf.gather(params, [3, 3])) + tf.reduce_sum(params * 2.0)
        (grad,) = tf.gradients(loss, [params])
        assert isinstance(grad, tf.IndexedSlices)
        indices, dense = sess.run([grad.indices, tf.convert_to_tensor(grad)])
    assert len(indices) == 10 + 2
    np.testing.assert_array_equal(dense, 2.0 + _dense([(3, 2.0)]))


def test_sparse_gradient_into_an_op_that_needs_a_tensor_is_densified():
    with tf.Graph().as_default(), tf.Session() as sess:
        params = tf.constant(TABLE)
        scaled = params * 3.0
        (grad,) = tf.gradients(tf.reduce_sum(tf.gather(scaled, [0, 5, 5])), [params])
        assert isinstance(grad, tf.Tensor)
        got = sess.run(grad)
    np.testing.assert_array_equal(got, _dense([(0, 3.0), (5, 6.0)]))


def test_sharded_embedding_gives_each_shard_its_slices():
    ids = np.array([1, 4, 4, 9], np.int32)
    with tf.Graph().as_default(), tf.Session() as sess:
        shards = [tf.constant(TABLE[p::2]) for p in range(2)]
        total = tf.reduce_sum(tf.nn.embedding_lookup(shards, ids))
        grads = tf.gradients(total, shards)
        assert all(isinstance(g, tf.IndexedSlices) for g in grads)
        dense = sess.run([tf.convert_to_tensor(g) for g in grads])
    counts = np.bincount(ids, minlength=10).astype(np.float32)[:, None] * np.ones((1, 3))
    np.testing.assert_array_equal(dense[0], counts[0::2])
    np.testing.assert_array_equal(dense[1], counts[1::2])


@pytest.mark.parametrize("index_dtype", [tf.int32, tf.int64])
def test_mixed_index_dtypes_concatenate_as_int64(index_dtype):
    with tf.Graph().as_default(), tf.Session() as sess:
        params = tf.constant(TABLE)
        other = tf.constant(np.array([7], np.int64))
        loss = tf.reduce_sum(tf.gather(params, tf.constant([7], dtype=index_dtype))) + \
            tf.reduce_sum(tf.gather(params, other))
        (grad,) = tf.gradients(loss, [params])
        assert grad.indices.dtype == tf.int64
        np.testing.assert_array_equal(sess.run(tf.convert_to_tensor(grad)), _dense([(7, 2.0)]))
