"""Placement on CUDA: ops pinned to /gpu:0 run on cuda:0 and agree with the CPU.

Skipped cleanly where torch has no CUDA device; the CPU-side placement rules (errors, soft
placement, log lines) are covered in tests/scopeflow/client/test_placement.py.
"""

import re

import numpy as np
import pytest
import scopeflow as tf
import torch

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]

GPU0 = "/job:localhost/replica:0/task:0/gpu:0"
CPU0 = "/job:localhost/replica:0/task:0/cpu:0"


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def _model(x):
    w = tf.constant(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4), name="w")
    h = tf.nn.relu(tf.matmul(x, w, name="MatMul"))
    return tf.reduce_sum(tf.nn.softmax(h) * 3.0, reduction_indices=[1])


def test_ops_pinned_to_gpu0_run_on_cuda_and_match_the_cpu():
    data = np.random.RandomState(0).rand(5, 3).astype(np.float32)
    with tf.device("/gpu:0"):
        x = tf.placeholder(tf.float32, [None, 3])
        y_gpu = _model(x)
    with tf.device("/cpu:0"):
        y_cpu = _model(x)
    with tf.Session() as sess:
        gpu_value, cpu_value = sess.run([y_gpu, y_cpu], {x: data})
    np.testing.assert_allclose(gpu_value, cpu_value, rtol=1e-5)
    assert y_gpu.op.assigned_device == GPU0
    assert y_cpu.op.assigned_device == CPU0


def test_kernels_of_gpu_ops_see_a_cuda_device():
    with tf.device("/gpu:0"):
        c = tf.constant([1.0, 2.0]) * 2.0
    with tf.Session() as sess:
        sess.run(c)
        plan = sess.plan_for(c)
    ctx = next(v for k, v in plan.fn.__globals__.items()
               if k.startswith("c") and hasattr(v, "op") and v.op is c.op)
    assert ctx.device == torch.device("cuda", 0)


def test_unpinned_ops_go_to_the_first_gpu():
    c = tf.matmul(tf.ones([2, 2]), tf.ones([2, 2]), name="MatMul")
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(c), [[2.0, 2.0], [2.0, 2.0]])
    assert c.op.assigned_device == GPU0


def test_log_device_placement_shows_the_gpu_mapping_and_lines(capfd):
    a = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape=[2, 3], name="a")
    b = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape=[3, 2], name="b")
    c = tf.matmul(a, b)
    with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
        np.testing.assert_array_equal(sess.run(c), [[22.0, 28.0], [49.0, 64.0]])
    err = capfd.readouterr().err
    assert err.startswith("Device mapping:\n")
    assert re.search(rf"^{re.escape(GPU0)} -> device: 0, name: .+$", err, re.MULTILINE)
    for name in ("a", "b", "MatMul"):
        assert f"{name}: {GPU0}" in err.splitlines()


def test_soft_placement_moves_a_missing_gpu_to_an_existing_one():
    count = torch.cuda.device_count()
    with tf.device(f"/gpu:{count}"):
        c = tf.constant([3.0]) + 1.0
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match=f"'/device:GPU:{count}'"):
        sess.run(c)
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        assert sess.run(c).tolist() == [4.0]
    assert c.op.assigned_device == GPU0


def test_string_ops_have_no_gpu_kernel():
    with tf.device("/gpu:0"):
        s = tf.identity(tf.constant(["a", "b"]), name="s")
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="no supported kernel for GPU devices"):
        sess.run(s)
    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
        assert sess.run(s).tolist() == [b"a", b"b"]
    assert s.op.assigned_device == CPU0


def test_variables_live_on_the_gpu_and_update_there():
    with tf.device("/gpu:0"):
        v = tf.Variable(tf.zeros([3]), name="v")
        bump = v.assign_add(tf.ones([3]))
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        sess.run(bump)
        sess.run(bump)
        assert sess.run(v).tolist() == [2.0, 2.0, 2.0]
        assert sess._resources["v"].device.type == "cuda"
    assert bump.op.assigned_device == v.op.assigned_device == GPU0


def test_values_cross_devices_both_ways():
    with tf.device("/cpu:0"):
        x = tf.placeholder(tf.float32, [2])
        on_cpu = x * 2.0
    with tf.device("/gpu:0"):
        on_gpu = on_cpu + 1.0
    with tf.device("/cpu:0"):
        back = on_gpu * 10.0
    with tf.Session() as sess:
        assert sess.run(back, {x: [1.0, 2.0]}).tolist() == [30.0, 50.0]


def test_seeded_random_ops_on_gpu_repeat_across_sessions():
    tf.set_random_seed(3)
    with tf.device("/gpu:0"):
        r = tf.random_normal([4])
    values = []
    for _ in range(2):
        with tf.Session() as sess:
            values.append(sess.run(r))
    np.testing.assert_array_equal(values[0], values[1])
