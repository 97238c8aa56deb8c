"""Device placement on a machine without CUDA (the CUDA behaviour is in tests/scopeflow/cuda)."""

import numpy as np
import pytest
import scopeflow as tf
import torch

no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason="checks a machine without CUDA")


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


@no_cuda
def test_pinning_to_a_missing_gpu_raises_invalid_argument_naming_op_and_device():
    with tf.device("/gpu:0"):
        a = tf.constant([1.0, 2.0], name="a")
        b = tf.identity(a, name="b")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                       match="Cannot assign a device to node 'a'.*'/device:GPU:0'") as info:
        sess.run(b)
    assert info.value.op.name == "a"
    assert "/job:localhost/replica:0/task:0/cpu:0" in info.value.message


@no_cuda
def test_soft_placement_runs_gpu_pinned_ops_on_the_cpu():
    with tf.device("/gpu:1"):
        a = tf.constant([[1.0, 2.0]], name="a")
        c = tf.matmul(a, a, transpose_b=True, name="c")
    config = tf.ConfigProto(allow_soft_placement=True)
    with tf.Session(config=config) as sess:
        assert sess.run(c)[0, 0] == 5.0
    assert c.op.assigned_device == "/job:localhost/replica:0/task:0/cpu:0"


def test_cpu_other_than_zero_or_remote_jobs_are_unavailable():
    with tf.device("/cpu:1"):
        a = tf.constant(1.0, name="a")
    with tf.device("/job:ps/task:0"):
        b = tf.constant(1.0, name="b")
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="node 'a'"):
            sess.run(a)
        with pytest.raises(tf.errors.InvalidArgumentError, match="node 'b'"):
            sess.run(b)
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        assert sess.run([a, b]) == [1.0, 1.0]


def test_device_count_cpu_adds_cpu_devices_all_on_torch_cpu():
    with tf.device("/cpu:1"):
        a = tf.constant(1.0, name="a")
    with tf.Session(config=tf.ConfigProto(device_count={"CPU": 2})) as sess:
        assert sess.run(a) == 1.0
    assert a.op.assigned_device == "/job:localhost/replica:0/task:0/cpu:1"


def test_device_count_gpu_zero_hides_gpus_even_with_cuda():
    with tf.device("/gpu:0"):
        a = tf.constant(1.0, name="a")
    config = tf.ConfigProto(device_count={"GPU": 0})
    with tf.Session(config=config) as sess, pytest.raises(tf.errors.InvalidArgumentError):
        sess.run(a)


def test_log_device_placement_prints_mapping_header_and_one_line_per_op(capfd):
    a = tf.constant([1.0, 2.0], name="a")
    b = tf.constant([3.0, 4.0], name="b")
    c = tf.add(a, b, name="MyAdd")
    config = tf.ConfigProto(log_device_placement=True, device_count={"GPU": 0})
    with tf.Session(config=config) as sess:
        np.testing.assert_array_equal(sess.run(c), [4.0, 6.0])
        sess.run(c)  # a second run places nothing new and logs nothing
    err = capfd.readouterr().err.splitlines()
    assert err[0] == "Device mapping:"
    assert sorted(err[1:]) == [
        "MyAdd: /job:localhost/replica:0/task:0/cpu:0",
        "a: /job:localhost/replica:0/task:0/cpu:0",
        "b: /job:localhost/replica:0/task:0/cpu:0",
    ]


def test_graph_def_reports_the_assigned_device_after_placement():
    with tf.device("/cpu:0"):
        a = tf.constant(1.0, name="a")
    b = tf.identity(a, name="b")
    g = tf.get_default_graph()
    before = {n.name: n.device for n in g.as_graph_def().node}
    assert before == {"a": "/device:CPU:0", "b": ""}
    config = tf.ConfigProto(device_count={"GPU": 0})
    with tf.Session(config=config) as sess:
        sess.run(b)
        after = {n.name: n.device for n in sess.graph_def.node}
    assert after == {"a": "/job:localhost/replica:0/task:0/cpu:0",
                     "b": "/job:localhost/replica:0/task:0/cpu:0"}


def test_variable_writers_run_where_their_variable_lives():
    with tf.device("/cpu:0"):
        v = tf.Variable(1.0, name="v")
        one = tf.constant(1.0)
    with tf.device("/gpu:3"):  # an Assign pinned elsewhere still runs with its variable
        bump = tf.assign_add(v, one)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(bump) == 2.0
    assert bump.op.assigned_device == v.op.assigned_device


def test_config_proto_fields_and_unknown_field():
    config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False,
                            inter_op_parallelism_threads=2,
                            gpu_options=tf.GPUOptions(allow_growth=True))
    assert config.allow_soft_placement and config.gpu_options.allow_growth
    assert config.inter_op_parallelism_threads == 2
    with pytest.raises(ValueError, match='has no "bogus" field'):
        tf.ConfigProto(bogus=1)


def test_intra_op_threads_sets_torch_threads():
    before = torch.get_num_threads()
    try:
        tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=2)).close()
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
