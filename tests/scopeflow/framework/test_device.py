import pytest
import scopeflow as tf
from scopeflow.framework.device_spec import DeviceSpec, canonical_name


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


@pytest.mark.parametrize("spec, canonical", [
    ("/cpu:0", "/device:CPU:0"),
    ("/gpu:1", "/device:GPU:1"),
    ("/job:localhost/replica:0/task:0/gpu:0", "/job:localhost/replica:0/task:0/device:GPU:0"),
    ("/device:GPU:2", "/device:GPU:2"),
    ("/job:ps", "/job:ps"),
    ("/gpu:*", "/device:GPU:*"),
    ("", ""),
])
def test_device_strings_are_canonicalised(spec, canonical):
    assert canonical_name(spec) == canonical


def test_bad_device_string_names_the_part():
    with pytest.raises(ValueError, match="Unknown attribute: 'tpu:0'"):
        DeviceSpec.from_string("/tpu:0")


def test_ops_get_the_device_of_their_block():
    with tf.device("/gpu:0"):
        a = tf.constant(1.0)
    b = tf.constant(2.0)
    assert a.op.device == "/device:GPU:0"
    assert a.device == "/device:GPU:0"
    assert b.op.device == ""


def test_nested_device_specs_merge_inner_over_outer():
    with tf.device("/job:worker/task:1"):
        with tf.device("/gpu:2"):
            a = tf.constant(1.0)
        with tf.device("/job:ps"):
            b = tf.constant(1.0)
        c = tf.constant(1.0)
    assert a.op.device == "/job:worker/task:1/device:GPU:2"
    assert b.op.device == "/job:ps/task:1"
    assert c.op.device == "/job:worker/task:1"


def test_device_none_clears_outer_devices():
    with tf.device("/gpu:0"), tf.device(None):
        a = tf.constant(1.0)
    assert a.op.device == ""


def test_device_functions_choose_per_op():
    def by_type(op):
        return "/cpu:0" if op.type == "Const" else "/gpu:0"

    with tf.device(by_type):
        c = tf.constant(1.0)
        d = tf.identity(c)
    assert c.op.device == "/device:CPU:0"
    assert d.op.device == "/device:GPU:0"


def test_outer_string_fills_what_an_inner_function_leaves_unset():
    with tf.device("/job:worker"), tf.device(lambda op: "/gpu:1"):
        a = tf.constant(1.0)
    assert a.op.device == "/job:worker/device:GPU:1"
