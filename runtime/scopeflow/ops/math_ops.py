"""Elementwise arithmetic, comparisons, matmul, casts, reductions and range (TF 0.6 names).

Each op type is registered once with its static infer function and its torch kernel;
the gradients live in math_grad.py.
"""

from __future__ import annotations

import builtins
import functools
import re

import numpy as np
import torch

from scopeflow.framework import dtypes, ops
from scopeflow.framework.registry import register_op
from scopeflow.ops import shape_util as su

__all__ = [
    "abs", "add", "add_n", "argmax", "argmin", "cast", "ceil", "clip_by_value", "cos", "div",
    "equal", "exp", "floor", "floordiv", "greater", "greater_equal", "inv", "less", "less_equal",
    "log", "logical_and", "logical_not", "logical_or", "logical_xor", "matmul", "maximum",
    "minimum", "mod", "mul", "neg", "not_equal", "pow", "range", "reduce_all", "reduce_any",
    "reduce_max", "reduce_mean", "reduce_min", "reduce_prod", "reduce_sum", "rsqrt", "select",
    "sigmoid", "sign", "sin", "sqrt", "square", "squared_difference", "sub", "tanh", "to_double",
    "to_float", "to_int32", "to_int64", "truediv",
]


def _apply(op_type, inputs, attrs=None, name=None):
    return ops.apply_op(op_type, inputs, attrs, name=name).outputs[0]


def _graph_dtype(value):
    dtype = getattr(value, "dtype", None)
    return dtype.base_dtype if isinstance(dtype, dtypes.DType) else None


def convert_same_dtype(values):
    """Convert `values` to tensors of one dtype, as TensorFlow's op builder does.

    Graph values (Tensors, Variables) keep their own dtype so that a real mismatch is
    reported by the op; python and numpy values take the dtype of the first graph value,
    or, when there is none, of the first value once converted.
    """
    dtype = next((d for d in map(_graph_dtype, values) if d is not None), None)
    converted = []
    for v in values:
        if _graph_dtype(v) is not None:
            converted.append(ops.convert_to_tensor(v))
        else:
            converted.append(ops.convert_to_tensor(v, dtype=dtype))
            dtype = dtype or converted[-1].dtype.base_dtype
    return converted


# ---- elementwise ops ------------------------------------------------------------------


def _unary_infer(op):
    x = op.inputs[0]
    return [(x.dtype.base_dtype, x.get_shape())]


_FLOAT_ONLY = {"Sqrt", "Rsqrt", "Exp", "Log", "Tanh", "Sigmoid", "Inv", "Sin", "Cos", "Floor",
               "Ceil"}


def _float_unary_infer(op):
    dtype = op.inputs[0].dtype.base_dtype
    if not (dtype.is_floating or dtype.is_complex):
        raise TypeError(f"Value passed to parameter 'x' of '{op.type}' Op (name: '{op.name}') "
                        f"has DataType {dtype.name} not in list of allowed values: float16, "
                        "float32, float64, complex64, complex128")
    return _unary_infer(op)


def _binary_infer(op, out_dtype=None):
    su.check_same_dtype(op)
    x, y = op.inputs
    shape = su.broadcast_dims(op, su.dims(x), su.dims(y))
    return [(out_dtype or x.dtype.base_dtype, su.make_shape(shape))]


def _compare_infer(op):
    return _binary_infer(op, dtypes.bool)


def _div_kernel(x, y):
    if x.is_floating_point() or x.is_complex():
        return torch.div(x, y)
    return torch.div(x, y, rounding_mode="trunc")  # C semantics, as TensorFlow's Div


_UNARY = {
    "Neg": torch.neg, "Abs": torch.abs, "Sign": torch.sign, "Square": torch.square,
    "Sqrt": torch.sqrt, "Rsqrt": torch.rsqrt, "Exp": torch.exp, "Log": torch.log,
    "Tanh": torch.tanh, "Sigmoid": torch.sigmoid, "Floor": torch.floor, "Ceil": torch.ceil,
    "Inv": torch.reciprocal, "Sin": torch.sin, "Cos": torch.cos,
    "LogicalNot": torch.logical_not,
}
_BINARY = {
    "Add": torch.add, "Sub": torch.sub, "Mul": torch.mul, "Div": _div_kernel,
    "Mod": torch.fmod, "Pow": torch.pow, "Maximum": torch.maximum, "Minimum": torch.minimum,
    "SquaredDifference": lambda x, y: torch.square(x - y),
    "LogicalAnd": torch.logical_and, "LogicalOr": torch.logical_or,
}
_COMPARE = {
    "Equal": torch.eq, "NotEqual": torch.ne, "Less": torch.lt, "LessEqual": torch.le,
    "Greater": torch.gt, "GreaterEqual": torch.ge,
}


