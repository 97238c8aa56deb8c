import numpy as np
import pytest
import scopeflow as tf


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_variable_is_three_ops_named_under_its_scope():
    v = tf.Variable(tf.zeros([2, 3]), name="weights")
    assert v.name == "weights:0"
    assert v.op.name == "weights" and v.op.type == "Variable"
    assert v.initializer.name == "weights/Assign"
    assert v.value().op.name == "weights/read"
    assert v.dtype == tf.float32_ref and v.get_shape().as_list() == [2, 3]
    assert v.dtype.base_dtype == v.value().dtype == tf.convert_to_tensor(v).dtype == tf.float32
    w = tf.Variable(1.0)
    w2 = tf.Variable(1.0)
    assert (w.op.name, w2.op.name) == ("Variable", "Variable_1")
    assert w.initial_value.op.name == "Variable/initial_value"


def test_collections_trainable_and_empty():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(1.0, name="b", trainable=False)
    c = tf.Variable(1.0, name="c", collections=[])
    d = tf.Variable(1.0, name="d", collections=["mine"], trainable=False)
    assert tf.all_variables() == [a, b]
    # as in TensorFlow, trainable=True adds the trainable collection even to collections=[]
    assert tf.trainable_variables() == [a, c]
    assert tf.get_collection("mine") == [d]


def test_uninitialized_variable_raises_failed_precondition_naming_it():
    v = tf.Variable([1.0], name="my_var")
    y = v * 2.0
    with tf.Session() as sess, pytest.raises(tf.errors.FailedPreconditionError,
                       match="Attempting to use uninitialized value my_var") as info:
        sess.run(y)
    assert info.value.op.name == "my_var"


def test_initialize_all_variables_and_subsets():
    a = tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    init_all = tf.initialize_all_variables()
    assert init_all.name == "init"
    with tf.Session() as sess:
        sess.run(tf.initialize_variables([a]))
        assert sess.run(a) == 1.0
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(b)
        sess.run(init_all)
        assert sess.run(b) == 2.0
        assert sess.run(tf.initialize_variables([])) is None


def test_report_uninitialized_variables_lists_names():
    tf.Variable(1.0, name="a")
    b = tf.Variable(2.0, name="b")
    report = tf.report_uninitialized_variables()
    with tf.Session() as sess:
        assert sess.run(report).tolist() == [b"a", b"b"]
        sess.run(b.initializer)
        assert sess.run(report).tolist() == [b"a"]
        sess.run(tf.initialize_all_variables())
        assert sess.run(report).tolist() == []
        assert sess.run(tf.is_variable_initialized(b))


def test_initialized_value_initializes_dependent_variables_in_one_run():
    w = tf.Variable(tf.constant([1.0, 2.0]), name="w")
    w2 = tf.Variable(w.initialized_value() * 2.0, name="w2")
    with tf.Session() as sess:
        sess.run(w2.initializer)
        np.testing.assert_array_equal(sess.run(w2), [2.0, 4.0])


def test_variables_convert_to_tensors_and_overload_operators():
    v = tf.Variable(3.0)
    y = v * 2.0 + 1.0
    z = tf.add(v, 1.0)
    r = 10.0 - v
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([y, z, r]) == [7.0, 4.0, 7.0]
        assert sess.run(v) == 3.0 and v.eval() == 3.0


def test_assign_methods():
    v = tf.Variable(1.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v.assign(4.0)) == 4.0
        assert sess.run(v.assign_add(1.0)) == 5.0
        assert sess.run(v.assign_sub(2.0)) == 3.0


def test_callable_initial_value_and_explicit_dtype():
    v = tf.Variable(lambda: tf.ones([2]), name="lazy")
    w = tf.Variable([1, 2], dtype=tf.int64)
    assert w.dtype == tf.int64_ref
    assert any(op.name.startswith("lazy/Initializer/") for op in
               tf.get_default_graph().get_operations())
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        assert sess.run(v).tolist() == [1.0, 1.0]


def test_initial_value_needs_a_known_shape_unless_validate_shape_is_off():
    x = tf.placeholder(tf.float32)
    with pytest.raises(ValueError, match="must have a shape specified"):
        tf.Variable(x)
    v = tf.Variable(x, validate_shape=False)
    assert v.get_shape().ndims is None
    with tf.Session() as sess:
        sess.run(v.initializer, {x: [1.0, 2.0]})
        assert sess.run(v).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="initial_value must be specified"):
        tf.Variable()


def test_preloaded_data_recipe_variable_outside_every_collection():
    data = np.arange(6, dtype=np.float32).reshape(3, 2)
    initializer = tf.placeholder(tf.float32, data.shape)
    input_data = tf.Variable(initializer, trainable=False, collections=[])
    assert tf.all_variables() == []
    with tf.Session() as sess:
        sess.run(input_data.initializer, feed_dict={initializer: data})
        np.testing.assert_array_equal(sess.run(input_data), data)
