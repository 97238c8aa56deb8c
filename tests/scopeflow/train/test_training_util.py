"""tf.train.global_step and tf.train.write_graph."""

from __future__ import annotations

import scopeflow as tf
from board.proto import graph_pb2
from google.protobuf import text_format


def test_global_step_reads_the_variable():
    with tf.Graph().as_default():
        step = tf.Variable(41, name="global_step", trainable=False)
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            sess.run(step.assign_add(1))
            assert tf.train.global_step(sess, step) == 42


def test_write_graph_text_and_binary(tmp_path):
    with tf.Graph().as_default() as graph, tf.name_scope("layer"):
        tf.constant(1.0, name="c")
    text_path = tf.train.write_graph(graph.as_graph_def(), str(tmp_path), "g.pbtxt")
    parsed = text_format.Parse(open(text_path).read(), graph_pb2.GraphDef())  # noqa: SIM115
    assert [n.name for n in parsed.node] == ["layer/c"]
    binary_path = tf.train.write_graph(graph.as_graph_def(), str(tmp_path), "g.pb", as_text=False)
    with open(binary_path, "rb") as f:
        assert graph_pb2.GraphDef.FromString(f.read()) == parsed


def test_exponential_decay_continuous_and_staircase():
    with tf.Graph().as_default():
        step = tf.Variable(0, name="global_step", trainable=False)
        smooth = tf.train.exponential_decay(0.1, step, 100, 0.5)
        stairs = tf.train.exponential_decay(0.1, step, 100, 0.5, staircase=True)
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            sess.run(step.assign(150))
            got_smooth, got_stairs = sess.run([smooth, stairs])
    assert abs(got_smooth - 0.1 * 0.5**1.5) < 1e-7
    assert abs(got_stairs - 0.05) < 1e-7


def test_decayed_rate_drives_an_optimizer():
    with tf.Graph().as_default():
        step = tf.Variable(0, name="global_step", trainable=False)
        w = tf.Variable(0.0, name="w")
        lr = tf.train.exponential_decay(1.0, step, 1, 0.5, staircase=True)
        train_op = tf.train.GradientDescentOptimizer(lr).minimize(-w, global_step=step)
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            for _ in range(3):
                sess.run(train_op)
            assert sess.run(w) == 1.0 + 0.5 + 0.25


def test_summary_iterator_reads_back_events(tmp_path):
    with tf.train.SummaryWriter(str(tmp_path)) as writer:
        writer.add_summary(_scalar("x", 1.0), 3)
        path = writer.path
    events = list(tf.train.summary_iterator(path))
    assert events[0].file_version == "brain.Event:2" and events[1].step == 3


def _scalar(tag, value):
    from board.proto import summary_pb2

    return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])
