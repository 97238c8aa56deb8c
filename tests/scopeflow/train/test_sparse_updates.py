"""Optimizers given IndexedSlices gradients (embedding_lookup): sparse ops, dense results."""

import numpy as np
import pytest
import scopeflow as tf

TABLE = np.random.RandomState(0).randn(10, 3).astype(np.float32)
WEIGHTS = np.arange(1, 4, dtype=np.float32)
# Duplicate ids inside a batch, and rows that some batches skip.
BATCHES = [np.array([1, 4, 4, 9]), np.array([0, 4, 2, 2]), np.array([7, 1, 1, 1])]

OPTIMIZERS = {
    "GradientDescent": lambda: tf.train.GradientDescentOptimizer(0.1),
    "Momentum": lambda: tf.train.MomentumOptimizer(0.1, 0.9),
    "Adagrad": lambda: tf.train.AdagradOptimizer(0.1),
    "Adam": lambda: tf.train.AdamOptimizer(0.1),
    "RMSProp": lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5),
}


def _train(make_optimizer, batches, *, densify, with_dense_var=False):
    """The embedding table and its slots after one step per batch; and the graph's op types."""
    with tf.Graph().as_default() as graph, tf.Session() as sess:
        table = tf.Variable(TABLE, name="table")
        ids = tf.placeholder(tf.int32, [None])
        rows = tf.nn.embedding_lookup(table, ids)
        var_list = [table]
        if with_dense_var:
            scale = tf.Variable(np.float32(0.5), name="scale")
            rows = rows * scale
            var_list.append(scale)
        loss = tf.reduce_sum(tf.square(rows) * WEIGHTS)
        optimizer = make_optimizer()
        grads_and_vars = optimizer.compute_gradients(loss, var_list)
        assert isinstance(grads_and_vars[0][0], tf.IndexedSlices)
        if densify:
            grads_and_vars = [(tf.convert_to_tensor(g), v) for g, v in grads_and_vars]
        train = optimizer.apply_gradients(grads_and_vars)
        slots = [optimizer.get_slot(table, n) for n in optimizer.get_slot_names()]
        sess.run(tf.initialize_all_variables())
        for batch in batches:
            sess.run(train, {ids: batch})
        values = sess.run([table.value()] + [s.value() for s in slots])
    return values, {op.type for op in graph.get_operations()}, train


@pytest.mark.parametrize("name", ["GradientDescent", "Adagrad", "Adam", "RMSProp"])
def test_sparse_update_equals_dense_update_with_duplicate_ids(name):
    sparse, _, _ = _train(OPTIMIZERS[name], BATCHES, densify=False)
    dense, _, _ = _train(OPTIMIZERS[name], BATCHES, densify=True)
    for got, expected in zip(sparse, dense, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_momentum_sparse_update_equals_dense_when_batches_touch_the_same_rows():
    batches = [np.array([3, 5, 5]), np.array([5, 3, 3]), np.array([5, 5, 3])]
    sparse, _, _ = _train(OPTIMIZERS["Momentum"], batches, densify=False)
    dense, _, _ = _train(OPTIMIZERS["Momentum"], batches, densify=True)
    for got, expected in zip(sparse, dense, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_momentum_sparse_update_leaves_skipped_rows_alone():
    # TensorFlow's SparseApplyMomentum: rows absent from a batch neither decay nor move.
    (table, accum), _, _ = _train(OPTIMIZERS["Momentum"], BATCHES, densify=False)
    var, mom = TABLE.copy(), np.zeros_like(TABLE)
    for batch in BATCHES:
        grad = np.zeros_like(TABLE)
        np.add.at(grad, batch, 2 * var[batch] * WEIGHTS)
        for row in np.unique(batch):
            mom[row] = 0.9 * mom[row] + grad[row]
            var[row] -= 0.1 * mom[row]
    np.testing.assert_allclose(accum, mom, rtol=1e-5)
    np.testing.assert_allclose(table, var, rtol=1e-5)


@pytest.mark.parametrize("name, sparse_op, dense_op", [
    ("GradientDescent", "ScatterSub", "FusedApplyGradientDescent"),
    ("Momentum", "SparseApplyMomentum", "FusedApplyMomentum"),
    ("Adagrad", "SparseApplyAdagrad", "FusedApplyAdagrad"),
])
def test_graph_shows_the_sparse_apply_op_under_update_var(name, sparse_op, dense_op):
    _, types, train = _train(OPTIMIZERS[name], BATCHES[:1], densify=False)
    assert sparse_op in types and dense_op not in types
    assert train.name == name
    nodes = {n.name: n.op for n in train.graph.as_graph_def().node}
    assert any(op == sparse_op and node.startswith(f"{name}/update_table/")
               for node, op in nodes.items())
    assert "UnsortedSegmentSum" not in nodes.values()


def test_sparse_and_dense_variables_update_together():
    for name in ("Momentum", "Adagrad"):
        sparse, types, _ = _train(OPTIMIZERS[name], BATCHES, densify=False,
                                  with_dense_var=True)
        assert {f"SparseApply{name}", f"FusedApply{name}"} <= types
        dense, _, _ = _train(OPTIMIZERS[name], [BATCHES[0]] * 3, densify=True,
                             with_dense_var=True)
        sparse, _, _ = _train(OPTIMIZERS[name], [BATCHES[0]] * 3, densify=False,
                              with_dense_var=True)
        for got, expected in zip(sparse, dense, strict=True):
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_minimize_with_global_step_counts_sparse_steps():
    with tf.Graph().as_default(), tf.Session() as sess:
        table = tf.Variable(TABLE)
        step = tf.Variable(0, trainable=False)
        loss = tf.reduce_sum(tf.nn.embedding_lookup(table, [2, 2]))
        train = tf.train.AdagradOptimizer(0.5).minimize(loss, global_step=step)
        sess.run(tf.initialize_all_variables())
        sess.run(train)
        sess.run(train)
        assert sess.run(step) == 2
        got = sess.run(table)
    np.testing.assert_array_equal(got[[0, 1, 3]], TABLE[[0, 1, 3]])
    assert not np.allclose(got[2], TABLE[2])


def test_sparse_apply_with_an_out_of_range_index_is_invalid_argument():
    from scopeflow.ops import training_ops

    with tf.Graph().as_default(), tf.Session() as sess:
        var = tf.Variable(TABLE)
        accum = tf.Variable(np.zeros_like(TABLE))
        update = training_ops.sparse_apply_momentum(
            var, accum, 0.1, tf.ones([1, 3]), tf.constant([10]), 0.9, name="apply")
        sess.run(tf.initialize_all_variables())
        with pytest.raises(tf.errors.InvalidArgumentError, match="out of range") as e:
            sess.run(update)
    assert e.value.op.name == "apply"


@pytest.mark.parametrize("name", ["GradientDescent", "Momentum", "Adagrad"])
def test_float64_embedding_updates_sparsely(name):
    with tf.Graph().as_default(), tf.Session() as sess:
        table = tf.Variable(np.ones((5, 2)))
        loss = tf.reduce_sum(tf.nn.embedding_lookup(table, [1, 1, 3]))
        train = OPTIMIZERS[name]().minimize(loss)
        sess.run(tf.initialize_all_variables())
        sess.run(train)
        got = sess.run(table)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got[[0, 2, 4]], 1.0)
    assert got[1, 0] < got[3, 0] < 1.0
