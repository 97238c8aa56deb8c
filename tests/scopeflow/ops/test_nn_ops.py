"""tf.nn against torch: values and gradients of activations, convolution, pooling, LRN,
losses, ranking, embeddings and the composite functions."""

from __future__ import annotations

import numpy as np
import pytest
import scopeflow as tf
import torch
import torch.nn.functional as F
from op_test_helper import check_op, random_inputs

ACTIVATIONS = [
    ("relu", tf.nn.relu, torch.relu),
    ("relu6", tf.nn.relu6, lambda x: torch.clamp(x, 0, 6)),
    ("elu", tf.nn.elu, F.elu),
    ("softplus", tf.nn.softplus, F.softplus),
    ("softsign", tf.nn.softsign, F.softsign),
    ("sigmoid", tf.nn.sigmoid, torch.sigmoid),
    ("tanh", tf.nn.tanh, torch.tanh),
    ("softmax", tf.nn.softmax, lambda x: torch.softmax(x, -1)),
    ("log_softmax", tf.nn.log_softmax, lambda x: torch.log_softmax(x, -1)),
]


@pytest.mark.parametrize("name,tf_fn,torch_fn", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_matches_torch(name, tf_fn, torch_fn):
    check_op([(3, 4)], torch_fn, tf_fn, low=-8, high=8)


def test_bias_add_and_xw_plus_b():
    check_op([(2, 3, 4), (4,)], torch.add, tf.nn.bias_add)
    check_op([(2, 3), (3, 4), (4,)], lambda x, w, b: x @ w + b, tf.nn.xw_plus_b)
    with pytest.raises(ValueError, match="not compatible"):
        tf.nn.bias_add(tf.placeholder(tf.float32, [2, 3]), tf.placeholder(tf.float32, [4]))


def _torch_same_pad(x, k, s):
    """TensorFlow's SAME padding for NCHW x (extra pixel after), k/s per spatial dim."""
    pads = []
    for size, kk, ss in zip(x.shape[2:], k, s):
        out = -(-size // ss)
        total = max((out - 1) * ss + kk - size, 0)
        pads.append((total // 2, total - total // 2))
    (top, bottom), (left, right) = pads
    return (left, right, top, bottom)


def _torch_conv(x, f, strides, padding):
    x = x.permute(0, 3, 1, 2)
    if padding == "SAME":
        x = F.pad(x, _torch_same_pad(x, f.shape[:2], strides))
    y = F.conv2d(x, f.permute(3, 2, 0, 1), stride=strides)
    return y.permute(0, 2, 3, 1)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("stride", [1, 2])
def test_conv2d_nhwc(padding, stride):
    check_op([(2, 5, 6, 3), (3, 2, 3, 4)],
             lambda x, f: _torch_conv(x, f, (stride, stride), padding),
             lambda x, f: tf.nn.conv2d(x, f, [1, stride, stride, 1], padding),
             atol=1e-4)


def test_conv2d_shape_errors():
    x = tf.placeholder(tf.float32, [1, 5, 5, 3])
    with pytest.raises(ValueError, match="Dimensions 3 and 2 are not compatible"):
        tf.nn.conv2d(x, tf.placeholder(tf.float32, [2, 2, 2, 4]), [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="batch and depth"):
        tf.nn.conv2d(x, tf.placeholder(tf.float32, [2, 2, 3, 4]), [2, 1, 1, 1], "SAME")


def _torch_pool(pool, x, k, s, padding):
    x = x.permute(0, 3, 1, 2)
    if padding == "SAME":
        pads = _torch_same_pad(x, k, s)
        if pool == "max":
            x = F.pad(x, pads, value=float("-inf"))
        else:
            ones = F.pad(torch.ones_like(x), pads)
            summed = F.avg_pool2d(F.pad(x, pads), k, s) * (k[0] * k[1])
            count = F.avg_pool2d(ones, k, s) * (k[0] * k[1])
            return (summed / count).permute(0, 2, 3, 1)
    y = F.max_pool2d(x, k, s) if pool == "max" else F.avg_pool2d(x, k, s)
    return y.permute(0, 2, 3, 1)


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("pool", ["max", "avg"])
def test_pooling(pool, padding):
    tf_pool = tf.nn.max_pool if pool == "max" else tf.nn.avg_pool
    check_op([(2, 5, 5, 3)], lambda x: _torch_pool(pool, x, (2, 2), (2, 2), padding),
             lambda x: tf_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], padding))


def test_local_response_normalization_formula():
    def reference(x, r=2, bias=1.0, alpha=0.5, beta=0.75):
        sq = torch.square(x)
        channels = x.shape[-1]
        sums = torch.stack([sq[..., max(0, c - r):c + r + 1].sum(-1) for c in range(channels)],
                           -1)
        return x / (bias + alpha * sums) ** beta

    check_op([(2, 2, 2, 6)], reference,
             lambda x: tf.nn.local_response_normalization(x, 2, 1.0, 0.5, 0.75))


def test_l2_loss():
    check_op([(3, 4)], lambda x: (x ** 2).sum() / 2, tf.nn.l2_loss)


def test_softmax_cross_entropy_with_logits():
    logits, raw = random_inputs([(4, 5), (4, 5)], seed=3)
    labels = np.exp(raw) / np.exp(raw).sum(1, keepdims=True)
    check_op(None, lambda z, y: -(y * torch.log_softmax(z, -1)).sum(-1),
             tf.nn.softmax_cross_entropy_with_logits, inputs=[logits, labels.astype(np.float32)])


def test_sparse_softmax_cross_entropy_with_logits():
    (logits,) = random_inputs([(4, 5)])
    labels = np.array([0, 4, 2, 2], np.int32)
    check_op(None, lambda z, y: F.cross_entropy(z, y.long(), reduction="none"),
             tf.nn.sparse_softmax_cross_entropy_with_logits, inputs=[logits, labels])


def test_sigmoid_cross_entropy_with_logits_is_stable():
    logits = np.array([[-100.0, -1.0, 0.3, 2.0, 100.0]], np.float32)
    targets = np.array([[0.0, 1.0, 0.5, 0.0, 1.0]], np.float32)
    check_op(None, lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction="none"),
             tf.nn.sigmoid_cross_entropy_with_logits, inputs=[logits, targets])


def test_in_top_k_counts_ties_as_in():
    predictions = np.array([[0.1, 0.3, 0.3, 0.2], [0.5, 0.1, 0.2, 0.2]], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        p = tf.constant(predictions)
        assert sess.run(tf.nn.in_top_k(p, [2, 3], 1)).tolist() == [True, False]
        assert sess.run(tf.nn.in_top_k(p, [3, 2], 2)).tolist() == [False, True]
        assert tf.nn.in_top_k(p, [0, 0], 1).dtype == tf.bool


def test_top_k_values_indices_and_gradient():
    x = np.array([[3.0, 1.0, 4.0, 1.5], [9.0, 2.0, 6.0, 5.0]], np.float32)

    def torch_top_k(t):
        values, indices = torch.topk(t, 2)
        return values, indices.int()

    check_op(None, torch_top_k, lambda t: tf.nn.top_k(t, 2), inputs=[x])


def test_dropout_keeps_scaled_values_or_zeros():
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.ones([50, 40])
        out = sess.run(tf.nn.dropout(x, 0.25, seed=1))
    assert set(np.unique(out).tolist()) <= {0.0, 4.0}
    assert 0.15 < (out > 0).mean() < 0.35


def test_dropout_gradient_is_the_mask_scaled():
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float32, [30])
        y = tf.nn.dropout(x, 0.5, seed=3)
        (g,) = tf.gradients(y, x)
        out, grad = sess.run([y, g], {x: np.ones(30, np.float32)})
    np.testing.assert_allclose(grad, out)


def test_moments():
    def reference(x):
        return x.mean(dim=(0, 1)), x.var(dim=(0, 1), unbiased=False)

    check_op([(3, 4, 2)], reference, lambda x: tf.nn.moments(x, [0, 1]))


def test_l2_normalize():
    check_op([(3, 4)], lambda x: F.normalize(x, dim=1, eps=1e-6),
             lambda x: tf.nn.l2_normalize(x, 1))


def test_embedding_lookup_single_and_sharded():
    table = np.arange(30, dtype=np.float32).reshape(10, 3)
    ids = np.array([[0, 9], [4, 4]], np.int32)
    check_op(None, lambda p, i: p[i.long()],
             lambda p, i: tf.nn.embedding_lookup(p, i), inputs=[table, ids])
    mod_shards = [table[p::3] for p in range(3)]
    div_shards = [table[0:4], table[4:7], table[7:10]]
    with tf.Graph().as_default(), tf.Session() as sess:
        for shards, strategy in ((mod_shards, "mod"), (div_shards, "div")):
            params = [tf.constant(s) for s in shards]
            got = sess.run(tf.nn.embedding_lookup(params, ids, partition_strategy=strategy))
            np.testing.assert_array_equal(got, table[ids])


def _ph(*shape, dtype=tf.float32):
    return tf.placeholder(dtype, list(shape))


NN_SHAPE_ERRORS = [
    ("xent shapes", lambda: tf.nn.softmax_cross_entropy_with_logits(_ph(2, 3), _ph(2, 4)),
     "not compatible"),
    ("sparse xent labels", lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(
        _ph(2, 3), _ph(3, dtype=tf.int32)), "not compatible"),
    ("in_top_k rank", lambda: tf.nn.in_top_k(_ph(3), _ph(3, dtype=tf.int32), 1),
     "must have rank 2"),
    ("top_k too few", lambda: tf.nn.top_k(_ph(2, 3), 4), "at least k=4"),
    ("pool window", lambda: tf.nn.max_pool(_ph(1, 2, 2, 1), [1, 3, 3, 1], [1, 1, 1, 1],
                                           "VALID"), "Negative dimension size"),
    ("conv rank", lambda: tf.nn.conv2d(_ph(5, 5, 3), _ph(2, 2, 3, 1), [1, 1, 1, 1], "SAME"),
     "must have rank 4"),
    ("padding", lambda: tf.nn.conv2d(_ph(1, 5, 5, 3), _ph(2, 2, 3, 1), [1, 1, 1, 1], "FULL"),
     "Invalid padding"),
]


@pytest.mark.parametrize("name,build,message", NN_SHAPE_ERRORS,
                         ids=[e[0] for e in NN_SHAPE_ERRORS])
def test_nn_shape_errors(name, build, message):
    with tf.Graph().as_default(), pytest.raises(ValueError, match=message):
        build()


CUDA_CASES = [
    ("matmul", [(3, 4), (4, 2)], torch.matmul, tf.matmul, None),
    ("broadcast mul", [(2, 3), (3,)], torch.mul, tf.mul, None),
    ("reduce_mean", [(2, 3, 4)], lambda x: x.mean(dim=(0, 2)),
     lambda x: tf.reduce_mean(x, [0, 2]), None),
    ("reduce_max", [(3, 4)], lambda x: x.amax(1), lambda x: tf.reduce_max(x, 1), None),
    ("getitem", [(4, 5)], lambda x: x.flip(0)[::2, 1], lambda x: x[::-2, 1], None),
    ("concat", [(2, 3), (4, 3)], lambda a, b: torch.cat([a, b]),
     lambda a, b: tf.concat(0, [a, b]), None),
    ("tile+pad", [(2, 3)], lambda x: F.pad(x.repeat(2, 1), (1, 0, 0, 2)),
     lambda x: tf.pad(tf.tile(x, [2, 1]), [[0, 2], [1, 0]]), None),
    ("conv2d", [(1, 5, 5, 2), (3, 3, 2, 3)],
     lambda x, f: _torch_conv(x, f, (2, 2), "SAME"),
     lambda x, f: tf.nn.conv2d(x, f, [1, 2, 2, 1], "SAME"), None),
    ("avg_pool", [(1, 5, 5, 2)], lambda x: _torch_pool("avg", x, (3, 3), (2, 2), "SAME"),
     lambda x: tf.nn.avg_pool(x, [1, 3, 3, 1], [1, 2, 2, 1], "SAME"), None),
    ("sparse xent", None, lambda z, y: F.cross_entropy(z, y.long(), reduction="none"),
     tf.nn.sparse_softmax_cross_entropy_with_logits,
     [np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4), np.array([0, 3, 1], np.int32)]),
    ("top_k", [(2, 5)], lambda x: torch.topk(x, 2)[0], lambda x: tf.nn.top_k(x, 2)[0], None),
]


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name,shapes,torch_fn,tf_fn,inputs", CUDA_CASES,
                         ids=[c[0] for c in CUDA_CASES])
