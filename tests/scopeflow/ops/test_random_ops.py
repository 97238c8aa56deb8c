import numpy as np
import pytest
import scopeflow as tf


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def _two_sessions(fetches, runs=2):
    out = []
    for _ in range(2):
        with tf.Session() as sess:
            out.append([sess.run(fetches) for _ in range(runs)])
    return out


def test_shapes_and_dtypes():
    n = tf.random_normal([2, 3], dtype=tf.float64)
    u = tf.random_uniform([4], dtype=tf.float32)
    t = tf.truncated_normal([5, 1])
    i = tf.random_uniform([6], 0, 10, dtype=tf.int32)
    assert n.get_shape().as_list() == [2, 3] and n.dtype == tf.float64
    assert t.get_shape().as_list() == [5, 1]
    with tf.Session() as sess:
        values = sess.run([n, u, t, i])
    assert values[0].dtype == np.float64 and values[0].shape == (2, 3)
    assert values[3].dtype == np.int32 and values[3].min() >= 0 and values[3].max() < 10


def test_graph_seed_repeats_values_in_every_new_session():
    tf.set_random_seed(1234)
    a = tf.random_uniform([3])
    b = tf.random_normal([3])
    (s1, s2) = _two_sessions([a, b])
    for run1, run2 in zip(s1, s2):
        np.testing.assert_array_equal(run1[0], run2[0])
        np.testing.assert_array_equal(run1[1], run2[1])
    # within a session each run draws new values, and the two ops differ
    assert not np.array_equal(s1[0][0], s1[1][0])
    assert not np.array_equal(s1[0][0], s1[0][1])


def test_op_seed_alone_repeats_values():
    a = tf.random_normal([4], seed=7)
    (s1, s2) = _two_sessions(a)
    np.testing.assert_array_equal(s1, s2)


def test_same_seeds_in_two_graphs_give_the_same_values():
    values = []
    for _ in range(2):
        with tf.Graph().as_default():
            tf.set_random_seed(5)
            a = tf.random_uniform([3])
            with tf.Session() as sess:
                values.append(sess.run(a))
    np.testing.assert_array_equal(values[0], values[1])


def test_no_seed_differs_between_sessions():
    a = tf.random_uniform([8])
    (s1, s2) = _two_sessions(a, runs=1)
    assert not np.array_equal(s1[0], s2[0])


def test_distributions_have_the_requested_moments_and_ranges():
    tf.set_random_seed(0)
    n = tf.random_normal([20000], mean=3.0, stddev=2.0)
    t = tf.truncated_normal([20000], mean=-1.0, stddev=0.5)
    u = tf.random_uniform([20000], minval=-2.0, maxval=6.0)
    with tf.Session() as sess:
        nv, tv, uv = sess.run([n, t, u])
    assert abs(nv.mean() - 3.0) < 0.1 and abs(nv.std() - 2.0) < 0.1
    assert tv.min() >= -2.0 and tv.max() <= 0.0  # within two stddevs of the mean
    assert uv.min() >= -2.0 and uv.max() < 6.0 and abs(uv.mean() - 2.0) < 0.1


def test_random_shuffle_permutes_the_first_dimension():
    value = np.arange(20).reshape(10, 2)
    shuffled = tf.random_shuffle(tf.constant(value), seed=3)
    with tf.Session() as sess:
        out = sess.run(shuffled)
    assert sorted(out[:, 0].tolist()) == list(range(0, 20, 2))
    np.testing.assert_array_equal(out[:, 1], out[:, 0] + 1)
    assert not np.array_equal(out, value)


def test_shape_from_a_tensor_is_known_only_at_run_time():
    dims = tf.placeholder(tf.int32, [2])
    r = tf.random_uniform(dims)
    assert r.get_shape().as_list() == [None, None]
    with tf.Session() as sess:
        assert sess.run(r, {dims: [3, 2]}).shape == (3, 2)


def test_non_float_dtypes_are_rejected_for_normal():
    with pytest.raises(ValueError, match="floating point"):
        tf.random_normal([2], dtype=tf.int32)


def test_random_ops_record_their_seed_attrs():
    tf.set_random_seed(11)
    r = tf.random_normal([2], seed=4)
    rnd = next(op for op in tf.get_default_graph().get_operations()
           if op.type == "RandomStandardNormal")
    assert (rnd.get_attr("seed"), rnd.get_attr("seed2")) == (11, 4)
    assert r.op.name == "random_normal"
