"""Neural-network kernels: activations, softmax, bias_add, conv2d, pooling, LRN, losses.

Images are NHWC and filters HWIO, as in TensorFlow; torch works in NCHW/OIHW, so the
kernels permute at the boundary. SAME padding is TensorFlow's (the extra pixel of an
odd total goes after), applied explicitly because torch pads symmetrically.
The *Grad ops are the backward kernels that nn_grad.py builds into gradient graphs.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from scopeflow.framework import dtypes
from scopeflow.framework.registry import register_op
from scopeflow.ops import shape_util as su


def _like_input(op, index=0):
    t = op.inputs[index]
    return [(t.dtype.base_dtype, t.get_shape())]


# ---- activations and their backward kernels -----------------------------------------------

_ACTIVATIONS = {
    "Relu": torch.relu,
    "Relu6": lambda x: torch.clamp(x, 0, 6),
    "Elu": F.elu,
    "Softplus": F.softplus,
    "Softsign": F.softsign,
}
_ACTIVATION_GRADS = {
    # (gradients, features); Relu's and Elu's gradients pass the forward outputs instead
    # (for Relu they are positive exactly where the features are)
    "ReluGrad": lambda g, y: torch.ops.aten.threshold_backward(g, y, 0),
    "Relu6Grad": lambda g, x: g * ((x > 0) & (x < 6)),
    "EluGrad": lambda g, y: torch.where(y < 0, g * (y + 1), g),
    "SoftplusGrad": lambda g, x: g * torch.sigmoid(x),
    "SoftsignGrad": lambda g, x: g / torch.square(1 + torch.abs(x)),
}
for _type, _fn in _ACTIVATIONS.items():
    register_op(_type, infer=_like_input, kernel=lambda ctx, x, fn=_fn: fn(x), inline=_fn)
for _type, _fn in _ACTIVATION_GRADS.items():
    register_op(_type, infer=_like_input, kernel=lambda ctx, g, x, fn=_fn: fn(g, x), inline=_fn)


def _logits_infer(op):
    su.with_rank_at_least(op, su.dims(op.inputs[0]), 1)
    return _like_input(op)


def _softmax(x):
    return torch.softmax(x, -1)


def _log_softmax(x):
    return torch.log_softmax(x, -1)


register_op("Softmax", infer=_logits_infer, kernel=lambda ctx, x: _softmax(x), inline=_softmax)
register_op("LogSoftmax", infer=_logits_infer, kernel=lambda ctx, x: _log_softmax(x),
            inline=_log_softmax)


# ---- bias_add --------------------------------------------------------------------------------


def _bias_add_infer(op):
    su.check_same_dtype(op)
    d = su.with_rank_at_least(op, su.dims(op.inputs[0]), 2)
    b = su.with_rank(op, su.dims(op.inputs[1]), 1)
    if d is not None:
        d = d[:-1] + [su.merge_dim(op, d[-1], b[0])]
    return [(op.inputs[0].dtype.base_dtype, su.make_shape(d))]


def _bias_add_grad_infer(op):
    d = su.dims(op.inputs[0])
    return [(op.inputs[0].dtype.base_dtype, su.make_shape([None if d is None else d[-1]]))]


def _bias_add_grad_kernel(ctx, g):
    return g.sum(dim=tuple(range(g.dim() - 1))) if g.dim() > 1 else g


register_op("BiasAdd", infer=_bias_add_infer, kernel=lambda ctx, x, b: x + b, inline=torch.add)
register_op("BiasAddGrad", infer=_bias_add_grad_infer, kernel=_bias_add_grad_kernel)


# ---- windows: conv2d and pooling -------------------------------------------------------------


def _window_out(op, size, k, stride, padding):
    if size is None or k is None:
        return None
    if padding == "SAME":
        return -(-size // stride)
    if padding != "VALID":
        raise su.shape_error(op, f"Invalid padding {padding!r}: expected 'SAME' or 'VALID'")
    if size < k:
        raise su.shape_error(op, f"Negative dimension size caused by a window of {k} over "
                                 f"an input of {size} with VALID padding")
    return (size - k) // stride + 1


def _check_strides(op, name):
    values = op.get_attr(name)
    if len(values) != 4:
        raise su.shape_error(op, f"{name} must have 4 elements, got {len(values)}")
    if values[0] != 1 or values[3] != 1:
        raise su.shape_error(op, f"Current implementation does not yet support {name} in "
                                 "the batch and depth dimensions.")
    return values


def _conv2d_infer(op):
    su.check_same_dtype(op)
    x = su.with_rank(op, su.dims(op.inputs[0]), 4)
    f = su.with_rank(op, su.dims(op.inputs[1]), 4)
    su.merge_dim(op, x[3], f[2])
    s, padding = _check_strides(op, "strides"), op.get_attr("padding")
    out = [x[0], _window_out(op, x[1], f[0], s[1], padding),
           _window_out(op, x[2], f[1], s[2], padding), f[3]]
    return [(op.inputs[0].dtype.base_dtype, su.make_shape(out))]


def _pool_infer(op):
    x = su.with_rank(op, su.dims(op.inputs[0]), 4)
    k, s = _check_strides(op, "ksize"), _check_strides(op, "strides")
    padding = op.get_attr("padding")
    out = [x[0], _window_out(op, x[1], k[1], s[1], padding),
           _window_out(op, x[2], k[2], s[2], padding), x[3]]
    return [(op.inputs[0].dtype.base_dtype, su.make_shape(out))]


def _same_pads(size, k, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2


def _padded_nchw(x, kh, kw, strides, padding, value=0.0):
    """NHWC -> NCHW, with TensorFlow's SAME padding applied explicitly."""
    x = x.permute(0, 3, 1, 2)
    if padding == "SAME":
        top, bottom = _same_pads(x.shape[2], kh, strides[1])
        left, right = _same_pads(x.shape[3], kw, strides[2])
        if top or bottom or left or right:
            x = F.pad(x, (left, right, top, bottom), value=value)
    return x