def test_ops_and_gradients_on_gpu_match_torch_on_cpu(name, shapes, torch_fn, tf_fn, inputs):
    check_op(shapes, torch_fn, tf_fn, inputs=inputs, device="/gpu:0", atol=1e-4, rtol=1e-3)


def test_sharded_embedding_gradients_count_each_lookup():
    table = np.arange(30, dtype=np.float32).reshape(10, 3)
    ids = np.array([1, 4, 4, 9], np.int32)
    counts = np.bincount(ids, minlength=10).astype(np.float32)[:, None] * np.ones((1, 3))
    with tf.Graph().as_default(), tf.Session() as sess:
        params = [tf.constant(table[p::2]) for p in range(2)]
        total = tf.reduce_sum(tf.nn.embedding_lookup(params, ids))
        grads = sess.run(tf.gradients(total, params))
    np.testing.assert_array_equal(grads[0], counts[0::2])
    np.testing.assert_array_equal(grads[1], counts[1::2])


def test_batch_normalization_relu_layer_and_zero_fraction():
    check_op([(4, 3), (3,), (3,), (3,), (3,)],
             lambda x, m, v, o, s: (x - m) * s / torch.sqrt(v + 1e-3) + o,
             lambda x, m, v, o, s: tf.nn.batch_normalization(x, m, v, o, s, 1e-3),
             low=0.5, high=2)
    check_op([(2, 3), (3, 4), (4,)], lambda x, w, b: torch.relu(x @ w + b), tf.nn.relu_layer)
    values = np.array([[0.0, 1.0], [0.0, 0.0]], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        assert sess.run(tf.nn.zero_fraction(values)) == pytest.approx(0.75)


def test_top_k_puts_the_lower_index_first_among_equal_values():
    x = np.array([[1.0, 3.0, 3.0, 0.0, 3.0]], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        values, indices = sess.run(tf.nn.top_k(tf.constant(x), 3))
    assert indices.tolist() == [[1, 2, 4]] and values.tolist() == [[3.0, 3.0, 3.0]]


def test_keyword_arguments_follow_tensorflow_signatures():
    with tf.Graph().as_default():
        logits = tf.placeholder(tf.float32, [2, 3])
        assert tf.nn.softmax(logits=logits).op.type == "Softmax"
        assert tf.nn.relu(features=logits, name="act").op.name == "act"
        assert tf.nn.l2_loss(t=logits).op.type == "L2Loss"
        lrn = tf.nn.local_response_normalization(tf.placeholder(tf.float32, [1, 2, 2, 3]),
                                                 depth_radius=None)
        assert lrn.op.get_attr("depth_radius") == 5
        assert tf.matmul(logits, logits, False, True, False, False, "mm").op.name == "mm"
