"""tf.train.SummaryWriter: events TensorBoard reads back — summaries, graph, session logs."""

from __future__ import annotations

import os

import pytest
import scopeflow as tf
from board.events import read_events
from board.proto import event_pb2, graph_pb2, summary_pb2
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def _events(writer):
    writer.flush()
    return list(read_events(writer.path))


def test_event_file_name_and_version_record(tmp_path):
    with tf.train.SummaryWriter(str(tmp_path)) as writer:
        assert os.path.basename(writer.path).startswith("events.out.tfevents.")
        assert writer.get_logdir() == str(tmp_path)
        events = _events(writer)
    assert events[0].file_version == "brain.Event:2"


def test_summary_op_output_and_proto_both_accepted(tmp_path):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, shape=())
        summary_op = tf.scalar_summary("loss", x)
        writer = tf.train.SummaryWriter(str(tmp_path))
        with tf.Session() as sess:
            for step in (0, 100, 200):
                writer.add_summary(sess.run(summary_op, {x: 1.0 / (step + 1)}), step)
        proto = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="acc",
                                                                     simple_value=0.5)])
        writer.add_summary(proto, global_step=300)
        writer.close()
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert [(e.step, round(e.value, 4)) for e in acc.Scalars("loss")] == [
        (0, 1.0), (100, round(1 / 101, 4)), (200, round(1 / 201, 4))]
    assert [e.step for e in acc.Scalars("acc")] == [300]


def test_graph_with_name_scopes_and_devices(tmp_path):
    with tf.Graph().as_default() as graph:
        with tf.name_scope("hidden1"):
            w = tf.Variable(tf.zeros([3, 2]), name="weights")
            y = tf.matmul(tf.ones([1, 3]), w)
        with tf.device("/cpu:0"):
            tf.identity(y, name="out")
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            writer = tf.train.SummaryWriter(str(tmp_path), graph_def=sess.graph_def)
            writer.close()
    graph_events = [e for e in read_events(writer.path) if e.HasField("graph_def")]
    assert len(graph_events) == 1
    graph_def = graph_pb2.GraphDef.FromString(graph_events[0].graph_def)
    nodes = {n.name: n for n in graph_def.node}
    assert {"hidden1/weights", "hidden1/MatMul", "out"} <= set(nodes)
    assert all(n.device for n in graph_def.node), [n.name for n in graph_def.node if not n.device]
    assert nodes["out"].device.lower().endswith("cpu:0")
    assert nodes["hidden1/MatMul"].device.lower().endswith(("cpu:0", "gpu:0"))
    assert nodes["hidden1/MatMul"].input[1] == "hidden1/weights/read"
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert {n.name for n in acc.Graph().node} == set(nodes)
    assert len(graph.get_operations()) == len(nodes)


def test_add_graph_takes_a_graph(tmp_path):
    with tf.Graph().as_default() as graph:
        tf.constant(1.0, name="c")
    for writer in (tf.train.SummaryWriter(str(tmp_path), graph=graph),
                   tf.train.SummaryWriter(str(tmp_path), graph)):  # later TF's positional
        events = _events(writer)
        writer.close()
        graph_def = graph_pb2.GraphDef.FromString(events[1].graph_def)
        assert [n.name for n in graph_def.node] == ["c"] and graph_def.node[0].device


def test_session_log_and_raw_event(tmp_path):
    with tf.train.SummaryWriter(str(tmp_path)) as writer:
        writer.add_session_log(event_pb2.SessionLog(status=event_pb2.SessionLog.START), 5)
        writer.add_event(event_pb2.Event(step=7, file_version="custom"))
        events = _events(writer)
    assert events[1].session_log.status == event_pb2.SessionLog.START and events[1].step == 5
    assert events[2].step == 7 and events[2].wall_time > 0


def test_bad_summaries_are_rejected_and_closed_writer_refuses(tmp_path):
    writer = tf.train.SummaryWriter(str(tmp_path))
    with pytest.raises(ValueError, match="not a Summary"):
        writer.add_summary(b"\xff\xff\xff", 1)
    with pytest.raises(TypeError, match="Summary proto or its serialized bytes"):
        writer.add_summary(3.5, 1)
    writer.close()
    with pytest.raises(ValueError, match="closed"):
        writer.add_summary(summary_pb2.Summary(), 1)
