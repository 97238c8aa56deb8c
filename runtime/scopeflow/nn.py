"""`tf.nn`: activations, convolution and pooling, normalization, losses, embeddings.

Single ops are built here from the kernels registered in scopeflow.ops.nn_ops;
the composite functions are graphs of smaller ops under their own name scope, as in
TensorFlow 0.6 (`dropout/`, `logistic_loss/`, `moments/`, ...).
"""

from __future__ import annotations

import numpy as np

from scopeflow.framework import dtypes, ops
from scopeflow.framework.sparse_tensor import SparseTensor
from scopeflow.ops import array_ops, constant_op, math_ops
from scopeflow.ops import index_ops as _nn_index
from scopeflow.ops import nn_ops as _nn_ops  # noqa: F401 - registers the nn op types
from scopeflow.ops import shape_util as _su
from scopeflow.ops.math_ops import sigmoid, tanh

__all__ = [
    "avg_pool", "batch_normalization", "bias_add", "conv2d", "dropout", "elu",
    "embedding_lookup", "embedding_lookup_sparse", "in_top_k", "l2_loss", "l2_normalize", "local_response_normalization",
    "log_softmax", "lrn", "max_pool", "moments", "relu", "relu6", "relu_layer",
    "sigmoid", "sigmoid_cross_entropy_with_logits", "softmax", "softmax_cross_entropy_with_logits",
    "softplus", "softsign", "sparse_softmax_cross_entropy_with_logits", "tanh", "top_k",
    "xw_plus_b", "zero_fraction",
]


def _apply(op_type, inputs, attrs=None, name=None):
    return ops.apply_op(op_type, inputs, attrs, name=name).outputs


def relu(features, name=None):
    """max(features, 0) (op type 'Relu')."""
    return _apply("Relu", [features], name=name)[0]


def relu6(features, name=None):
    """min(max(features, 0), 6) (op type 'Relu6')."""
    return _apply("Relu6", [features], name=name)[0]


def elu(features, name=None):
    """features where > 0, else exp(features) - 1 (op type 'Elu')."""
    return _apply("Elu", [features], name=name)[0]


def softplus(features, name=None):
    """log(exp(features) + 1) (op type 'Softplus')."""
    return _apply("Softplus", [features], name=name)[0]


def softsign(features, name=None):
    """features / (abs(features) + 1) (op type 'Softsign')."""
    return _apply("Softsign", [features], name=name)[0]


def softmax(logits, name=None):
    """exp(logits) / sum(exp(logits)) along the last dimension (op type 'Softmax')."""
    return _apply("Softmax", [logits], name=name)[0]


def log_softmax(logits, name=None):
    """logits - log(sum(exp(logits))) along the last dimension (op type 'LogSoftmax')."""
    return _apply("LogSoftmax", [logits], name=name)[0]


def l2_loss(t, name=None):
    """sum(t ** 2) / 2 (op type 'L2Loss')."""
    return _apply("L2Loss", [t], name=name)[0]


def bias_add(value, bias, data_format=None, name=None):
    """value + bias, bias being a vector the size of value's last dimension."""
    if data_format not in (None, "NHWC"):
        raise ValueError(f"bias_add: data_format {data_format!r} is not supported; use NHWC")
    value, bias = math_ops.convert_same_dtype([value, bias])
    return _apply("BiasAdd", [value, bias], {"data_format": "NHWC"}, name=name)[0]


def xw_plus_b(x, weights, biases, name=None):
    """matmul(x, weights) + biases."""
    with ops.name_scope(name or "xw_plus_b") as scope:
        return bias_add(math_ops.matmul(x, weights), biases, name=scope)


def relu_layer(x, weights, biases, name=None):
    """relu(matmul(x, weights) + biases)."""
    with ops.name_scope(name or "relu_layer") as scope:
        return relu(bias_add(math_ops.matmul(x, weights), biases), name=scope)


def _window_attrs(strides, padding, ksize=None):
    attrs = {"strides": [int(s) for s in strides], "padding": padding, "data_format": "NHWC"}
    if ksize is not None:
        attrs["ksize"] = [int(k) for k in ksize]
    return attrs


def _check_format(fn, data_format):
    if data_format not in (None, "NHWC"):
        raise ValueError(f"{fn}: data_format {data_format!r} is not supported; use NHWC")


def conv2d(input, filter, strides, padding, use_cudnn_on_gpu=None, data_format=None,
           name=None):
    """2-D convolution of NHWC `input` with an HWIO `filter`; padding 'SAME' or 'VALID'."""
    _check_format("conv2d", data_format)
    input, filter = math_ops.convert_same_dtype([input, filter])
    attrs = _window_attrs(strides, padding)
    attrs["use_cudnn_on_gpu"] = True if use_cudnn_on_gpu is None else bool(use_cudnn_on_gpu)
    return _apply("Conv2D", [input, filter], attrs, name=name)[0]


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None):
    """Maximum over each ksize window of NHWC `value`."""
    _check_format("max_pool", data_format)
    return _apply("MaxPool", [value], _window_attrs(strides, padding, ksize), name=name)[0]


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None):
    """Mean over each ksize window of NHWC `value` (padding excluded from the count)."""
    _check_format("avg_pool", data_format)
    return _apply("AvgPool", [value], _window_attrs(strides, padding, ksize), name=name)[0]


