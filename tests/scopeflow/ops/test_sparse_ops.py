"""Sparse ops against TensorFlow 0.6's documented examples, and embedding_lookup_sparse
against the same sums in torch (values and gradients)."""

from __future__ import annotations

import numpy as np
import pytest
import scopeflow as tf
import torch


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        return sess.run(fetches, feed_dict)


def _entries(value) -> list:
    """A SparseTensorValue as [(index tuple, value)] in its stored order."""
    return [(tuple(i), v) for i, v in zip(value.indices.tolist(), value.values.tolist())]


def test_sparse_tensor_to_dense_fills_the_default_value():
    with tf.Graph().as_default():
        st = tf.SparseTensor([[0, 1], [0, 3], [2, 0]], [1, 2, 3], [3, 5])
        dense = tf.sparse_tensor_to_dense(st, 9)
        assert dense.get_shape().as_list() == [3, 5]
        out = _run(dense)
    assert out.tolist() == [[9, 1, 9, 2, 9], [9] * 5, [3, 9, 9, 9, 9]]


def test_sparse_to_indicator_marks_each_id_along_a_new_last_dimension():
    ids = [0, 10, 103, 112, 113, 121]
    indices = [[0, 0, 0], [0, 1, 0], [1, 0, 3], [1, 1, 2], [1, 1, 3], [1, 2, 1]]
    with tf.Graph().as_default():
        st = tf.SparseTensor(indices, tf.constant(ids, tf.int64), [2, 3, 4])
        indicator = tf.sparse_to_indicator(st, 200)
        assert indicator.dtype == tf.bool and indicator.get_shape().as_list() == [2, 3, 200]
        out = _run(indicator)
    assert np.argwhere(out).tolist() == [[0, 0, 0], [0, 1, 10], [1, 0, 103], [1, 1, 112],
                                         [1, 1, 113], [1, 2, 121]]


def test_sparse_to_indicator_rejects_an_id_outside_the_vocabulary():
    with tf.Graph().as_default():
        st = tf.SparseTensor([[0, 0]], tf.constant([5], tf.int32), [1, 1])
        with pytest.raises(tf.errors.InvalidArgumentError, match="outside"):
            _run(tf.sparse_to_indicator(st, 5))


def test_sparse_concat_shifts_along_the_concat_dimension_and_keeps_row_major_order():
    with tf.Graph().as_default():
        a = tf.SparseTensor([[0, 2], [1, 0], [1, 1]], ["a", "b", "c"], [2, 3])
        b = tf.SparseTensor([[0, 1], [0, 2]], ["d", "e"], [2, 4])
        joined = tf.sparse_concat(1, [a, b])
        assert joined.indices.get_shape().as_list() == [5, 2]
        out = _run(joined)
    assert _entries(out) == [((0, 2), b"a"), ((0, 4), b"d"), ((0, 5), b"e"), ((1, 0), b"b"),
                             ((1, 1), b"c")]
    assert out.shape.tolist() == [2, 7]


def test_sparse_concat_along_rows_and_its_argument_checks():
    with tf.Graph().as_default():
        a = tf.SparseTensor([[0, 0]], [1.0], [1, 2])
        b = tf.SparseTensor([[0, 1]], [2.0], [1, 2])
        out = _run(tf.sparse_concat(0, [a, b]))
        assert tf.sparse_concat(0, [a]) is a
        with pytest.raises(TypeError, match="list"):
            tf.sparse_concat(0, (a, b))
        with pytest.raises(TypeError, match="SparseTensors"):
            tf.sparse_concat(0, [a, a.values])
        wide = tf.SparseTensor([[0, 1]], [2.0], [1, 3])
        with pytest.raises(tf.errors.InvalidArgumentError, match="must match"):
            _run(tf.sparse_concat(0, [a, wide]))
    assert _entries(out) == [((0, 0), 1.0), ((1, 1), 2.0)] and out.shape.tolist() == [2, 2]


def test_sparse_reorder_sorts_entries_row_major():
    with tf.Graph().as_default():
        st = tf.SparseTensor([[0, 3], [0, 1], [3, 1], [2, 0]], ["b", "a", "d", "c"], [4, 5])
        out = _run(tf.sparse_reorder(st))
    assert _entries(out) == [((0, 1), b"a"), ((0, 3), b"b"), ((2, 0), b"c"), ((3, 1), b"d")]
    assert out.shape.tolist() == [4, 5]


def test_sparse_retain_keeps_the_flagged_entries():
    with tf.Graph().as_default():
        st = tf.SparseTensor([[0, 1], [0, 3], [2, 0], [3, 1]], [1.0, 2.0, 3.0, 4.0], [4, 5])
        out = _run(tf.sparse_retain(st, [True, False, False, True]))
        with pytest.raises(ValueError):
            tf.sparse_retain(st, [True, False])
    assert _entries(out) == [((0, 1), 1.0), ((3, 1), 4.0)] and out.shape.tolist() == [4, 5]


