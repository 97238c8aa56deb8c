import numpy as np
import pytest
import scopeflow as tf


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_identity_passes_values_and_names_ops():
    x = tf.constant([1, 2])
    y = tf.identity(x, name="same")
    assert y.op.name == "same" and y.op.type == "Identity"
    with tf.Session() as sess:
        assert sess.run(y).tolist() == [1, 2]


def test_group_runs_every_input_and_returns_an_op():
    a, b = tf.Variable(0), tf.Variable(0)
    both = tf.group(a.assign_add(1), b.assign_add(2), name="both")
    assert both.name == "both" and both.type == "NoOp"
    with tf.Session() as sess:
        sess.run([a.initializer, b.initializer])
        assert sess.run(both) is None
        assert sess.run([a, b]) == [1, 2]


def test_group_with_ops_on_several_devices_gathers_per_device_first():
    with tf.device("/cpu:0"):
        a = tf.no_op(name="a")
    with tf.device("/gpu:0"):
        b = tf.no_op(name="b")
    g = tf.group(a, b, name="g")
    assert g.name == "g"
    assert len(g.control_inputs) == 2
    assert all(op.type == "NoOp" and op is not a and op is not b for op in g.control_inputs)


def test_group_rejects_unknown_keywords():
    with pytest.raises(TypeError, match="Unknown keyword arguments: bogus"):
        tf.group(tf.no_op(), bogus=1)


def test_no_op_fetches_as_none():
    with tf.Session() as sess:
        assert sess.run(tf.no_op()) is None


def test_with_dependencies_runs_the_dependencies_first():
    v = tf.Variable(1.0)
    bump = v.assign(5.0)
    from scopeflow.ops.control_flow_ops import with_dependencies

    out = with_dependencies([bump], tf.constant(3.0))
    assert out.op.control_inputs == [bump.op]
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(out) == 3.0
        assert sess.run(v) == 5.0


def test_tuple_gates_every_tensor_on_all_of_them():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    ta, tb = tf.tuple([a, b])
    assert ta.op.type == "Identity" and tb.op.type == "Identity"
    assert ta.op.control_inputs[0] is tb.op.control_inputs[0]
    with tf.Session() as sess:
        assert sess.run([ta, tb]) == [1.0, 2.0]


def test_print_writes_message_and_data_and_passes_input_through(capfd):
    x = tf.constant([1, 2, 3])
    data = tf.constant([10, 20, 30, 40, 50])
    out = tf.Print(x, [data, x], message="values: ", summarize=2)
    with tf.Session() as sess:
        assert sess.run(out).tolist() == [1, 2, 3]
    assert capfd.readouterr().err.strip() == "values: [10 20...][1 2...]"


def test_print_first_n_prints_only_that_many_times(capfd):
    x = tf.constant(1.0)
    out = tf.Print(x, [x], message="once", first_n=1)
    with tf.Session() as sess:
        for _ in range(3):
            sess.run(out)
    assert capfd.readouterr().err.count("once") == 1


def test_gradient_flows_through_identity_and_print():
    x = tf.constant(np.array([1.0, 2.0], np.float32))
    y = tf.Print(tf.identity(x) * 3.0, [x])
    (grad,) = tf.gradients(y, [x])
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(grad), [3.0, 3.0])
