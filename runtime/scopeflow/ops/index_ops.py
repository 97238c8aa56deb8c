"""Ops that pick or place values by index: gather, gather_nd, one_hot, sparse_to_dense and
unsorted_segment_sum (which also serves the gradients of gathers)."""

from __future__ import annotations

import numpy as np
import torch

from scopeflow import errors
from scopeflow.framework import dtypes, ops
from scopeflow.framework.registry import register_op
from scopeflow.ops import shape_util as su

__all__ = ["gather", "gather_nd", "one_hot", "sparse_to_dense", "unsorted_segment_sum"]


def _apply(op_type, inputs, attrs=None, name=None):
    return ops.apply_op(op_type, inputs, attrs, name=name).outputs[0]


def gather(params, indices, validate_indices=None, name=None):
    """Rows of `params` picked by `indices` (any shape): out[i, ...] = params[indices[i], ...]."""
    if isinstance(indices, (int, list, tuple, np.ndarray)):
        indices = np.asarray(indices, dtype=np.int32)
    return _apply("Gather", [params, indices], name=name)


def _gather_infer(op):
    p, i = su.dims(op.inputs[0]), su.dims(op.inputs[1])
    p = su.with_rank_at_least(op, p, 1)
    out = None if p is None or i is None else i + p[1:]
    return [(op.inputs[0].dtype.base_dtype, su.make_shape(out))]


def _gather_kernel(ctx, params, indices):
    flat_indices = indices.reshape(-1).long()
    try:
        flat = torch.index_select(params, 0, flat_indices)
    except (IndexError, RuntimeError):
        raise _bad_index(flat_indices, params.shape[0]) from None
    return flat.reshape(tuple(indices.shape) + tuple(params.shape[1:]))


def _bad_index(flat_indices, limit):
    """TensorFlow's message for the first index outside [0, limit)."""
    bad = ((flat_indices < 0) | (flat_indices >= limit)).nonzero()
    if not len(bad):
        return errors.InvalidArgumentError(None, None, "Gather failed")
    i = int(bad[0])
    return errors.InvalidArgumentError(
        None, None, f"indices[{i}] = {int(flat_indices[i])} is not in [0, {limit})")


register_op("Gather", infer=_gather_infer, kernel=_gather_kernel)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """A tensor with on_value where the last (or `axis`) index equals indices, else off_value."""
    dtype = dtypes.as_dtype(dtype or getattr(on_value, "dtype", None) or dtypes.float32)
    on = ops.convert_to_tensor(1 if on_value is None else on_value, dtype=dtype)
    off = ops.convert_to_tensor(0 if off_value is None else off_value, dtype=dtype)
    depth = np.asarray(depth, dtype=np.int32) if isinstance(depth, int) else depth
    attrs = {"axis": -1 if axis is None else int(axis)}
    return _apply("OneHot", [indices, depth, on, off], attrs, name=name)


def _one_hot_infer(op):
    d = su.dims(op.inputs[0])
    depth = su.constant_list(op.inputs[1])
    dtype = op.inputs[2].dtype.base_dtype
    if d is None:
        return [(dtype, su.make_shape(None))]
    axis = op.get_attr("axis")
    axis = len(d) if axis == -1 else su.normalize_axis(op, axis, len(d) + 1, "axis")
    return [(dtype, su.make_shape(d[:axis] + [depth and depth[0]] + d[axis:]))]


def _one_hot_kernel(ctx, indices, depth, on, off):
    classes = torch.arange(su.int_list(ctx, 1, depth)[0], device=indices.device)
    out = torch.where(indices.long().unsqueeze(-1) == classes, on, off)
    axis = ctx.attrs["axis"]
    return out if axis == -1 else torch.movedim(out, -1, axis)


register_op("OneHot", infer=_one_hot_infer, kernel=_one_hot_kernel)


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0,
                    validate_indices=True, name=None):
    """A dense tensor of output_shape holding sparse_values at sparse_indices (a 0-, 1- or
    2-D index tensor, one full index per row) and default_value elsewhere."""
    values = ops.convert_to_tensor(sparse_values)
    default = ops.convert_to_tensor(default_value, dtype=values.dtype.base_dtype)
    if isinstance(output_shape, (list, tuple, int)):
        output_shape = np.asarray(output_shape, dtype=np.int32)
    return _apply("SparseToDense", [sparse_indices, output_shape, values, default],
                  {"validate_indices": bool(validate_indices)}, name=name)


def _sparse_to_dense_infer(op):
    return [(op.inputs[2].dtype.base_dtype,
             su.make_shape(su.partial_dims_from_tensor(op.inputs[1])))]


def _index_tuple(indices, rank):
    indices = indices.long().reshape(-1, rank) if indices.dim() < 2 else indices.long()
    return tuple(indices.t())


def _sparse_to_dense_kernel(ctx, indices, shape, values, default):
    if isinstance(values, np.ndarray):  # strings: numpy object arrays, not torch
        out = np.full(su.int_list(ctx, 1, shape), np.asarray(default, object)[()], dtype=object)
        rows = np.asarray(indices.cpu(), np.int64).reshape(-1, out.ndim)
        out[tuple(rows.T)] = values  # a scalar value fills every listed index
        return out
    out = torch.full(su.int_list(ctx, 1, shape), default.item(), dtype=values.dtype,
                     device=values.device)
    out[_index_tuple(indices, out.dim())] = values
    return out


register_op("SparseToDense", infer=_sparse_to_dense_infer, kernel=_sparse_to_dense_kernel)


def gather_nd(params, indices, name=None):
    """out[i...] = params[indices[i...]]: the last index dimension addresses params."""
    return _apply("GatherNd", [params, indices], name=name)


def _gather_nd_infer(op):
    p, i = su.dims(op.inputs[0]), su.dims(op.inputs[1])
    if p is None or i is None or i[-1] is None:
        return [(op.inputs[0].dtype.base_dtype, su.make_shape(None))]
    return [(op.inputs[0].dtype.base_dtype, su.make_shape(i[:-1] + p[i[-1]:]))]


register_op("GatherNd", infer=_gather_nd_infer,
            kernel=lambda ctx, params, indices: params[tuple(indices.long().unbind(-1))])


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """out[k, ...] = sum of data[i..., ...] over all i with segment_ids[i...] == k."""
    if isinstance(num_segments, int):
        num_segments = np.asarray(num_segments, dtype=np.int32)
    return _apply("UnsortedSegmentSum", [data, segment_ids, num_segments], name=name)


def _segment_sum_infer(op):
    d, ids = su.dims(op.inputs[0]), su.dims(op.inputs[1])
    n = su.constant_list(op.inputs[2])
    out = None if d is None or ids is None else [n and n[0]] + d[len(ids):]
    return [(op.inputs[0].dtype.base_dtype, su.make_shape(out))]


def _segment_sum_kernel(ctx, data, ids, num_segments):
    rest = tuple(data.shape[ids.dim():])
    out = torch.zeros((int(num_segments),) + rest, dtype=data.dtype, device=data.device)
    return out.index_add_(0, ids.reshape(-1).long(), data.reshape((-1,) + rest))


register_op("UnsortedSegmentSum", infer=_segment_sum_infer, kernel=_segment_sum_kernel)
