import numpy as np
import pytest
import scopeflow as tf


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_tensor_identity_properties(graph):
    c = tf.constant([[1.0, 2.0]], name="c")
    assert c.name == "c:0"
    assert c.dtype == tf.float32
    assert c.get_shape().as_list() == [1, 2]
    assert c.op.type == "Const" and c.graph is graph
    assert c.value_index == 0
    assert repr(c) == "<tf.Tensor 'c:0' shape=(1, 2) dtype=float32>"
    assert str(c).startswith('Tensor("c:0"')


def test_operation_properties_and_attrs():
    x = tf.placeholder(tf.int32, [3], name="x")
    y = tf.identity(x, name="y")
    assert y.op.inputs == (x,)
    assert y.op.outputs == (y,)
    assert x.op.get_attr("dtype") == tf.int32
    with pytest.raises(ValueError, match="No attr named 'nope'"):
        x.op.get_attr("nope")
    assert x.consumers() == [y.op]
    assert y.op.node_def.name == "y"


def test_set_shape_refines_and_rejects_incompatible_shapes():
    x = tf.placeholder(tf.float32, [None, 3])
    x.set_shape([5, None])
    assert x.get_shape().as_list() == [5, 3]
    with pytest.raises(ValueError, match="not compatible"):
        x.set_shape([4, 3])


def test_constant_dtype_inference_follows_tensorflow():
    assert tf.constant(1.0).dtype == tf.float32
    assert tf.constant(1).dtype == tf.int32
    assert tf.constant(2 ** 40).dtype == tf.int64
    assert tf.constant(np.zeros(2)).dtype == tf.float64
    assert tf.constant("abc").dtype == tf.string
    assert tf.constant([True]).dtype == tf.bool


def test_string_constants_keep_trailing_nul_bytes():
    raw = bytes([7, 0, 3, 0, 0])  # e.g. image pixels, where numpy's "S" dtype would cut at 3
    with tf.Session() as sess:
        assert sess.run(tf.constant(raw)) == raw
        assert list(sess.run(tf.constant([raw, b"x\x00"]))) == [raw, b"x\x00"]
        assert list(sess.run(tf.decode_raw(tf.constant([raw]), tf.uint8))[0]) == list(raw)
    node = tf.constant([[raw]]).op.node_def
    assert list(node.attr["value"].tensor.string_val) == [raw]


def test_constant_with_shape_repeats_the_last_value():
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(tf.constant(7, shape=[2, 2])), [[7, 7], [7, 7]])
        np.testing.assert_array_equal(
            sess.run(tf.constant([1, 2, 3], shape=[2, 3])), [[1, 2, 3], [3, 3, 3]])
        np.testing.assert_array_equal(
            sess.run(tf.constant([1, 2, 3, 4], shape=[2, 2])), [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="Too many elements"):
        tf.constant([1, 2, 3], shape=[2])


def test_constant_rejects_values_of_another_type():
    with pytest.raises(TypeError, match="Expected int32, got 1.5 of type 'float' instead"):
        tf.constant(1.5, dtype=tf.int32)
    with pytest.raises(TypeError, match="Expected float32"):
        tf.constant("x", dtype=tf.float32)


def test_convert_to_tensor_checks_the_requested_dtype():
    c = tf.constant(1.0)
    assert tf.convert_to_tensor(c) is c
    assert tf.convert_to_tensor(c, dtype=tf.float32) is c
    with pytest.raises(ValueError, match="requested dtype int32 for Tensor with dtype float32"):
        tf.convert_to_tensor(c, dtype=tf.int32)
    assert tf.convert_to_tensor([1, 2], dtype=tf.int64).dtype == tf.int64


def test_convert_to_tensor_packs_lists_holding_tensors():
    a = tf.constant(1.0)
    packed = tf.convert_to_tensor([a, 2.0])
    assert packed.get_shape().as_list() == [2]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(packed), [1.0, 2.0])


