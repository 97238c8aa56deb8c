"""Constants and placeholders: constant, placeholder, zeros, ones, fill, zeros_like, ones_like."""

from __future__ import annotations

import numpy as np
import torch

from scopeflow import errors
from scopeflow.framework import dtypes, ops, tensor_shape, tensor_util
from scopeflow.framework.registry import NotDifferentiable, RegisterGradient, register_op

__all__ = ["constant", "fill", "ones", "ones_like", "placeholder", "zeros", "zeros_like"]


def to_torch(value: np.ndarray, device: torch.device):
    """A numpy value as a kernel value: a torch tensor on `device`, strings stay numpy."""
    if value.dtype == object:
        return value
    return torch.as_tensor(np.array(value), device=device)


# -- Const ------------------------------------------------------------------------------------
def _const_infer(op):
    value = op.get_attr("value")
    return [(op.get_attr("dtype"), tensor_shape.TensorShape(value.shape))]


def _const_kernel(ctx):
    # Built once per plan; kernels never write into their inputs, so sharing is safe.
    value = ctx.cache
    if value is None:
        value = ctx.cache = to_torch(ctx.attrs["value"], ctx.device)
    return value


_CONST_SPEC = register_op("Const", infer=_const_infer, kernel=_const_kernel)


def _shape_value(values: np.ndarray, shape) -> np.ndarray:
    """Reshapes, or broadcasts the last value to fill `shape` as TensorFlow 0.6 did."""
    shape = tensor_shape.as_shape(shape).as_list()
    count = int(np.prod(shape, dtype=np.int64))
    if values.size == count:
        return values.reshape(shape)
    if values.size > count:
        raise ValueError(
            f"Too many elements provided. Needed at most {count}, but received {values.size}"
        )
    if values.size == 0:
        raise ValueError(f"Cannot fill shape {shape} from an empty value")
    flat = values.reshape(-1)
    return np.concatenate([flat, np.repeat(flat[-1:], count - flat.size)]).reshape(shape)


def constant(value, dtype=None, shape=None, name="Const") -> ops.Tensor:
    """A constant tensor; with `shape`, the value is reshaped or its last element repeated."""
    array, dtype = tensor_util.to_numpy(value, dtype)
    if shape is not None:
        array = _shape_value(array, shape)
    array = np.array(array, copy=True)  # the graph keeps its own value
    g = ops.get_default_graph()
    op = g.create_op(
        "Const", [], _CONST_SPEC, {"value": array, "dtype": dtype}, name=name
    )
    return op.outputs[0]


# -- Placeholder ------------------------------------------------------------------------------
def _placeholder_infer(op):
    return [(op.get_attr("dtype"), op.get_attr("shape"))]


def _placeholder_kernel(ctx):
    raise errors.InvalidArgumentError(
        None, ctx.op,
        f"You must feed a value for placeholder tensor '{ctx.op.name}' with dtype "
        f"{ctx.attrs['dtype'].name}",
    )


register_op("Placeholder", infer=_placeholder_infer, kernel=_placeholder_kernel)


def placeholder(dtype, shape=None, name=None) -> ops.Tensor:
    """A tensor that must be fed; `shape` None accepts any shape."""
    attrs = {"dtype": dtypes.as_dtype(dtype), "shape": tensor_shape.as_shape(shape)}
    return ops.apply_op("Placeholder", [], attrs, name=name).outputs[0]


# -- Fill, ZerosLike, OnesLike ---------------------------------------------------------------
def _fill_infer(op):
    dims, value = op.inputs
    value.get_shape().assert_has_rank(0)
    dims.get_shape().with_rank_at_most(1)
    known = tensor_util.constant_value(dims)
    if known is not None:
        shape = tensor_shape.TensorShape(known.tolist())
    else:
        shape = tensor_shape.unknown_shape(dims.get_shape()[0].value)
    return [(value.dtype, shape)]


def _fill_kernel(ctx, dims, value):
    if isinstance(value, np.ndarray):
        return np.full(tuple(dims.tolist()), value[()], dtype=object)
    return value.expand(tuple(dims.tolist())).clone()


register_op("Fill", infer=_fill_infer, kernel=_fill_kernel)


@RegisterGradient("Fill")
def _fill_grad(op, grad):
    """Every output element is `value`: its gradient is the sum of the output gradient."""
    from scopeflow.ops import math_ops

    return None, math_ops.reduce_sum(grad)


def _like_infer(op):
    x = op.inputs[0]
    return [(x.dtype, x.get_shape())]


def _zeros_like_kernel(ctx, x):
    if isinstance(x, np.ndarray):
        return np.full(x.shape, b"", dtype=object)
    return torch.zeros_like(x)


def _ones_like_kernel(ctx, x):
    return torch.ones_like(x)


register_op("ZerosLike", infer=_like_infer, kernel=_zeros_like_kernel)
register_op("OnesLike", infer=_like_infer, kernel=_ones_like_kernel)
NotDifferentiable("Const")
NotDifferentiable("Placeholder")
NotDifferentiable("ZerosLike")
NotDifferentiable("OnesLike")


def fill(dims, value, name=None) -> ops.Tensor:
    return ops.apply_op("Fill", [ops.convert_to_tensor(dims, dtypes.int32), value],
                        name=name).outputs[0]


def _filled(shape, value, dtype, name, default_name) -> ops.Tensor:
    dtype = dtypes.as_dtype(dtype)
    with ops.op_scope([shape], name, default_name) as scope:
        if isinstance(shape, (list, tuple, tensor_shape.TensorShape)):
            if isinstance(shape, tensor_shape.TensorShape):
                shape = shape.as_list()
            return constant(value, dtype=dtype, shape=shape, name=scope)
        shape = ops.convert_to_tensor(shape, dtype=dtypes.int32, name="shape")
        return fill(shape, constant(value, dtype=dtype), name=scope)


def zeros(shape, dtype=dtypes.float32, name=None) -> ops.Tensor:
    return _filled(shape, 0, dtype, name, "zeros")


def ones(shape, dtype=dtypes.float32, name=None) -> ops.Tensor:
    return _filled(shape, 1, dtype, name, "ones")


def zeros_like(tensor, dtype=None, name=None) -> ops.Tensor:
    with ops.op_scope([tensor], name, "zeros_like") as scope:
        tensor = ops.convert_to_tensor(tensor, name="tensor")
        if dtype is not None and dtypes.as_dtype(dtype) != tensor.dtype:
            return zeros(_shape_of(tensor), dtype=dtype, name=scope)
        return ops.apply_op("ZerosLike", [tensor], name=scope).outputs[0]


def ones_like(tensor, dtype=None, name=None) -> ops.Tensor:
    with ops.op_scope([tensor], name, "ones_like") as scope:
        tensor = ops.convert_to_tensor(tensor, name="tensor")
        if dtype is not None and dtypes.as_dtype(dtype) != tensor.dtype:
            return ones(_shape_of(tensor), dtype=dtype, name=scope)
        return ops.apply_op("OnesLike", [tensor], name=scope).outputs[0]


def _shape_of(tensor):
    shape = tensor.get_shape()
    if shape.is_fully_defined():
        return shape.as_list()
    from scopeflow.ops import array_ops

    return array_ops.shape(tensor)

