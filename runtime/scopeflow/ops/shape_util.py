"""Static shape helpers shared by the op libraries' infer functions.

Shapes are handled as `dims`: None for an unknown rank, else a list of int-or-None.
Errors keep TensorFlow 0.6's ValueError wording and add the op and its input shapes.
"""

from __future__ import annotations

import numpy as np

from scopeflow.framework import tensor_shape

Dims = list | None


def dims(tensor) -> Dims:
    """The static shape of `tensor` as a list of int-or-None, or None for an unknown rank."""
    shape = tensor.get_shape()
    if shape.ndims is None:
        return None
    return [None if d is None else int(d) for d in shape.as_list()]


def make_shape(d: Dims):
    return tensor_shape.TensorShape(None if d is None else list(d))


def unknown_dims(rank: int | None) -> Dims:
    return None if rank is None else [None] * rank


def format_dims(d: Dims) -> str:
    if d is None:
        return "<unknown>"
    parts = ["?" if v is None else str(v) for v in d]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def shape_error(op, message: str) -> ValueError:
    """TensorFlow's message, then which op raised it and with what input shapes."""
    shapes = ", ".join(format_dims(dims(t)) for t in op.inputs)
    return ValueError(f"{message} for '{op.name}' (op: '{op.type}') with input shapes: {shapes}")


def with_rank(op, d: Dims, rank: int, what: str = "Shape") -> list:
    if d is None:
        return [None] * rank
    if len(d) != rank:
        raise shape_error(op, f"{what} {format_dims(d)} must have rank {rank}")
    return list(d)


def with_rank_at_least(op, d: Dims, rank: int) -> Dims:
    if d is not None and len(d) < rank:
        raise shape_error(op, f"Shape {format_dims(d)} must have rank at least {rank}")
    return d


def merge_dim(op, a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None or a == b:
        return a
    raise shape_error(op, f"Dimensions {a} and {b} are not compatible")


def merge_dims(op, a: Dims, b: Dims) -> Dims:
    if a is None:
        return b
    if b is None:
        return a
    if len(a) != len(b):
        raise shape_error(op, f"Shapes {format_dims(a)} and {format_dims(b)} are not compatible")
    try:
        return [merge_dim(op, x, y) for x, y in zip(a, b)]
    except ValueError:
        raise shape_error(
            op, f"Shapes {format_dims(a)} and {format_dims(b)} are not compatible"
        ) from None


def _broadcast_dim(x: int | None, y: int | None) -> int | None:
    if x is None:
        return y if y is not None and y > 1 else None
    if y is None:
        return x if x > 1 else None
    if x == 1:
        return y
    if y == 1 or x == y:
        return x
    raise ValueError


def broadcast_dims(op, a: Dims, b: Dims) -> Dims:
    """numpy broadcasting of two static shapes, as TensorFlow's common_shapes did it."""
    if a is None or b is None:
        return None
    rank = max(len(a), len(b))
    pa = [1] * (rank - len(a)) + list(a)
    pb = [1] * (rank - len(b)) + list(b)
    try:
        return [_broadcast_dim(x, y) for x, y in zip(pa, pb)]
    except ValueError:
        raise shape_error(
            op, f"Incompatible shapes for broadcasting: {format_dims(a)} and {format_dims(b)}"
        ) from None


def check_same_dtype(op, inputs=None) -> None:
    """TypeError, as TensorFlow's op builder raises, when `inputs` differ in dtype."""
    inputs = op.inputs if inputs is None else inputs
    first = inputs[0].dtype
    for i, t in enumerate(inputs[1:], 1):
        if t.dtype.base_dtype != first.base_dtype:
            raise TypeError(
                f"Input {i} of '{op.type}' Op (name: '{op.name}') has type {t.dtype.name} "
                f"that does not match type {first.name} of input 0"
            )


def normalize_axis(op, axis: int, rank: int | None, what: str = "dimension") -> int:
    if rank is None:
        return axis
    if not -rank <= axis < rank:
        raise shape_error(op, f"{what} {axis} out of range for a tensor of rank {rank}")
    return axis + rank if axis < 0 else axis


# ---- constant folding of small shape-like tensors ---------------------------------------


def _const_value(op):
    return np.asarray(op.get_attr("value"))


def _shape_value(op):
    d = dims(op.inputs[0])
    if d is None or None in d:
        return None
    return np.array(d, dtype=np.int32)


def _rank_value(op):
    d = dims(op.inputs[0])
    return None if d is None else np.array(len(d), dtype=np.int32)


def _size_value(op):
    d = dims(op.inputs[0])
    if d is None or None in d:
        return None
    return np.array(int(np.prod(d)), dtype=np.int32)


def _pack_value(op):
    values = [constant_value(t) for t in op.inputs]
    if any(v is None for v in values):
        return None
    return np.stack(values, axis=op.get_attr("axis"))


def _passthrough_value(op):
    return constant_value(op.inputs[0])


def _cast_value(op):
    value = constant_value(op.inputs[0])
    return None if value is None else value.astype(op.get_attr("DstT").as_numpy_dtype)


def _concat_value(op):
    values = [constant_value(t) for t in op.inputs]
    if any(v is None for v in values):
        return None
    return np.concatenate(values[1:], axis=int(values[0]))


_FOLDERS = {
    "Const": _const_value,
    "Shape": _shape_value,
    "Rank": _rank_value,
    "Size": _size_value,
    "Pack": _pack_value,
    "Identity": _passthrough_value,
    "StopGradient": _passthrough_value,
    "Cast": _cast_value,
    "Concat": _concat_value,
}


def constant_value(tensor) -> np.ndarray | None:
    """The value of `tensor` if it is known while building the graph, else None."""
    folder = _FOLDERS.get(tensor.op.type)
    if folder is None or tensor.value_index != 0:
        return None
    try:
        return folder(tensor.op)
    except (KeyError, ValueError, TypeError, AttributeError):
        return None


def constant_list(tensor) -> list | None:
    value = constant_value(tensor)
    return None if value is None else np.asarray(value).reshape(-1).tolist()


def partial_dims_from_tensor(tensor, rank: int | None = None) -> Dims:
    """What a 1-D shape tensor (a reshape target, a fill shape) says statically."""
    value = constant_value(tensor)
    if value is not None:
        return [None if v < 0 else int(v) for v in np.asarray(value).reshape(-1).tolist()]
    if tensor.op.type == "Pack":
        return [_scalar_or_none(t) for t in tensor.op.inputs]
    d = dims(tensor)
    if d is not None and len(d) == 1 and d[0] is not None:
        return [None] * d[0]
    return unknown_dims(rank)


def _scalar_or_none(tensor) -> int | None:
    value = constant_value(tensor)
    if value is None or value.size != 1:
        return None
    v = int(value.reshape(-1)[0])
    return None if v < 0 else v


# ---- kernels: shape-like inputs ---------------------------------------------------------


def int_list(ctx, index: int, value) -> list:
    """The ints of kernel input `index` (a shape, axes, paddings...) as a flat list.

    A Const input arrives as the same tensor every run, so its list is read once and kept
    in ctx.cache: no per-run device sync when the op runs on a GPU. Other inputs (fed or
    computed) are read each time.
    """
    cache = ctx.cache
    if cache is not None:
        entry = cache.get(index)
        if entry is not None and entry[0] is value:
            return entry[1]
    values = value.reshape(-1).tolist()
    if ctx.op.inputs[index].op.type == "Const":
        if cache is None:
            cache = ctx.cache = {}
        cache[index] = (value, values)
    return values
