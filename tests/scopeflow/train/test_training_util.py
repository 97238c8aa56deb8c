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