def test_sparse_fill_empty_rows_adds_the_default_at_column_zero():
    with tf.Graph().as_default():
        st = tf.SparseTensor([[0, 1], [0, 3], [2, 0], [3, 1]], ["a", "b", "c", "d"], [5, 6])
        filled, empty = tf.sparse_fill_empty_rows(st, "x")
        assert empty.get_shape().as_list() == [5]
        out, indicator = _run([filled, empty])
    assert _entries(out) == [((0, 1), b"a"), ((0, 3), b"b"), ((1, 0), b"x"), ((2, 0), b"c"),
                             ((3, 1), b"d"), ((4, 0), b"x")]
    assert out.shape.tolist() == [5, 6]
    assert indicator.tolist() == [False, True, False, False, True]


def test_sparse_ops_check_their_input_is_a_sparse_tensor():
    with tf.Graph().as_default():
        dense = tf.constant([[1.0]])
        for fn in (tf.sparse_reorder, lambda x: tf.sparse_tensor_to_dense(x, 0.0),
                   lambda x: tf.sparse_retain(x, [True]),
                   lambda x: tf.sparse_fill_empty_rows(x, 0.0),
                   lambda x: tf.sparse_to_indicator(x, 3)):
            with pytest.raises(TypeError, match="SparseTensor"):
                fn(dense)


def test_sparse_op_outputs_have_no_gradient():
    with tf.Graph().as_default():
        values = tf.placeholder(tf.float32, [None])
        st = tf.SparseTensor(tf.placeholder(tf.int64, [None, 2]), values, [3, 3])
        reordered = tf.sparse_reorder(st)
        assert tf.gradients(tf.reduce_sum(reordered.values), [values]) == [None]


# -- embedding_lookup_sparse -------------------------------------------------------------------
IDS = [[0, 0], [0, 1], [1, 0], [2, 3]], [1, 3, 0, 1]
WEIGHTS = [2.0, 0.5, 1.0, 3.0]


def _torch_combined(params, weights, combiner):
    rows = [[(1, WEIGHTS[0]), (3, WEIGHTS[1])], [(0, WEIGHTS[2])], [(1, WEIGHTS[3])]]
    if weights is None:
        rows = [[(i, 1.0) for i, _ in row] for row in rows]
    out = []
    for row in rows:
        total = sum(params[i] * w for i, w in row)
        norm = {"sum": 1.0, "mean": sum(w for _, w in row),
                "sqrtn": sum(w * w for _, w in row) ** 0.5}[combiner]
        out.append(total / norm)
    return torch.stack(out)


@pytest.mark.parametrize("combiner", ["mean", "sum", "sqrtn"])
@pytest.mark.parametrize("weighted", [True, False])
def test_embedding_lookup_sparse_matches_torch_values_and_gradients(combiner, weighted):
    rng = np.random.default_rng(0)
    table = rng.uniform(-1, 1, size=(5, 3)).astype(np.float32)
    grad_y = rng.uniform(-1, 1, size=(3, 3)).astype(np.float32)
    params_t = torch.tensor(table, requires_grad=True)
    expected = _torch_combined(params_t, WEIGHTS if weighted else None, combiner)
    (expected_grad,) = torch.autograd.grad(expected, params_t, torch.tensor(grad_y))
    with tf.Graph().as_default():
        params = tf.placeholder(tf.float32, [5, 3])
        sp_ids = tf.SparseTensor(IDS[0], tf.constant(IDS[1], tf.int64), [3, 4])
        sp_weights = tf.SparseTensor(IDS[0], WEIGHTS, [3, 4]) if weighted else None
        out = tf.nn.embedding_lookup_sparse(params, sp_ids, sp_weights, combiner=combiner)
        (grad,) = tf.gradients(out, [params], grad_ys=[grad_y])
        got, got_grad = _run([out, tf.convert_to_tensor(grad)], {params: table})
    np.testing.assert_allclose(got, expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_grad, expected_grad.numpy(), rtol=1e-5, atol=1e-6)


def test_embedding_lookup_sparse_over_mod_sharded_params():
    table = np.arange(20, dtype=np.float32).reshape(5, 4)
    with tf.Graph().as_default():
        shards = [tf.constant(table[0::2]), tf.constant(table[1::2])]
        sp_ids = tf.SparseTensor(IDS[0], tf.constant(IDS[1], tf.int64), [3, 4])
        out = _run(tf.nn.embedding_lookup_sparse(shards, sp_ids, None, combiner="sum"))
    np.testing.assert_allclose(out, [table[1] + table[3], table[0], table[1]])


def test_embedding_lookup_sparse_argument_checks():
    with tf.Graph().as_default():
        params = tf.constant(np.zeros((2, 2), np.float32))
        sp_ids = tf.SparseTensor([[0, 0]], tf.constant([1], tf.int64), [1, 1])
        with pytest.raises(ValueError, match="combiner"):
            tf.nn.embedding_lookup_sparse(params, sp_ids, None, combiner="max")
        with pytest.raises(TypeError, match="sp_ids"):
            tf.nn.embedding_lookup_sparse(params, sp_ids.values, None)
        with pytest.raises(TypeError, match="sp_weights"):
            tf.nn.embedding_lookup_sparse(params, sp_ids, sp_ids.values)
