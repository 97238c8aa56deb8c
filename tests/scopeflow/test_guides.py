"""The code of TensorFlow 0.6's how-to guides "Variables" (all but the Saver), "Sharing
Variables" and "Using GPUs", run with only `import scopeflow as tf`.

Where a guide prints, the test checks what the guide shows; where it pins ops to GPUs this
machine may not have, soft placement is on, as the guide recommends.
"""

import re

import numpy as np
import pytest
import scopeflow as tf
import torch

HAS_GPU = torch.cuda.is_available()
DEFAULT_DEVICE = "/job:localhost/replica:0/task:0/" + ("gpu:0" if HAS_GPU else "cpu:0")


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


# -- Variables: Creation, Initialization ----------------------------------------------------
def test_variables_guide_creation_and_initialization():
    weights = tf.Variable(tf.random_normal([784, 200], stddev=0.35), name="weights")
    biases = tf.Variable(tf.zeros([200]), name="biases")
    init_op = tf.initialize_all_variables()
    with tf.Session() as sess:
        sess.run(init_op)
        w, b = sess.run([weights, biases])
    assert w.shape == (784, 200) and abs(w.std() - 0.35) < 0.01
    assert b.shape == (200,) and not b.any()


def test_variables_guide_device_placement():
    with tf.device("/cpu:0"):
        v_cpu = tf.Variable(tf.zeros([2]), name="v_cpu")
    with tf.device("/gpu:0"):
        v_gpu = tf.Variable(tf.zeros([2]), name="v_gpu")
    with tf.device("/job:ps/task:7"):
        v_ps = tf.Variable(tf.zeros([2]), name="v_ps")
    assert v_cpu.device == "/device:CPU:0"
    assert v_gpu.device == "/device:GPU:0"
    assert v_ps.device == "/job:ps/task:7"
    config = tf.ConfigProto(allow_soft_placement=True)
    with tf.Session(config=config) as sess:
        sess.run(tf.initialize_all_variables())
        assert [x.tolist() for x in sess.run([v_cpu, v_gpu, v_ps])] == [[0, 0]] * 3


def test_variables_guide_initialization_from_another_variable():
    weights = tf.Variable(tf.random_normal([784, 200], stddev=0.35), name="weights")
    w2 = tf.Variable(weights.initialized_value(), name="w2")
    w_twice = tf.Variable(weights.initialized_value() * 2.0, name="w_twice")
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        w, c, t = sess.run([weights, w2, w_twice])
    np.testing.assert_array_equal(c, w)
    np.testing.assert_allclose(t, 2 * w)


def test_variables_guide_custom_initialization_of_a_subset():
    a = tf.Variable(tf.ones([3]), name="a")
    b = tf.Variable(tf.ones([3]), name="b")
    with tf.Session() as sess:
        sess.run(tf.initialize_variables([a]))
        assert sess.run(a).tolist() == [1, 1, 1]
        with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value b"):
            sess.run(b)


# -- Sharing Variables ------------------------------------------------------------------------
def _images():
    rng = np.random.RandomState(0)
    return (tf.constant(rng.rand(1, 8, 8, 32).astype(np.float32)),
            tf.constant(rng.rand(1, 8, 8, 32).astype(np.float32)))


def test_sharing_guide_variables_dict_approach():
    variables_dict = {
        "conv1_weights": tf.Variable(tf.random_normal([5, 5, 32, 32]), name="conv1_weights"),
        "conv1_biases": tf.Variable(tf.zeros([32]), name="conv1_biases"),
    }

    def my_image_filter(input_images, variables):
        conv1 = tf.nn.conv2d(input_images, variables["conv1_weights"],
                             strides=[1, 1, 1, 1], padding="SAME")
        return tf.nn.relu(conv1 + variables["conv1_biases"])

    image1, image2 = _images()
    result1 = my_image_filter(image1, variables_dict)
    result2 = my_image_filter(image2, variables_dict)
    assert len(tf.all_variables()) == 2
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        r1, r2 = sess.run([result1, result2])
    assert r1.shape == (1, 8, 8, 32) and (r1 >= 0).all() and not np.array_equal(r1, r2)


def conv_relu(input, kernel_shape, bias_shape):
    weights = tf.get_variable("weights", kernel_shape,
                              initializer=tf.random_normal_initializer())
    biases = tf.get_variable("biases", bias_shape, initializer=tf.constant_initializer(0.0))
    conv = tf.nn.conv2d(input, weights, strides=[1, 1, 1, 1], padding="SAME")
    return tf.nn.relu(conv + biases)


def my_image_filter(input_images):
    with tf.variable_scope("conv1"):
        relu1 = conv_relu(input_images, [5, 5, 32, 32], [32])
    with tf.variable_scope("conv2"):
        return conv_relu(relu1, [5, 5, 32, 32], [32])