def local_response_normalization(input, depth_radius=None, bias=None, alpha=None, beta=None,
                                 name=None):
    """input / (bias + alpha * sum of input ** 2 over depth_radius channels) ** beta.

    Defaults (for None): depth_radius 5, bias 1, alpha 1, beta 0.5."""
    attrs = {"depth_radius": 5 if depth_radius is None else int(depth_radius),
             "bias": 1.0 if bias is None else float(bias),
             "alpha": 1.0 if alpha is None else float(alpha),
             "beta": 0.5 if beta is None else float(beta)}
    return _apply("LRN", [input], attrs, name=name)[0]


lrn = local_response_normalization


def softmax_cross_entropy_with_logits(logits, labels, name=None):
    """Per-example -sum(labels * log_softmax(logits)) for [batch, classes] inputs."""
    logits, labels = math_ops.convert_same_dtype([logits, labels])
    return _apply("SoftmaxCrossEntropyWithLogits", [logits, labels], name=name)[0]


def sparse_softmax_cross_entropy_with_logits(logits, labels, name=None):
    """Per-example -log_softmax(logits)[label] for int labels of shape [batch]."""
    return _apply("SparseSoftmaxCrossEntropyWithLogits", [logits, labels], name=name)[0]


def sigmoid_cross_entropy_with_logits(logits, targets, name=None):
    """Logistic loss, computed stably as max(x, 0) - x * z + log(1 + exp(-abs(x)))."""
    with ops.name_scope(name or "logistic_loss") as scope:
        logits, targets = math_ops.convert_same_dtype([logits, targets])
        linear = math_ops.sub(relu(logits), math_ops.mul(logits, targets))
        softplus_neg_abs = math_ops.log(
            math_ops.add(1.0, math_ops.exp(math_ops.neg(math_ops.abs(logits)))))
        return math_ops.add(linear, softplus_neg_abs, name=scope)


def in_top_k(predictions, targets, k, name=None):
    """Whether each target class is among the k highest predictions of its row."""
    return _apply("InTopK", [predictions, targets], {"k": int(k)}, name=name)[0]


def top_k(input, k=1, sorted=True, name=None):
    """The k largest entries of the last dimension and their int32 indices, largest first."""
    values, indices = _apply("TopK", [input], {"k": int(k), "sorted": bool(sorted)}, name=name)
    return values, indices


def dropout(x, keep_prob, noise_shape=None, seed=None, name=None):
    """x / keep_prob where a uniform draw keeps the element, else 0."""
    from scopeflow.ops import random_ops

    with ops.name_scope(name or "dropout") as scope:
        x = ops.convert_to_tensor(x)
        if isinstance(keep_prob, (float, int)) and not 0 < keep_prob <= 1:
            raise ValueError(f"keep_prob must be a scalar tensor or a float in the range "
                             f"(0, 1], got {keep_prob}")
        keep_prob = ops.convert_to_tensor(keep_prob, dtype=x.dtype.base_dtype,
                                          name="keep_prob")
        shape = array_ops.shape(x) if noise_shape is None else noise_shape
        uniform = random_ops.random_uniform(shape, seed=seed, dtype=x.dtype.base_dtype)
        keep = math_ops.floor(math_ops.add(keep_prob, uniform))
        out = math_ops.mul(math_ops.mul(x, math_ops.inv(keep_prob)), keep, name=scope)
        out.set_shape(x.get_shape())
        return out


