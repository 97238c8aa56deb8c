"""Gradients of the reductions Sum, Mean, Max, Min, Prod.

Each gradient first restores the reduced axes as size-1 dimensions ("kept" shape) and
then broadcasts or tiles back to the input: with constants when the shapes are static,
with Shape/Select ops when they are known only at run time.
"""

from __future__ import annotations

import numpy as np

from scopeflow.framework.registry import RegisterGradient
from scopeflow.ops import array_ops, math_ops
from scopeflow.ops import shape_util as su

M = math_ops


def _dynamic_axis_mask(x, indices):
    """A bool vector over x's dimensions: True where the reduction indices name it."""
    rank = array_ops.rank(x)
    axes = M.mod(M.add(array_ops.reshape(indices, [-1]), rank), rank)
    hits = M.equal(array_ops.expand_dims(M.range(0, rank), 1), array_ops.expand_dims(axes, 0))
    return M.reduce_any(hits, [1])


def kept_shape(op):
    """(kept, multiples): the reduction output's shape with size-1 reduced axes, and the
    factors that tile it back to the input shape. Constants when static."""
    x, indices = op.inputs[0], op.inputs[1]
    d, axes = su.dims(x), su.constant_list(indices)
    if d is not None and axes is not None:
        axes = {a % len(d) for a in axes} if d else set()
        if None not in d:
            kept = [1 if i in axes else v for i, v in enumerate(d)]
            multiples = [v if i in axes else 1 for i, v in enumerate(d)]
            return np.asarray(kept, np.int32), np.asarray(multiples, np.int32)
        mask = np.asarray([i in axes for i in range(len(d))], dtype=bool)
    else:
        mask = _dynamic_axis_mask(x, indices)
    from scopeflow.ops import constant_op

    shape = array_ops.shape(x)
    kept = M.select(mask, constant_op.ones_like(shape), shape)
    return kept, M.div(shape, M.maximum(kept, 1))


def _sum_to_input(op, grad):
    kept, multiples = kept_shape(op)
    return array_ops.tile(array_ops.reshape(grad, kept), multiples)


@RegisterGradient("Sum")
def _sum_grad(op, grad):
    """d sum(x) = grad broadcast back over the reduced axes"""
    return _sum_to_input(op, grad), None


@RegisterGradient("Mean")
def _mean_grad(op, grad):
    """d mean(x) = grad broadcast back, divided by the number of reduced elements"""
    x, y = op.inputs[0], op.outputs[0]
    dx, dy = su.dims(x), su.dims(y)
    if dx is not None and dy is not None and None not in dx and None not in dy:
        count = int(np.prod(dx)) // max(int(np.prod(dy)), 1)
        factor = np.asarray(max(count, 1), dtype=x.dtype.base_dtype.as_numpy_dtype)
    else:
        ratio = M.div(array_ops.size(x), M.maximum(array_ops.size(y), 1))
        factor = M.cast(M.maximum(ratio, 1), grad.dtype.base_dtype)
    return M.div(_sum_to_input(op, grad), factor), None


def _min_or_max_grad(op, grad):
    """grad shared equally among the elements equal to the extreme value"""
    kept, _ = kept_shape(op)
    x = op.inputs[0]
    y = array_ops.reshape(op.outputs[0], kept)
    hits = M.cast(M.equal(y, x), grad.dtype.base_dtype)
    count = M.reduce_sum(hits, op.inputs[1], keep_dims=True)
    return M.mul(M.div(hits, count), array_ops.reshape(grad, kept)), None


@RegisterGradient("Max")
def _max_grad(op, grad):
    """d max(x) = grad / n at the n maximal elements, 0 elsewhere"""
    return _min_or_max_grad(op, grad)


@RegisterGradient("Min")
def _min_grad(op, grad):
    """d min(x) = grad / n at the n minimal elements, 0 elsewhere"""
    return _min_or_max_grad(op, grad)


@RegisterGradient("Prod")
def _prod_grad(op, grad):
    """d prod(x) = grad * prod(x) / x (undefined where an x is 0)"""
    kept, _ = kept_shape(op)
    y = array_ops.reshape(op.outputs[0], kept)
    return M.div(M.mul(array_ops.reshape(grad, kept), y), op.inputs[0]), None
