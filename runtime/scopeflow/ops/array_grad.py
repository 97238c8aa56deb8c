"""Gradients of array_ops (and of Fill), and the array op types with no gradient."""

from __future__ import annotations

import numpy as np
import torch

from scopeflow.framework import dtypes, ops
from scopeflow.framework.indexed_slices import IndexedSlices
from scopeflow.framework.registry import NotDifferentiable, RegisterGradient, register_op
from scopeflow.ops import array_ops, math_ops
from scopeflow.ops import shape_util as su
from scopeflow.ops.math_grad import shape_of

A, M = array_ops, math_ops


@RegisterGradient("Fill")
def _fill_grad(op, grad):
    """fill(dims, value): d value = sum(grad)"""
    return None, M.reduce_sum(grad)


@RegisterGradient("Reshape")
def _reshape_grad(op, grad):
    """d reshape(x) = reshape(grad, shape(x))"""
    return A.reshape(grad, shape_of(op.inputs[0])), None


@RegisterGradient("Squeeze")
def _squeeze_grad(op, grad):
    """d squeeze(x) = reshape(grad, shape(x))"""
    return A.reshape(grad, shape_of(op.inputs[0]))


@RegisterGradient("ExpandDims")
def _expand_dims_grad(op, grad):
    """d expand_dims(x) = reshape(grad, shape(x))"""
    return A.reshape(grad, shape_of(op.inputs[0])), None


@RegisterGradient("Concat")
def _concat_grad(op, grad):
    """Each input gets its own block of grad along concat_dim"""
    axis = su.constant_list(op.inputs[0])
    values = op.inputs[1:]
    rank = next((len(d) for d in map(su.dims, values) if d is not None), None)
    if axis is None or rank is None:
        return [None] + _dynamic_concat_grads(op.inputs[0], values, grad)
    axis = axis[0] % rank
    sizes = [(su.dims(v) or [None] * rank)[axis] for v in values]
    if None in sizes:
        return [None] + _dynamic_concat_grads(op.inputs[0], values, grad)
    grads, offset = [], 0
    for size in sizes:
        begin = [0] * rank
        begin[axis] = offset
        extent = [-1] * rank
        extent[axis] = size
        grads.append(A.slice(grad, begin, extent))
        offset += size
    return [None] + grads


def _dynamic_concat_grads(concat_dim, values, grad):
    rank = A.rank(grad)
    axis = M.mod(M.add(concat_dim, rank), rank)
    at_axis = M.cast(M.equal(M.range(0, rank), axis), dtypes.int32)
    offset, grads = None, []
    for v in values:
        size = A.shape(v)
        begin = M.mul(at_axis, 0) if offset is None else offset
        grads.append(A.slice(grad, begin, M.sub(M.mul(size, at_axis), M.sub(1, at_axis))))
        offset = M.add(begin, M.mul(size, at_axis))
    return grads


@RegisterGradient("Pack")
def _pack_grad(op, grad):
    """d pack(xs) = unpack(grad)"""
    return A.unpack(grad, num=len(op.inputs), axis=op.get_attr("axis"))


@RegisterGradient("Unpack")
def _unpack_grad(op, *grads):
    """d unpack(x) = pack(grads)"""
    return A.pack(list(grads), axis=op.get_attr("axis"))


@RegisterGradient("Split")
def _split_grad(op, *grads):
    """d split(x) = concat(grads) along split_dim"""
    return None, A.concat(op.inputs[0], list(grads))


@RegisterGradient("Slice")
def _slice_grad(op, grad):
    """d slice(x) = grad padded with zeros back to the shape of x"""
    x, begin = op.inputs[0], op.inputs[1]
    dx, dy, b = su.dims(x), su.dims(op.outputs[0]), su.constant_list(begin)
    if b is not None and dx is not None and dy is not None and None not in dx + dy:
        paddings = [[lo, n - lo - m] for lo, n, m in zip(b, dx, dy)]
        return A.pad(grad, paddings), None, None
    after = M.sub(M.sub(A.shape(x), A.shape(op.outputs[0])), begin)
    return A.pad(grad, A.pack([begin, after], axis=1)), None, None


@RegisterGradient("StridedSlice")
def _strided_slice_grad(op, grad):
    """grad written back into zeros shaped like x at the sliced positions"""
    x, begin, end, strides = op.inputs
    attrs = {m: op.get_attr(m) for m in ("begin_mask", "end_mask", "ellipsis_mask",
                                         "new_axis_mask", "shrink_axis_mask")}
    dx = A._apply("StridedSliceGrad", [shape_of(x), begin, end, strides, grad], attrs)[0]
    return dx, None, None, None


