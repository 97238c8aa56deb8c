import numpy as np
import pytest
import scopeflow as tf
from board.proto import step_stats_pb2


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_full_trace_fills_step_stats_per_device_and_op():
    x = tf.placeholder(tf.float32, [2, 2], name="x")
    y = tf.matmul(x, x, name="mm")
    z = tf.identity(y, name="z")
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    metadata = tf.RunMetadata()
    assert isinstance(metadata, step_stats_pb2.RunMetadata)
    with tf.Session(config=tf.ConfigProto(device_count={"GPU": 0})) as sess:
        out = sess.run({"z": z}, {x: np.eye(2)}, options=options, run_metadata=metadata)
        np.testing.assert_array_equal(out["z"], np.eye(2))
    (device,) = metadata.step_stats.dev_stats
    assert device.device == "/job:localhost/replica:0/task:0/cpu:0"
    nodes = {n.node_name: n for n in device.node_stats}
    assert set(nodes) == {"mm", "z"}
    mm = nodes["mm"]
    assert mm.all_start_micros > 1_500_000_000_000_000  # wall-clock microseconds
    assert mm.all_end_rel_nanos >= 0 and mm.timeline_label == "mm = MatMul(x:0, x:0)"
    assert [d.size for d in mm.output[0].tensor_description.shape.dim] == [2, 2]


def test_runs_without_tracing_leave_metadata_empty():
    c = tf.constant(1.0) + 1.0
    metadata = tf.RunMetadata()
    with tf.Session() as sess:
        assert sess.run(c, run_metadata=metadata) == 2.0
        assert sess.run(c, options=tf.RunOptions(), run_metadata=metadata) == 2.0
    assert not metadata.step_stats.dev_stats


def test_traced_and_plain_plans_are_cached_apart():
    c = tf.constant(2.0) * 3.0
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    with tf.Session() as sess:
        first, second = tf.RunMetadata(), tf.RunMetadata()
        assert sess.run(c, options=options, run_metadata=first) == 6.0
        assert sess.run(c) == 6.0
        assert sess.run(c, options=options, run_metadata=second) == 6.0
    assert len(first.step_stats.dev_stats[0].node_stats) == 1
    assert len(second.step_stats.dev_stats[0].node_stats) == 1