def moments(x, axes, name=None, keep_dims=False):
    """(mean, variance) of x over `axes`."""
    with ops.name_scope(name or "moments"):
        x = ops.convert_to_tensor(x)
        mean = math_ops.reduce_mean(x, axes, keep_dims=True, name="mean")
        variance = math_ops.reduce_mean(math_ops.squared_difference(x, mean), axes,
                                        keep_dims=keep_dims, name="variance")
        if not keep_dims:
            mean = array_ops.squeeze(mean, list(axes))
        return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) * scale / sqrt(variance + epsilon) + offset (offset/scale may be None)."""
    with ops.name_scope(name or "batchnorm"):
        inv = math_ops.rsqrt(math_ops.add(variance, variance_epsilon))
        if scale is not None:
            inv = math_ops.mul(inv, scale)
        out = math_ops.mul(math_ops.sub(x, mean), inv)
        return out if offset is None else math_ops.add(out, offset)


def l2_normalize(x, dim, epsilon=1e-12, name=None):
    """x / sqrt(max(sum(x ** 2, dim), epsilon))."""
    with ops.name_scope(name or "l2_normalize") as scope:
        x = ops.convert_to_tensor(x)
        square_sum = math_ops.reduce_sum(math_ops.square(x), [dim], keep_dims=True)
        inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
        return math_ops.mul(x, inv_norm, name=scope)


def zero_fraction(value, name=None):
    """The fraction of zeros in `value`."""
    with ops.name_scope(name or "zero_fraction"):
        zero = math_ops.equal(value, 0)
        return math_ops.reduce_mean(math_ops.cast(zero, dtypes.float32))


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True):
    """Rows of `params` for `ids`; params may be a list of shards split by 'mod' or 'div'."""
    if not isinstance(params, (list, tuple)):
        params = [params]
    with ops.name_scope(name or "embedding_lookup") as scope:
        if len(params) == 1:
            return array_ops.gather(params[0], ids, name=scope)
        ids = ops.convert_to_tensor(ids, dtype=dtypes.int32)
        shard, local = _partition(params, ids, partition_strategy)
        picked = []
        for p, shard_params in enumerate(params):
            rows = array_ops.gather(shard_params, math_ops.minimum(local, _last_row(shard_params)))
            mask = math_ops.cast(math_ops.equal(shard, p), rows.dtype.base_dtype)
            # One size-1 axis per embedding dimension, so the mask broadcasts over rows.
            row_rank = _su.dims(ops.convert_to_tensor(shard_params))
            for _ in range(1 if row_rank is None else len(row_rank) - 1):
                mask = array_ops.expand_dims(mask, -1)
            picked.append(math_ops.mul(rows, mask))
        return math_ops.add_n(picked, name=scope)


def embedding_lookup_sparse(params, sp_ids, sp_weights, partition_strategy="mod", name=None,
                            combiner="mean"):
    """Per row of the 2-D SparseTensor `sp_ids`, its ids' embeddings times their weights
    (1 when sp_weights is None), combined by 'sum', 'mean' (sum / total weight) or 'sqrtn'
    (sum / sqrt of the sum of squared weights). Rows run up to the last row holding an id,
    as TensorFlow's segment_sum does; indices must be in row-major order."""
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError("combiner must be one of 'mean', 'sqrtn' or 'sum'")
    if not isinstance(params, list):
        params = [params]
    if not isinstance(sp_ids, SparseTensor):
        raise TypeError("sp_ids must be SparseTensor")
    if sp_weights is not None:
        if not isinstance(sp_weights, SparseTensor):
            raise TypeError("sp_weights must be either None or SparseTensor")
        sp_ids.values.get_shape().assert_is_compatible_with(sp_weights.values.get_shape())
        sp_ids.indices.get_shape().assert_is_compatible_with(sp_weights.indices.get_shape())
    with ops.op_scope(params + [sp_ids], name, "embedding_lookup_sparse") as scope:
        segment_ids = math_ops.cast(sp_ids.indices[:, 0], dtypes.int32)
        num_rows = math_ops.add(math_ops.reduce_max(segment_ids), 1)
        ids = math_ops.cast(sp_ids.values, dtypes.int32)
        embeddings = embedding_lookup(params, ids, partition_strategy=partition_strategy)
        dtype = embeddings.dtype.base_dtype
        weights = (constant_op.ones_like(ids, dtype=dtype) if sp_weights is None
                   else math_ops.cast(sp_weights.values, dtype))
        # One size-1 axis per embedding dimension, so each weight scales its whole row.
        row_rank = _su.dims(ops.convert_to_tensor(params[0]))
        for _ in range(1 if row_rank is None else len(row_rank) - 1):
            weights = array_ops.expand_dims(weights, -1)
        weighted = math_ops.mul(embeddings, weights)
        if combiner == "sum":
            return _nn_index.unsorted_segment_sum(weighted, segment_ids, num_rows, name=scope)
        total = _nn_index.unsorted_segment_sum(weighted, segment_ids, num_rows)
        if combiner == "sqrtn":
            weights = math_ops.square(weights)
        norm = _nn_index.unsorted_segment_sum(weights, segment_ids, num_rows)
        if combiner == "sqrtn":
            norm = math_ops.sqrt(norm)
        return math_ops.div(total, norm, name=scope)


def _last_row(shard_params):
    rows = (_su.dims(ops.convert_to_tensor(shard_params)) or [None])[0]
    if rows is None:
        return math_ops.sub(array_ops.shape(shard_params)[0], 1)
    return np.int32(rows - 1)


def _partition(params, ids, strategy):
    n = len(params)
    if strategy == "mod":
        return math_ops.mod(ids, n), math_ops.div(ids, n)
    if strategy != "div":
        raise ValueError(f"Unrecognized partition strategy: {strategy}")
    sizes = [(_su.dims(ops.convert_to_tensor(p)) or [None])[0] for p in params]
    if None in sizes:
        raise ValueError("embedding_lookup: partition_strategy 'div' needs shards with a "
                         "known number of rows")
    total = sum(sizes)
    per, extras = total // n, total % n
    # The first `extras` shards hold per + 1 rows, the others per rows.
    big = math_ops.div(ids, per + 1)
    small = math_ops.div(math_ops.sub(ids, extras), max(per, 1))
    shard = math_ops.maximum(big, small)
    local = math_ops.select(math_ops.less(shard, extras),
                            math_ops.sub(ids, math_ops.mul(shard, per + 1)),
                            math_ops.sub(ids, math_ops.add(math_ops.mul(shard, per), extras)))
    return shard, local