def _string_aware(fn, string_fn):
    """Add concatenates and Equal/NotEqual compare string tensors (numpy object arrays)."""

    def kernel(x, y):
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            out = string_fn(np.asarray(x, dtype=object), np.asarray(y, dtype=object))
            return out if out.dtype == object else torch.from_numpy(np.asarray(out, bool))
        return fn(x, y)

    return kernel


_STRING_KERNELS = {
    "Add": _string_aware(torch.add, np.add),
    "Equal": _string_aware(torch.eq, np.equal),
    "NotEqual": _string_aware(torch.ne, np.not_equal),
}


def _register_elementwise():
    """Plans call the torch function itself (`inline`) unless a string tensor is involved."""
    for op_type, fn in _UNARY.items():
        infer = _float_unary_infer if op_type in _FLOAT_ONLY else _unary_infer
        register_op(op_type, infer=infer, kernel=lambda ctx, x, fn=fn: fn(x), inline=fn)
    for table, infer in ((_BINARY, _binary_infer), (_COMPARE, _compare_infer)):
        for op_type, fn in table.items():
            kernel_fn = _STRING_KERNELS.get(op_type, fn)
            register_op(op_type, infer=infer, inline=fn,
                        kernel=lambda ctx, x, y, fn=kernel_fn: fn(x, y))


_register_elementwise()


def _snake(op_type):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", op_type).lower()


def _named(fn, op_type, doc):
    fn.__name__ = fn.__qualname__ = _snake(op_type)
    fn.__doc__ = f"{doc} (op type {op_type!r})."
    return fn


def _unary(op_type):
    def fn(x, name=None):
        return _apply(op_type, [x], name=name)

    return _named(fn, op_type, f"Elementwise {op_type}")


def _binary(op_type):
    def fn(x, y, name=None):
        return _apply(op_type, convert_same_dtype([x, y]), name=name)

    return _named(fn, op_type, f"Elementwise {op_type} with numpy broadcasting")


neg, abs, sign, square = _unary("Neg"), _unary("Abs"), _unary("Sign"), _unary("Square")
sqrt, rsqrt, exp, log = _unary("Sqrt"), _unary("Rsqrt"), _unary("Exp"), _unary("Log")
tanh, sigmoid, floor, ceil = _unary("Tanh"), _unary("Sigmoid"), _unary("Floor"), _unary("Ceil")
inv, sin, cos, logical_not = _unary("Inv"), _unary("Sin"), _unary("Cos"), _unary("LogicalNot")
add, sub, mul, div = _binary("Add"), _binary("Sub"), _binary("Mul"), _binary("Div")
mod, pow = _binary("Mod"), _binary("Pow")
maximum, minimum = _binary("Maximum"), _binary("Minimum")
squared_difference = _binary("SquaredDifference")
logical_and, logical_or = _binary("LogicalAnd"), _binary("LogicalOr")
equal, not_equal = _binary("Equal"), _binary("NotEqual")
less, less_equal = _binary("Less"), _binary("LessEqual")
greater, greater_equal = _binary("Greater"), _binary("GreaterEqual")


def logical_xor(x, y, name="LogicalXor"):
    """x ^ y = (x | y) & ~(x & y), built from the 0.6 primitives as TensorFlow did."""
    with ops.name_scope(name):
        return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


_INT_TO_FLOAT = {
    "int8": dtypes.float32, "uint8": dtypes.float32, "int16": dtypes.float32,
    "int32": dtypes.float64, "int64": dtypes.float64,
}


def truediv(x, y, name=None):
    """x / y in floating point: integer inputs are cast first (int32 and int64 to float64)."""
    with ops.name_scope(name or "truediv") as scope:
        x, y = convert_same_dtype([x, y])
        target = _INT_TO_FLOAT.get(x.dtype.base_dtype.name)
        if target is not None:
            x, y = cast(x, target), cast(y, target)
        return _apply("Div", [x, y], name=scope)


def floordiv(x, y, name=None):
    """floor(x / y) for floats; integer Div (which truncates) for integers, as in TF 0.6."""
    with ops.name_scope(name or "floordiv") as scope:
        x, y = convert_same_dtype([x, y])
        if x.dtype.base_dtype.is_floating:
            return floor(_apply("Div", [x, y]), name=scope)
        return _apply("Div", [x, y], name=scope)


