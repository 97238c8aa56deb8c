import numpy as np
import pytest
import scopeflow as tf


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_assign_sets_the_value_and_returns_it():
    v = tf.Variable([1.0, 2.0])
    assign = tf.assign(v, [5.0, 6.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(assign), [5.0, 6.0])
        np.testing.assert_array_equal(sess.run(v), [5.0, 6.0])


def test_assign_add_and_sub_accumulate():
    v = tf.Variable(10)
    add = tf.assign_add(v, 3)
    sub = tf.assign_sub(v, 5)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(add) == 13
        assert sess.run(sub) == 8
        assert sess.run(v) == 8


def test_assign_add_on_an_uninitialized_variable_fails_precondition():
    v = tf.Variable(1.0, name="counter")
    sess = tf.Session()
    with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value counter"):
        sess.run(v.assign_add(1.0))


def test_assign_checks_shapes_when_building_the_graph():
    v = tf.Variable([1.0, 2.0], name="v")
    with pytest.raises(ValueError, match="incompatible"):
        tf.assign(v, [1.0, 2.0, 3.0])


def test_assign_with_validate_shape_false_replaces_the_shape():
    v = tf.Variable([1.0, 2.0], validate_shape=False)
    grow = tf.assign(v, [1.0, 2.0, 3.0], validate_shape=False)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(grow).shape == (3,)
        assert sess.run(v).shape == (3,)


def test_assign_fed_value_of_the_wrong_shape_is_invalid_argument():
    v = tf.Variable([1.0, 2.0], name="v")
    x = tf.placeholder(tf.float32)
    assign = tf.assign(v, x)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="shapes of both tensors to match"):
        sess.run(assign, {x: [1.0, 2.0, 3.0]})


def test_assigned_value_does_not_alias_the_fed_array():
    v = tf.Variable(np.zeros(3, np.float32))
    x = tf.placeholder(tf.float32, [3])
    assign = tf.assign(v, x)
    fed = np.array([1.0, 2.0, 3.0], np.float32)
    with tf.Session() as sess:
        sess.run(assign, {x: fed})
        fed[:] = 0.0
        np.testing.assert_array_equal(sess.run(v), [1.0, 2.0, 3.0])


def test_count_up_to_returns_old_values_then_raises_out_of_range():
    v = tf.Variable(0, name="n")
    count = v.count_up_to(3)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert [sess.run(count) for _ in range(3)] == [0, 1, 2]
        with pytest.raises(tf.errors.OutOfRangeError, match="Reached limit of 3"):
            sess.run(count)
        assert sess.run(v) == 3


def test_count_up_to_needs_an_integer_variable():
    v = tf.Variable(0.0)
    with pytest.raises(TypeError, match="int32 or int64"):
        tf.count_up_to(v, 3)


def test_is_variable_initialized_reads_without_failing():
    v = tf.Variable(1.0)
    flag = tf.is_variable_initialized(v)
    with tf.Session() as sess:
        assert not sess.run(flag)
        sess.run(v.initializer)
        assert sess.run(flag)


def test_writing_to_a_non_variable_raises_type_error():
    c = tf.constant(1.0)
    with pytest.raises(TypeError, match="requires l-value input"):
        tf.assign(c, 2.0)


def test_assign_ops_appear_in_the_graph_def_with_ref_inputs():
    v = tf.Variable(1.0, name="v")
    tf.assign_add(v, 2.0, name="bump")
    nodes = {n.name: n for n in tf.get_default_graph().as_graph_def().node}
    assert nodes["bump"].op == "AssignAdd"
    assert next(iter(nodes["bump"].input)) == "v"
    assert nodes["v"].op == "Variable"
    assert nodes["v/Assign"].op == "Assign"
    assert nodes["v/read"].op == "Identity"


def test_scatter_ops_update_rows():
    v = tf.Variable(np.zeros((4, 2), np.float32))
    upd = tf.scatter_update(v, [1, 3], [[1.0, 1.0], [3.0, 3.0]])
    add = tf.scatter_add(v, [0, 0], [[1.0, 2.0], [1.0, 2.0]])
    sub = tf.scatter_sub(v, tf.constant([3], tf.int64), [[1.0, 0.5]])
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(upd)
        sess.run(add)
        np.testing.assert_array_equal(sess.run(sub), [[2, 4], [1, 1], [0, 0], [2, 2.5]])


def test_scatter_checks_shapes_and_index_range():
    v = tf.Variable(np.zeros((4, 2), np.float32), name="table")
    with pytest.raises(ValueError, match="incompatible"):
        tf.scatter_update(v, [1], [[1.0, 2.0, 3.0]])
    bad = tf.scatter_add(v, [4], [[1.0, 1.0]])
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
            sess.run(bad)


def test_scatter_updates_leave_earlier_fetched_values_alone():
    v = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2))
    sub = tf.scatter_sub(v, [2, 0, 2], np.ones((3, 2), np.float32))
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        before = sess.run(v)
        after = sess.run(sub)
        np.testing.assert_array_equal(before, np.arange(6).reshape(3, 2))
        np.testing.assert_array_equal(after, [[-1, 0], [2, 3], [2, 3]])
        np.testing.assert_array_equal(sess.run(v), after)