def test_sharing_guide_variable_scope_approach():
    image1, image2 = _images()
    result1 = my_image_filter(image1)
    assert result1.get_shape().as_list() == [1, 8, 8, 32]
    assert sorted(v.name for v in tf.all_variables()) == [
        "conv1/biases:0", "conv1/weights:0", "conv2/biases:0", "conv2/weights:0"]
    with pytest.raises(ValueError, match="conv1/weights already exists"):
        my_image_filter(image2)


def test_sharing_guide_reuse_variables():
    image1, image2 = _images()
    with tf.variable_scope("image_filters") as scope:
        result1 = my_image_filter(image1)
        scope.reuse_variables()
        result2 = my_image_filter(image2)
    names = sorted(v.name for v in tf.all_variables())
    assert names == ["image_filters/conv1/biases:0", "image_filters/conv1/weights:0",
                     "image_filters/conv2/biases:0", "image_filters/conv2/weights:0"]
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        r1, r2 = sess.run([result1, result2])
    assert r1.shape == r2.shape == (1, 8, 8, 32)


def test_sharing_guide_basics_of_variable_scope():
    with tf.variable_scope("foo"), tf.variable_scope("bar"):
        v = tf.get_variable("v", [1])
    assert v.name == "foo/bar/v:0"
    with tf.variable_scope("foo", reuse=True):
        v1 = tf.get_variable("bar/v", [1])
    assert v1 == v
    with tf.variable_scope("foo") as scope:
        w = tf.get_variable("w", [1])
        scope.reuse_variables()
        w1 = tf.get_variable("w", [1])
    assert w1 == w


def test_sharing_guide_names_of_ops_in_variable_scope():
    with tf.variable_scope("foo"):
        x = 1.0 + tf.get_variable("v", [1])
    assert x.op.name == "foo/add"
    with tf.variable_scope("foo"), tf.name_scope("bar"):
        v = tf.get_variable("w", [1])
        x = 1.0 + v
    assert v.name == "foo/w:0"
    assert x.op.name == "foo_1/bar/add"


# -- Using GPUs ------------------------------------------------------------------------------
def _log_lines(err: str) -> dict:
    return dict(re.findall(r"^(\S+): (/job:\S+)$", err, flags=re.MULTILINE))


def test_gpu_guide_logging_device_placement(capfd):
    a = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape=[2, 3], name="a")
    b = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape=[3, 2], name="b")
    c = tf.matmul(a, b)
    sess = tf.Session(config=tf.ConfigProto(log_device_placement=True))
    np.testing.assert_array_equal(sess.run(c), [[22.0, 28.0], [49.0, 64.0]])
    err = capfd.readouterr().err
    assert err.startswith("Device mapping:")
    assert _log_lines(err) == {"a": DEFAULT_DEVICE, "b": DEFAULT_DEVICE,
                               "MatMul": DEFAULT_DEVICE}


def test_gpu_guide_manual_device_placement(capfd):
    with tf.device("/cpu:0"):
        a = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape=[2, 3], name="a")
        b = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape=[3, 2], name="b")
    c = tf.matmul(a, b)
    sess = tf.Session(config=tf.ConfigProto(log_device_placement=True))
    np.testing.assert_array_equal(sess.run(c), [[22.0, 28.0], [49.0, 64.0]])
    lines = _log_lines(capfd.readouterr().err)
    assert lines["a"] == lines["b"] == "/job:localhost/replica:0/task:0/cpu:0"
    assert lines["MatMul"] == DEFAULT_DEVICE


@pytest.mark.skipif(torch.cuda.device_count() > 2, reason="needs a machine without /gpu:2")
def test_gpu_guide_missing_device_errors_then_soft_placement_runs():
    with tf.device("/gpu:2"):
        a = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape=[2, 3], name="a")
        b = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape=[3, 2], name="b")
        c = tf.matmul(a, b)
    sess = tf.Session(config=tf.ConfigProto(log_device_placement=True))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Could not satisfy explicit device specification '/device:GPU:2'"):
        sess.run(c)
    sess = tf.Session(config=tf.ConfigProto(allow_soft_placement=True,
                                            log_device_placement=True))
    np.testing.assert_array_equal(sess.run(c), [[22.0, 28.0], [49.0, 64.0]])


def test_gpu_guide_multi_tower_sum():
    c = []
    for d in ["/gpu:2", "/gpu:3"]:
        with tf.device(d):
            a = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape=[2, 3])
            b = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape=[3, 2])
            c.append(tf.matmul(a, b))
    with tf.device("/cpu:0"):
        total = tf.add_n(c)
    sess = tf.Session(config=tf.ConfigProto(allow_soft_placement=True,
                                            log_device_placement=True))
    np.testing.assert_array_equal(sess.run(total), [[44.0, 56.0], [98.0, 128.0]])
    assert total.op.assigned_device == "/job:localhost/replica:0/task:0/cpu:0"