def _conv2d(x, f, attrs):
    s = attrs["strides"]
    xp = _padded_nchw(x, f.shape[0], f.shape[1], s, attrs["padding"])
    y = F.conv2d(xp, f.permute(3, 2, 0, 1), stride=(s[1], s[2]))
    return y.permute(0, 2, 3, 1)


def _max_pool(x, attrs):
    k, s = attrs["ksize"], attrs["strides"]
    xp = _padded_nchw(x, k[1], k[2], s, attrs["padding"], value=float("-inf"))
    return F.max_pool2d(xp, (k[1], k[2]), (s[1], s[2])).permute(0, 2, 3, 1)


def _avg_pool(x, attrs):
    """Averages over the window's real (unpadded) elements, as TensorFlow does."""
    k, s = attrs["ksize"], attrs["strides"]
    window = (k[1], k[2])
    total = F.avg_pool2d(_padded_nchw(x, k[1], k[2], s, attrs["padding"]), window, (s[1], s[2]))
    if attrs["padding"] == "SAME":
        ones = torch.ones((1,) + tuple(x.shape[1:3]) + (1,), dtype=x.dtype, device=x.device)
        count = F.avg_pool2d(_padded_nchw(ones, k[1], k[2], s, "SAME"), window, (s[1], s[2]))
        total = total / count
    return total.permute(0, 2, 3, 1)


def _vjp(fn, primal, grad, *others):
    """The vector-Jacobian product of `fn(primal, *others)`: backward kernels reuse torch's.

    Clones first, because a session may run its kernels under torch.inference_mode."""
    with torch.inference_mode(False), torch.enable_grad():
        x = primal.detach().clone().requires_grad_(True)
        (result,) = torch.autograd.grad(fn(x, *(o.clone() for o in others)), x, grad.clone())
    return result


def _zeros_of_sizes(ctx, index, sizes, like):
    shape = su.int_list(ctx, index, sizes)
    return torch.zeros(shape, dtype=like.dtype, device=like.device)


register_op("Conv2D", infer=_conv2d_infer, kernel=lambda ctx, x, f: _conv2d(x, f, ctx.attrs))
register_op("MaxPool", infer=_pool_infer, kernel=lambda ctx, x: _max_pool(x, ctx.attrs))
register_op("AvgPool", infer=_pool_infer, kernel=lambda ctx, x: _avg_pool(x, ctx.attrs))


def _sizes_infer(index_of_sizes, index_of_dtype):
    def infer(op):
        d = su.partial_dims_from_tensor(op.inputs[index_of_sizes], 4)
        return [(op.inputs[index_of_dtype].dtype.base_dtype, su.make_shape(d))]

    return infer


def _conv2d_backprop_input(ctx, sizes, f, g):
    return _vjp(lambda x, w: _conv2d(x, w, ctx.attrs), _zeros_of_sizes(ctx, 0, sizes, f), g, f)


def _conv2d_backprop_filter(ctx, x, sizes, g):
    return _vjp(lambda w, v: _conv2d(v, w, ctx.attrs), _zeros_of_sizes(ctx, 1, sizes, x), g, x)


register_op("Conv2DBackpropInput", infer=_sizes_infer(0, 1), kernel=_conv2d_backprop_input)
register_op("Conv2DBackpropFilter", infer=_sizes_infer(1, 0), kernel=_conv2d_backprop_filter)
register_op("MaxPoolGrad", infer=_like_input,
            kernel=lambda ctx, x, y, g: _vjp(lambda v: _max_pool(v, ctx.attrs), x, g))