def add_n(inputs, name=None):
    """Sum of a list of tensors of one shape and dtype (op type AddN)."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype "
                         "and shape")
    inputs = convert_same_dtype(list(inputs))
    if len(inputs) == 1:
        return inputs[0] if name is None else _apply("Identity", inputs, name=name)
    return _apply("AddN", inputs, {"N": len(inputs)}, name=name)


def _add_n_infer(op):
    su.check_same_dtype(op)
    shape = su.dims(op.inputs[0])
    for t in op.inputs[1:]:
        shape = su.merge_dims(op, shape, su.dims(t))
    return [(op.inputs[0].dtype.base_dtype, su.make_shape(shape))]


def _add_n_values(*xs):
    return functools.reduce(torch.add, xs)


register_op("AddN", infer=_add_n_infer, kernel=lambda ctx, *xs: _add_n_values(*xs),
            inline=_add_n_values)


# ---- matmul, cast, select ----------------------------------------------------------------


def matmul(a, b, transpose_a=False, transpose_b=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    """a @ b for rank-2 tensors; transpose_a/b transpose an input before multiplying.

    a_is_sparse/b_is_sparse were hints for TensorFlow's CPU kernel; torch ignores them."""
    del a_is_sparse, b_is_sparse
    a, b = convert_same_dtype([a, b])
    return _apply("MatMul", [a, b], {"transpose_a": bool(transpose_a),
                                     "transpose_b": bool(transpose_b)}, name=name)


def _matmul_infer(op):
    su.check_same_dtype(op)
    a = su.with_rank(op, su.dims(op.inputs[0]), 2)
    b = su.with_rank(op, su.dims(op.inputs[1]), 2)
    if op.get_attr("transpose_a"):
        a = a[::-1]
    if op.get_attr("transpose_b"):
        b = b[::-1]
    su.merge_dim(op, a[1], b[0])
    return [(op.inputs[0].dtype.base_dtype, su.make_shape([a[0], b[1]]))]


def _matmul_kernel(ctx, a, b):
    attrs = ctx.attrs
    if attrs["transpose_a"]:
        a = a.t()
    if attrs["transpose_b"]:
        b = b.t()
    return torch.mm(a, b)


register_op("MatMul", infer=_matmul_infer, kernel=_matmul_kernel)


def cast(x, dtype, name=None):
    """x converted to `dtype` (op type Cast); returns x itself when it already has it."""
    x = ops.convert_to_tensor(x)
    dtype = dtypes.as_dtype(dtype).base_dtype
    if x.dtype.base_dtype == dtype:
        return x
    return _apply("Cast", [x], {"SrcT": x.dtype.base_dtype, "DstT": dtype}, name=name)


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)


register_op("Cast", infer=lambda op: [(op.get_attr("DstT"), op.inputs[0].get_shape())],
            kernel=lambda ctx, x: x.to(ctx.attrs["DstT"].as_torch))


def select(condition, t, e, name=None):
    """Elements of t where condition is true, else of e; a vector condition picks rows."""
    t, e = convert_same_dtype([t, e])
    return _apply("Select", [condition, t, e], name=name)


def _select_infer(op):
    cond, t, e = op.inputs
    su.check_same_dtype(op, [t, e])
    shape = su.merge_dims(op, su.dims(t), su.dims(e))
    c = su.dims(cond)
    if c is not None and shape is not None and not (len(c) == 1 and len(shape) > 1):
        shape = su.merge_dims(op, c, shape)
    elif c is not None and shape is not None:
        su.merge_dim(op, c[0], shape[0])
    return [(t.dtype.base_dtype, su.make_shape(shape))]


def _select_values(cond, t, e):
    if cond.dim() == 1 and t.dim() > 1:
        cond = cond.reshape((-1,) + (1,) * (t.dim() - 1))
    return torch.where(cond, t, e)


register_op("Select", infer=_select_infer, kernel=lambda ctx, c, t, e: _select_values(c, t, e),
            inline=_select_values)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """t with values below clip_value_min / above clip_value_max replaced by those bounds."""
    with ops.name_scope(name or "clip_by_value") as scope:
        t = ops.convert_to_tensor(t, name="t")
        return minimum(maximum(t, clip_value_min), clip_value_max, name=scope)


def range(start, limit=None, delta=1, name="range"):
    """[start, start + delta, ...) up to limit; range(n) counts from 0 (op type Range)."""
    if limit is None:
        start, limit = 0, start
    start, limit, delta = convert_same_dtype([start, limit, delta])
    return _apply("Range", [start, limit, delta], name=name)


def _range_infer(op):
    values = [su.constant_value(t) for t in op.inputs]
    dtype = op.inputs[0].dtype.base_dtype
    if any(v is None for v in values):
        return [(dtype, su.make_shape([None]))]
    start, limit, delta = (float(v) for v in values)
    if delta == 0:
        raise su.shape_error(op, "Requires delta != 0")
    length = builtins.max(0, int(np.ceil((limit - start) / delta)))
    return [(dtype, su.make_shape([length]))]


register_op("Range", infer=_range_infer,
            kernel=lambda ctx, s, lim, d: torch.arange(s.item(), lim.item(), d.item(),
                                                       dtype=s.dtype, device=ctx.device))


# Imported last: the reductions use `range` above for inputs of unknown rank.
from scopeflow.ops.reduction_ops import (
    argmax,
    argmin,
    reduce_all,
    reduce_any,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
)