def test_binary_operators_build_lowercase_ops_in_their_own_scope():
    x = tf.constant(3.0)
    assert (x + 1.0).op.name == "add"
    assert (1.0 - x).op.name == "sub"
    assert (x * x).op.name == "mul"
    assert (x / 2.0).op.name == "truediv"
    with tf.name_scope("s"):
        y = x ** 2.0
    assert y.op.name == "s/pow"
    assert (x + 1.0).op.inputs[1].op.name == "add_1/y"


def test_operators_compute_like_tensorflow():
    x = tf.constant([7.0, -8.0])
    i = tf.constant([7, -8])
    b = tf.constant([True, False])
    fetches = {
        "add": x + 1, "radd": 1 + x, "sub": x - 1, "rsub": 1 - x, "mul": x * 2,
        "div": x / 2, "floordiv": -i // 3, "mod": -i % 3, "pow": x ** 2, "neg": -x,
        "abs": abs(x), "lt": x < 0, "le": x <= 7, "gt": x > 0, "ge": x >= 7,
        "and": b & True, "or": b | False, "invert": ~b, "item": x[1], "slice": x[0:1],
    }
    with tf.Session() as sess:
        out = sess.run(fetches)
    xs = np.array([7.0, -8.0], np.float32)
    np.testing.assert_allclose(out["add"], xs + 1)
    np.testing.assert_allclose(out["radd"], 1 + xs)
    np.testing.assert_allclose(out["rsub"], 1 - xs)
    np.testing.assert_allclose(out["div"], xs / 2)
    assert out["floordiv"][1] == 8 // 3 and out["mod"][1] == 8 % 3
    np.testing.assert_allclose(out["pow"], xs ** 2)
    np.testing.assert_allclose(out["neg"], -xs)
    np.testing.assert_allclose(out["abs"], abs(xs))
    np.testing.assert_array_equal(out["lt"], xs < 0)
    np.testing.assert_array_equal(out["ge"], xs >= 7)
    np.testing.assert_array_equal(out["invert"], [False, True])
    np.testing.assert_array_equal(out["and"], [True, False])
    assert out["item"] == -8.0
    np.testing.assert_array_equal(out["slice"], [7.0])


def test_operator_with_mismatched_python_value_raises_type_error():
    i = tf.constant([1, 2])
    with pytest.raises(TypeError, match="Expected int32, got 1.5"):
        _ = i + 1.5


def test_tensor_is_not_a_bool_and_not_iterable():
    x = tf.constant([1, 2])
    with pytest.raises(TypeError, match="as a Python `bool`"):
        bool(x)
    with pytest.raises(TypeError, match="not iterable"):
        iter(x)


def test_numpy_scalars_on_the_left_defer_to_the_tensor():
    x = tf.constant(2.0)
    y = np.float32(3.0) * x
    assert y.op.type == "Mul"


def test_zeros_ones_fill_and_likes():
    dims = tf.placeholder(tf.int32, [2])
    x = tf.constant([[1, 2, 3]])
    value = tf.constant(2.0)
    filled = tf.fill(dims, value)
    (grad,) = tf.gradients(filled, [value])
    with tf.Session() as sess:
        assert sess.run(tf.zeros([2, 3])).tolist() == [[0.0] * 3] * 2
        assert sess.run(tf.ones([2], dtype=tf.int64)).dtype == np.int64
        assert sess.run(tf.zeros(tf.shape(x))).shape == (1, 3)
        assert sess.run(tf.zeros_like(x)).tolist() == [[0, 0, 0]]
        assert sess.run(tf.ones_like(x, dtype=tf.float32)).dtype == np.float32
        assert sess.run(filled, {dims: [2, 2]}).tolist() == [[2.0, 2.0], [2.0, 2.0]]
        assert sess.run(grad, {dims: [3, 2]}) == 6.0
    assert tf.zeros([4, 5], name="z").op.name == "z"
    assert tf.fill([2, 3], 1.0).get_shape().as_list() == [2, 3]
    assert filled.get_shape().as_list() == [None, None]