register_op("AvgPoolGrad", infer=_sizes_infer(0, 1),
            kernel=lambda ctx, sizes, g: _vjp(lambda v: _avg_pool(v, ctx.attrs),
                                              _zeros_of_sizes(ctx, 0, sizes, g), g))


# ---- local response normalization ----------------------------------------------------------


def _lrn(x, attrs):
    """x / (bias + alpha * sum of squares over depth_radius neighbouring channels) ** beta."""
    r = attrs["depth_radius"]
    sq = F.pad(torch.square(x), (r + 1, r))
    window = torch.cumsum(sq, dim=-1)
    sums = window[..., 2 * r + 1:] - window[..., :-2 * r - 1]
    return x / torch.pow(attrs["bias"] + attrs["alpha"] * sums, attrs["beta"])


register_op("LRN", infer=_like_input, kernel=lambda ctx, x: _lrn(x, ctx.attrs))
register_op("LRNGrad", infer=_like_input,
            kernel=lambda ctx, g, x, y: _vjp(lambda v: _lrn(v, ctx.attrs), x, g))


# ---- losses and ranking ----------------------------------------------------------------------


register_op("L2Loss", infer=lambda op: [(op.inputs[0].dtype.base_dtype, su.make_shape([]))],
            kernel=lambda ctx, x: torch.sum(torch.square(x)) * 0.5)


def _xent_infer(op):
    logits = su.with_rank(op, su.dims(op.inputs[0]), 2)
    labels = su.dims(op.inputs[1])
    if op.type == "SoftmaxCrossEntropyWithLogits":
        su.check_same_dtype(op)
        logits = su.merge_dims(op, logits, su.with_rank(op, labels, 2))
    else:
        logits[0] = su.merge_dim(op, logits[0], su.with_rank(op, labels, 1)[0])
    dtype = op.inputs[0].dtype.base_dtype
    return [(dtype, su.make_shape(logits[:1])), (dtype, su.make_shape(logits))]


def _softmax_xent(ctx, logits, labels):
    log_p = torch.log_softmax(logits, -1)
    loss = -torch.sum(labels * log_p, -1)
    return loss, torch.exp(log_p) - labels


def _sparse_softmax_xent(ctx, logits, labels):
    log_p = torch.log_softmax(logits, -1)
    index = labels.long().unsqueeze(-1)
    loss = -torch.gather(log_p, -1, index).squeeze(-1)
    backprop = torch.exp(log_p).scatter_add(-1, index, -torch.ones_like(log_p[..., :1]))
    return loss, backprop


register_op("SoftmaxCrossEntropyWithLogits", infer=_xent_infer, kernel=_softmax_xent)
register_op("SparseSoftmaxCrossEntropyWithLogits", infer=_xent_infer,
            kernel=_sparse_softmax_xent)


def _in_top_k_infer(op):
    p = su.with_rank(op, su.dims(op.inputs[0]), 2)
    t = su.with_rank(op, su.dims(op.inputs[1]), 1)
    return [(dtypes.bool, su.make_shape([su.merge_dim(op, p[0], t[0])]))]


def _in_top_k(ctx, predictions, targets):
    """True where fewer than k classes score strictly higher than the target (ties count
    as in), False for a non-finite target score or an out-of-range target."""
    classes = predictions.shape[1]
    valid = (targets >= 0) & (targets < classes)
    index = targets.long().clamp(0, max(classes - 1, 0)).unsqueeze(1)
    target_score = torch.gather(predictions, 1, index)
    higher = (predictions > target_score).sum(dim=1)
    return valid & torch.isfinite(target_score.squeeze(1)) & (higher < ctx.attrs["k"])


register_op("InTopK", infer=_in_top_k_infer, kernel=_in_top_k)


def _top_k_infer(op):
    d = su.with_rank_at_least(op, su.dims(op.inputs[0]), 1)
    k = op.get_attr("k")
    if d is not None:
        if d[-1] is not None and d[-1] < k:
            raise su.shape_error(op, f"input must have at least k={k} columns, got {d[-1]}")
        d = d[:-1] + [k]
    return [(op.inputs[0].dtype.base_dtype, su.make_shape(d)), (dtypes.int32, su.make_shape(d))]


def _top_k(ctx, x):
    """The k largest along the last axis; of equal values the lower index comes first."""
    values, indices = torch.sort(x, dim=-1, descending=True, stable=True)
    k = ctx.attrs["k"]
    return values[..., :k], indices[..., :k].to(torch.int32)


register_op("TopK", infer=_top_k_infer, kernel=_top_k)
