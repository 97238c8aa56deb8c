"""The rules of TensorFlow's Sharing Variables guide, one test each."""

import numpy as np
import pytest
import scopeflow as tf


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_get_variable_names_the_variable_by_scope():
    with tf.variable_scope("foo"), tf.variable_scope("bar"):
        v = tf.get_variable("v", [1])
    assert v.name == "foo/bar/v:0"


def test_reuse_true_returns_the_same_variable():
    with tf.variable_scope("foo"):
        v = tf.get_variable("v", [1])
    with tf.variable_scope("foo", reuse=True):
        v1 = tf.get_variable("v", [1])
    assert v1 is v


def test_existing_variable_without_reuse_raises():
    with tf.variable_scope("foo"):
        tf.get_variable("v", [1])
        with pytest.raises(ValueError, match="v already exists"):
            tf.get_variable("v", [1])


def test_reuse_true_missing_variable_raises():
    with tf.variable_scope("foo", reuse=True), pytest.raises(ValueError,
                                                              match="v does not exist"):
        tf.get_variable("v", [1])


def test_reuse_variables_switches_reuse_on_for_the_rest_of_the_scope():
    with tf.variable_scope("foo") as scope:
        v = tf.get_variable("v", [1])
        scope.reuse_variables()
        v1 = tf.get_variable("v", [1])
    assert v1 is v


def test_captured_scope_object_jumps_to_its_name():
    with tf.variable_scope("foo") as foo_scope:
        v = tf.get_variable("v", [1])
        assert foo_scope.name == "foo"
    with tf.variable_scope("bar"), tf.variable_scope("baz") as other_scope:
        assert other_scope.name == "bar/baz"
        with tf.variable_scope(foo_scope) as foo_scope2:
            assert foo_scope2.name == "foo"
            w = tf.get_variable("w", [1])
    with tf.variable_scope(foo_scope, reuse=True):
        v1 = tf.get_variable("v", [1])
    assert v1 is v and w.name == "foo/w:0"


def test_reuse_is_inherited_and_cannot_be_switched_off_inside():
    with tf.variable_scope("root"):
        assert tf.get_variable_scope().reuse is False
        with tf.variable_scope("foo", reuse=True):
            assert tf.get_variable_scope().reuse is True
            with tf.variable_scope("bar"):
                assert tf.get_variable_scope().reuse is True
            with tf.variable_scope("baz", reuse=False):
                assert tf.get_variable_scope().reuse is True
        assert tf.get_variable_scope().reuse is False


def test_initializers_are_inherited_and_overridden():
    with tf.variable_scope("foo", initializer=tf.constant_initializer(0.4)):
        v = tf.get_variable("v", [1])
        w = tf.get_variable("w", [1], initializer=tf.constant_initializer(0.3))
        with tf.variable_scope("bar"):
            v_bar = tf.get_variable("v", [1])
        with tf.variable_scope("baz", initializer=tf.constant_initializer(0.2)):
            v_baz = tf.get_variable("v", [1])
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        got = sess.run([v, w, v_bar, v_baz])
    np.testing.assert_allclose(np.concatenate(got), [0.4, 0.3, 0.4, 0.2], rtol=1e-6)


def test_op_names_under_variable_and_name_scopes():
    with tf.variable_scope("foo"):
        x = 1.0 + tf.get_variable("v", [1])
    assert x.op.name == "foo/add"
    with tf.variable_scope("hoo"), tf.name_scope("bar"):
        v = tf.get_variable("v", [1])
        y = 1.0 + v
    assert v.name == "hoo/v:0"
    assert y.op.name == "hoo/bar/add"


def test_captured_scope_does_not_change_the_name_scope_of_ops():
    with tf.variable_scope("foo") as foo_scope:
        pass
    with tf.variable_scope("other"), tf.variable_scope(foo_scope):
        v = tf.get_variable("v", [1])
        y = v + 1.0
    assert v.name == "foo/v:0"
    assert y.op.name == "other/add"


def test_reopening_a_scope_uniquifies_the_op_name_scope_but_not_variables():
    with tf.variable_scope("foo"):
        a = tf.constant(1.0, name="c")
    with tf.variable_scope("foo"):
        b = tf.constant(1.0, name="c")
        v = tf.get_variable("v", [1])
    assert (a.op.name, b.op.name) == ("foo/c", "foo_1/c")
    assert v.name == "foo/v:0"


def test_shared_variable_must_match_shape_and_dtype():
    with tf.variable_scope("s"):
        tf.get_variable("v", [2])
    with tf.variable_scope("s", reuse=True):
        with pytest.raises(ValueError, match="specified shape \\(3,\\) and found shape \\(2,\\)"):
            tf.get_variable("v", [3])
        with pytest.raises(ValueError, match="specified dtype int32"):
            tf.get_variable("v", [2], dtype=tf.int32)


def test_new_variable_needs_a_fully_defined_shape():
    with pytest.raises(ValueError, match="must be fully defined"):
        tf.get_variable("v", [None, 2])


def test_default_initializer_is_uniform_unit_scaling():
    v = tf.get_variable("w", [300, 10])
    with tf.Session() as sess:
        sess.run(v.initializer)
        value = sess.run(v)
    limit = np.sqrt(3.0 / 300)
    assert np.abs(value).max() <= limit and np.abs(value).max() > 0.8 * limit


def test_get_variable_options_trainable_collections_dtype():
    v = tf.get_variable("counter", [], dtype=tf.int32, initializer=tf.zeros_initializer,
                        trainable=False, collections=["counters"])
    assert v.dtype == tf.int32_ref
    assert tf.get_collection("counters") == [v]
    assert v not in tf.trainable_variables()


@pytest.mark.parametrize("initializer, check", [
    (tf.constant_initializer(2.5), lambda x: np.all(x == 2.5)),
    (tf.zeros_initializer, lambda x: np.all(x == 0)),
    (tf.ones_initializer, lambda x: np.all(x == 1)),
    (tf.random_uniform_initializer(-1.0, 1.0), lambda x: x.min() >= -1 and x.max() < 1),
    (tf.random_normal_initializer(5.0, 0.1), lambda x: abs(x.mean() - 5.0) < 0.05),
    (tf.truncated_normal_initializer(0.0, 1.0), lambda x: np.abs(x).max() <= 2.0),
    (tf.uniform_unit_scaling_initializer(2.0), lambda x: np.abs(x).max() <= 2 * np.sqrt(0.3)),
])
def test_initializers(initializer, check):
    v = tf.get_variable("v", [10, 100], initializer=initializer)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert check(sess.run(v))


def test_variable_op_scope_uses_a_unique_default_name():
    with tf.variable_op_scope([], None, "layer"):
        a = tf.get_variable("w", [1])
    with tf.variable_op_scope([], None, "layer"):
        b = tf.get_variable("w", [1])
    with tf.variable_op_scope([], "named", "layer"):
        c = tf.get_variable("w", [1])
    assert (a.name, b.name, c.name) == ("layer/w:0", "layer_1/w:0", "named/w:0")


def test_variable_scope_rejects_other_types():
    with pytest.raises(TypeError, match="must be a string or VariableScope"), \
            tf.variable_scope(3):
        pass
