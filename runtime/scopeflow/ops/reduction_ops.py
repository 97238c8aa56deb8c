"""Reductions (Sum, Mean, Max, Min, Prod, All, Any with reduction_indices and keep_dims)
and ArgMax/ArgMin. Re-exported by math_ops, where TensorFlow 0.6 keeps them."""

from __future__ import annotations

import numpy as np
import torch

from scopeflow.framework import dtypes, ops
from scopeflow.framework.registry import register_op
from scopeflow.ops import shape_util as su


def _apply(op_type, inputs, attrs=None, name=None):
    return ops.apply_op(op_type, inputs, attrs, name=name).outputs[0]


def _reduction_indices(x, reduction_indices):
    if reduction_indices is None:
        d = su.dims(x)
        if d is None:
            from scopeflow.ops import math_ops

            return math_ops.range(0, _apply("Rank", [x]))
        reduction_indices = list(range(len(d)))
    if isinstance(reduction_indices, (list, tuple, int, np.integer, np.ndarray)):
        return np.asarray(reduction_indices, dtype=np.int32)
    return reduction_indices


def _reduce(op_type, x, reduction_indices, keep_dims, name):
    x = ops.convert_to_tensor(x)
    indices = _reduction_indices(x, reduction_indices)
    return _apply(op_type, [x, indices], {"keep_dims": bool(keep_dims)}, name=name)


def _reduction(op_type, doc):
    def fn(input_tensor, reduction_indices=None, keep_dims=False, name=None):
        return _reduce(op_type, input_tensor, reduction_indices, keep_dims, name)

    fn.__name__ = fn.__qualname__ = "reduce_" + op_type.lower()
    fn.__doc__ = (f"The {doc} of elements across `reduction_indices` (all when None); "
                  f"keep_dims keeps reduced axes with length 1 (op type {op_type!r}).")
    return fn


reduce_sum, reduce_mean = _reduction("Sum", "sum"), _reduction("Mean", "mean")
reduce_max, reduce_min = _reduction("Max", "maximum"), _reduction("Min", "minimum")
reduce_prod = _reduction("Prod", "product")
reduce_all, reduce_any = _reduction("All", "logical and"), _reduction("Any", "logical or")


def _reduce_infer(op):
    x = op.inputs[0]
    d, keep = su.dims(x), op.get_attr("keep_dims")
    indices = su.constant_list(op.inputs[1])
    if indices is None or d is None:
        return [(x.dtype.base_dtype, su.make_shape(d and [None] * len(d) if keep else None))]
    axes = set()
    for i in indices:
        if not -len(d) <= i < len(d):
            raise su.shape_error(op, f"Invalid reduction dimension {i} for input with "
                                     f"{len(d)} dimensions")
        axes.add(i % len(d))
    if keep:
        out = [1 if i in axes else v for i, v in enumerate(d)]
    else:
        out = [v for i, v in enumerate(d) if i not in axes]
    return [(x.dtype.base_dtype, su.make_shape(out))]


def _axes(ctx, indices):
    return su.int_list(ctx, 1, indices)


def _sum_kernel(ctx, x, indices):
    axes = _axes(ctx, indices)
    return torch.sum(x, dim=axes, keepdim=ctx.attrs["keep_dims"], dtype=x.dtype) if axes else x


def _mean_kernel(ctx, x, indices):
    axes = _axes(ctx, indices)
    if not axes:
        return x
    if x.is_floating_point() or x.is_complex():
        return torch.mean(x, dim=axes, keepdim=ctx.attrs["keep_dims"])
    total = torch.sum(x, dim=axes, keepdim=ctx.attrs["keep_dims"], dtype=x.dtype)
    count = int(np.prod([x.shape[a] for a in axes]))
    return torch.div(total, max(count, 1), rounding_mode="trunc")


def _one_axis_at_a_time(fn):
    def kernel(ctx, x, indices):
        keep = ctx.attrs["keep_dims"]
        for axis in sorted({a % x.dim() for a in _axes(ctx, indices)}, reverse=True):
            x = fn(x, axis, keep)
        return x

    return kernel


def _all_axes_at_once(fn):
    def kernel(ctx, x, indices):
        axes = _axes(ctx, indices)
        return fn(x, dim=axes, keepdim=ctx.attrs["keep_dims"]) if axes else x

    return kernel


_REDUCE_KERNELS = {
    "Sum": _sum_kernel,
    "Mean": _mean_kernel,
    "Max": _all_axes_at_once(torch.amax),
    "Min": _all_axes_at_once(torch.amin),
    "Prod": _one_axis_at_a_time(lambda x, a, k: torch.prod(x, a, keepdim=k, dtype=x.dtype)),
    "All": _one_axis_at_a_time(lambda x, a, k: torch.all(x, a, keepdim=k)),
    "Any": _one_axis_at_a_time(lambda x, a, k: torch.any(x, a, keepdim=k)),
}
for _type, _kernel in _REDUCE_KERNELS.items():
    register_op(_type, infer=_reduce_infer, kernel=_kernel)


def argmax(input, dimension, name=None):
    """Index of the largest value along `dimension` (int64)."""
    return _apply("ArgMax", [input, np.asarray(dimension, np.int32)], name=name)


def argmin(input, dimension, name=None):
    """Index of the smallest value along `dimension` (int64)."""
    return _apply("ArgMin", [input, np.asarray(dimension, np.int32)], name=name)


def _arg_infer(op):
    d = su.dims(op.inputs[0])
    axis = su.constant_list(op.inputs[1])
    if d is None or axis is None:
        return [(dtypes.int64, su.make_shape(None if d is None else [None] * (len(d) - 1)))]
    axis = su.normalize_axis(op, axis[0], len(d))
    return [(dtypes.int64, su.make_shape(d[:axis] + d[axis + 1:]))]


register_op("ArgMax", infer=_arg_infer,
            kernel=lambda ctx, x, dim: torch.argmax(x, dim=su.int_list(ctx, 1, dim)[0]))
register_op("ArgMin", infer=_arg_infer,
            kernel=lambda ctx, x, dim: torch.argmin(x, dim=su.int_list(ctx, 1, dim)[0]))