@RegisterGradient("StridedSliceGrad")
def _strided_slice_grad_grad(op, grad):
    """The gradient of the scatter is the slice"""
    _, begin, end, strides, _ = op.inputs
    attrs = {m: op.get_attr(m) for m in ("begin_mask", "end_mask", "ellipsis_mask",
                                         "new_axis_mask", "shrink_axis_mask")}
    return None, None, None, None, A._apply("StridedSlice", [grad, begin, end, strides],
                                            attrs)[0]


@RegisterGradient("Gather")
def _gather_grad(op, grad):
    """d params = IndexedSlices(grad as rows, indices flattened, shape(params)): only the
    gathered rows, never a params-sized tensor; duplicate indices add up when applied."""
    params, indices = op.inputs
    p = su.dims(params)
    if p is not None and None not in p:
        dense_shape = ops.convert_to_tensor(np.asarray(p, dtype=np.int32))
        values_shape = [-1] + p[1:]
    else:
        dense_shape = A.shape(params)
        values_shape = A.concat(0, [[-1], A.slice(dense_shape, [1], [-1])])
    values = A.reshape(grad, values_shape)
    return IndexedSlices(values, A.reshape(indices, [-1]), dense_shape), None


@RegisterGradient("GatherNd")
def _gather_nd_grad(op, grad):
    """d params = grad summed into the addressed slices (via their row-major offsets)"""
    params, indices = op.inputs
    p, i = su.dims(params), su.dims(indices)
    if p is None or None in p or i is None or i[-1] is None:
        raise ValueError(f"The gradient of GatherNd '{op.name}' needs the static shape of "
                         "params and the index depth")
    depth = i[-1]
    strides = np.cumprod([1] + p[1:depth][::-1])[::-1].astype(np.int32)
    offsets = M.reduce_sum(M.mul(indices, strides), [len(i) - 1])
    rows = A.reshape(grad, [-1] + p[depth:])
    summed = A.unsorted_segment_sum(rows, A.reshape(offsets, [-1]), int(np.prod(p[:depth])))
    return A.reshape(summed, p), None


@RegisterGradient("UnsortedSegmentSum")
def _unsorted_segment_sum_grad(op, grad):
    """d data = grad gathered by segment id"""
    return A.gather(grad, op.inputs[1]), None, None


@RegisterGradient("SparseToDense")
def _sparse_to_dense_grad(op, grad):
    """values get grad at their indices; the default value gets the rest of grad's sum"""
    indices, _, values, _ = op.inputs
    rank = len(su.dims(op.outputs[0]) or [1])
    picked = A.gather_nd(grad, A.reshape(indices, [-1, rank]))
    if su.dims(values) == []:
        picked = M.reduce_sum(picked)
    return None, None, picked, M.sub(M.reduce_sum(grad), M.reduce_sum(picked))


@RegisterGradient("Tile")
def _tile_grad(op, grad):
    """Sum grad over the copies: reshape to [m0, d0, m1, d1, ...], reduce even axes"""
    x, multiples = op.inputs
    dx, m = su.dims(x), su.constant_list(multiples)
    if dx is not None and m is not None and None not in dx:
        split = [v for pair in zip(m, dx) for v in pair]
        return M.reduce_sum(A.reshape(grad, split), list(range(0, len(split), 2))), None
    split = A.reshape(A.transpose(A.pack([multiples, A.shape(x)])), [-1])
    axes = M.range(0, A.size(split), 2)
    return M.reduce_sum(A.reshape(grad, split), axes), None


@RegisterGradient("Pad")
def _pad_grad(op, grad):
    """d pad(x) = the block of grad where x was placed"""
    x, paddings = op.inputs
    p = su.constant_value(paddings)
    if p is not None:
        begin = np.asarray(p, dtype=np.int32).reshape(-1, 2)[:, 0]
    else:
        begin = A.reshape(A.slice(paddings, [0, 0], [-1, 1]), [-1])
    return A.slice(grad, begin, shape_of(x)), None


def _invert_permutation_infer(op):
    return [(op.inputs[0].dtype.base_dtype, op.inputs[0].get_shape())]


def _invert_permutation(ctx, perm):
    return torch.argsort(perm.long()).to(perm.dtype)


register_op("InvertPermutation", infer=_invert_permutation_infer, kernel=_invert_permutation)


@RegisterGradient("Transpose")
def _transpose_grad(op, grad):
    """d transpose(x, perm) = transpose(grad, inverse(perm))"""
    perm = su.constant_list(op.inputs[1])
    if perm is not None:
        return A.transpose(grad, np.argsort(perm).astype(np.int32)), None
    inverse = A._apply("InvertPermutation", [op.inputs[1]])[0]
    return A.transpose(grad, inverse), None


# The framework's own ops (Const, Variable, Assign, random ops, Identity, Print...) declare
# theirs beside their kernels.
for _type in ("Shape", "Size", "Rank", "StopGradient", "OneHot", "InvertPermutation"):
    NotDifferentiable(_type)
