"""Shape-changing and indexing ops: reshape, concat, split, slice, gather, pad, ... (TF 0.6).

Shape-like arguments (a reshape target, a concat dimension, paddings) are int32 graph
inputs, as in TensorFlow; their values are read statically when they are constants.
"""

from __future__ import annotations

import builtins

import numpy as np
import torch

from scopeflow.framework import dtypes, ops
from scopeflow.framework.registry import register_op
from scopeflow.ops import math_ops
from scopeflow.ops import shape_util as su
from scopeflow.ops.strided_slice import _slice_helper, strided_slice

__all__ = [
    "concat", "expand_dims", "gather", "gather_nd", "one_hot", "pack", "pad", "rank", "reshape",
    "shape", "size", "slice", "sparse_to_dense", "split", "squeeze", "stop_gradient",
    "strided_slice", "tile", "transpose", "unpack", "unsorted_segment_sum",
]
_ = _slice_helper  # Tensor.__getitem__ imports it from here


def _apply(op_type, inputs, attrs=None, name=None):
    return ops.apply_op(op_type, inputs, attrs, name=name).outputs


def _int32(value):
    """Python ints and lists become int32 arrays; graph values pass through."""
    if isinstance(value, (builtins.int, list, tuple, np.integer, np.ndarray)):
        return np.asarray(value, dtype=np.int32)
    return value


def _out(op, d):
    return [(op.inputs[0].dtype.base_dtype, su.make_shape(d))]


# ---- reshape, squeeze, expand_dims -------------------------------------------------------


def reshape(tensor, shape, name=None):
    """`tensor` with the elements in the same order and the given shape (one -1 allowed)."""
    return _apply("Reshape", [tensor, _int32(shape)], name=name)[0]


def _reshape_infer(op):
    d = su.dims(op.inputs[0])
    target = su.partial_dims_from_tensor(op.inputs[1])
    value = su.constant_list(op.inputs[1])
    if target is None or value is None or d is None or None in d:
        return _out(op, target)
    known = int(np.prod([v for v in value if v != -1]))
    total = int(np.prod(d))
    if -1 in value:
        if known == 0 or total % known:
            raise su.shape_error(op, f"Cannot reshape a tensor with {total} elements to "
                                     f"shape {su.format_dims(target)}")
        target = [total // known if v == -1 else v for v in value]
    elif known != total:
        raise su.shape_error(op, f"Cannot reshape a tensor with {total} elements to shape "
                                 f"{su.format_dims(target)} ({known} elements)")
    return _out(op, target)


register_op("Reshape", infer=_reshape_infer,
            kernel=lambda ctx, x, shape: x.reshape(su.int_list(ctx, 1, shape)))


def squeeze(input, squeeze_dims=None, name=None):
    """`input` without its size-1 dimensions (only those in squeeze_dims, when given)."""
    dims = [] if squeeze_dims is None else [int(d) for d in squeeze_dims]
    return _apply("Squeeze", [input], {"squeeze_dims": dims}, name=name)[0]


def _squeeze_infer(op):
    d = su.dims(op.inputs[0])
    wanted = op.get_attr("squeeze_dims")
    if d is None:
        return _out(op, None)
    wanted = {su.normalize_axis(op, a, len(d)) for a in wanted}
    out = []
    for i, v in enumerate(d):
        if wanted and i in wanted:
            if v is not None and v != 1:
                raise su.shape_error(op, f"Can not squeeze dim[{i}], expected a dimension "
                                         f"of 1, got {v}")
        elif not wanted and v is None:
            return _out(op, None)
        elif wanted or v != 1:
            out.append(v)
    return _out(op, out)


def _squeeze_kernel(ctx, x):
    wanted = ctx.attrs["squeeze_dims"]
    return torch.squeeze(x, tuple(wanted)) if wanted else torch.squeeze(x)


register_op("Squeeze", infer=_squeeze_infer, kernel=_squeeze_kernel)


def expand_dims(input, dim, name=None):
    """`input` with a size-1 dimension inserted at `dim` (-1 appends)."""
    return _apply("ExpandDims", [input, _int32(dim)], name=name)[0]


def _expand_dims_infer(op):
    d = su.dims(op.inputs[0])
    axis = su.constant_list(op.inputs[1])
    if d is None or axis is None:
        return _out(op, None if d is None else [None] * (len(d) + 1))
    axis = axis[0]
    if not -len(d) - 1 <= axis <= len(d):
        raise su.shape_error(op, f"dim {axis} out of range for a tensor of rank {len(d)}")
    axis = axis + len(d) + 1 if axis < 0 else axis
    return _out(op, d[:axis] + [1] + d[axis:])


register_op("ExpandDims", infer=_expand_dims_infer,
            kernel=lambda ctx, x, dim: torch.unsqueeze(x, su.int_list(ctx, 1, dim)[0]))


# ---- concat, pack, unpack, split --------------------------------------------------------


def concat(concat_dim, values, name="concat"):
    """The `values` joined along `concat_dim` (TF 0.6 argument order)."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) == 1:
        return _apply("Identity", [values[0]], name=name)[0]
    return _apply("Concat", [_int32(concat_dim)] + list(values), {"N": len(values)},
                  name=name)[0]


def _concat_infer(op):
    values = op.inputs[1:]
    su.check_same_dtype(op, values)
    axis = su.constant_list(op.inputs[0])
    ranks = {len(d) for d in map(su.dims, values) if d is not None}
    if len(ranks) > 1:
        raise su.shape_error(op, "Shapes of all inputs must have the same rank, got ranks "
                                 f"{sorted(ranks)}")
    if not ranks:
        return [(values[0].dtype.base_dtype, su.make_shape(None))]
    rank = ranks.pop()
    if axis is None:
        return [(values[0].dtype.base_dtype, su.make_shape([None] * rank))]
    axis = su.normalize_axis(op, axis[0], rank, "Concat dimension")
    out, total = [None] * rank, 0
    for d in map(su.dims, values):
        d = d or [None] * rank
        rest = su.merge_dims(op, out[:axis] + out[axis + 1:], d[:axis] + d[axis + 1:])
        out = rest[:axis] + [None] + rest[axis:]
        total = None if total is None or d[axis] is None else total + d[axis]
    out[axis] = total
    return [(values[0].dtype.base_dtype, su.make_shape(out))]


register_op("Concat", infer=_concat_infer,
            kernel=lambda ctx, dim, *xs: torch.cat(xs, dim=su.int_list(ctx, 0, dim)[0]))


def pack(values, axis=0, name="pack"):
    """The rank-R `values` stacked into one rank-(R+1) tensor along `axis`."""
    return _apply("Pack", list(values), {"N": len(values), "axis": int(axis)}, name=name)[0]


def _pack_infer(op):
    su.check_same_dtype(op)
    shape = su.dims(op.inputs[0])
    for t in op.inputs[1:]:
        shape = su.merge_dims(op, shape, su.dims(t))
    if shape is None:
        return _out(op, None)
    axis = op.get_attr("axis")
    axis = su.normalize_axis(op, axis, len(shape) + 1, "axis")
    return _out(op, shape[:axis] + [len(op.inputs)] + shape[axis:])


register_op("Pack", infer=_pack_infer,
            kernel=lambda ctx, *xs: torch.stack(xs, dim=ctx.attrs["axis"]))


def unpack(value, num=None, axis=0, name="unpack"):
    """The list of rank-(R-1) tensors along `axis` of `value`; num defaults to its size."""
    value = ops.convert_to_tensor(value)
    if num is None:
        d = su.dims(value)
        if d is None or d[axis] is None:
            raise ValueError(f"Cannot infer num from shape {su.format_dims(d)}")
        num = d[axis]
    return _apply("Unpack", [value], {"num": int(num), "axis": int(axis)}, name=name)


def _unpack_infer(op):
    d, num = su.dims(op.inputs[0]), op.get_attr("num")
    if d is not None:
        axis = su.normalize_axis(op, op.get_attr("axis"), len(d), "axis")
        if d[axis] is not None and d[axis] != num:
            raise su.shape_error(op, f"Dimension {axis} has {d[axis]} elements, not {num}")
        d = d[:axis] + d[axis + 1:]
    return [(op.inputs[0].dtype.base_dtype, su.make_shape(d))] * num


register_op("Unpack", infer=_unpack_infer,
            kernel=lambda ctx, x: torch.unbind(x, dim=ctx.attrs["axis"]))


def split(split_dim, num_split, value, name="split"):
    """`value` cut into num_split equal pieces along split_dim (TF 0.6 argument order)."""
    return _apply("Split", [_int32(split_dim), value], {"num_split": int(num_split)},
                  name=name)


def _split_infer(op):
    value, num = op.inputs[1], op.get_attr("num_split")
    d, axis = su.dims(value), su.constant_list(op.inputs[0])
    if d is not None and axis is None:
        d = [None] * len(d)
    elif d is not None:
        axis = su.normalize_axis(op, axis[0], len(d), "split_dim")
        if d[axis] is not None:
            if d[axis] % num:
                raise su.shape_error(op, "Number of ways to split should evenly divide the "
                                         f"split dimension, but got split_dim {axis} (size "
                                         f"= {d[axis]}) and num_split {num}")
            d = d[:axis] + [d[axis] // num] + d[axis + 1:]
    return [(value.dtype.base_dtype, su.make_shape(d))] * num


def _split_kernel(ctx, dim, x):
    axis = su.int_list(ctx, 0, dim)[0]
    return torch.split(x, x.shape[axis] // ctx.attrs["num_split"], dim=axis)


register_op("Split", infer=_split_infer, kernel=_split_kernel)


# ---- slice, gather, tile, pad, transpose --------------------------------------------------


def slice(input_, begin, size, name=None):
    """The block of `input_` starting at `begin` with `size` (-1: the rest of a dim)."""
    return _apply("Slice", [input_, _int32(begin), _int32(size)], name=name)[0]


def _slice_infer(op):
    d = su.dims(op.inputs[0])
    begin, size = su.constant_list(op.inputs[1]), su.constant_list(op.inputs[2])
    rank = len(d) if d is not None else su.dims(op.inputs[1]) and su.dims(op.inputs[1])[0]
    if begin is None or size is None:
        return _out(op, su.unknown_dims(rank))
    d = su.with_rank(op, d, len(begin))
    out = []
    for i, (b, s) in enumerate(zip(begin, size)):
        if s == -1:
            out.append(None if d[i] is None else d[i] - b)
        else:
            if d[i] is not None and (b < 0 or s < 0 or b + s > d[i]):
                raise su.shape_error(op, f"Expected begin[{i}] ({b}) + size[{i}] ({s}) "
                                         f"within dimension {i} of size {d[i]}")
            out.append(s)
    return _out(op, out)


def _slice_kernel(ctx, x, begin, size):
    for axis, (b, s) in enumerate(zip(su.int_list(ctx, 1, begin), su.int_list(ctx, 2, size))):
        x = x.narrow(axis, b, x.shape[axis] - b if s == -1 else s)
    return x


register_op("Slice", infer=_slice_infer, kernel=_slice_kernel)


def tile(input, multiples, name=None):
    """`input` repeated multiples[i] times along each dimension i."""
    return _apply("Tile", [input, _int32(multiples)], name=name)[0]


def _tile_infer(op):
    d, m = su.dims(op.inputs[0]), su.constant_list(op.inputs[1])
    if m is None:
        return _out(op, su.unknown_dims(None if d is None else len(d)))
    d = su.with_rank(op, d, len(m))
    return _out(op, [None if v is None else v * k for v, k in zip(d, m)])


register_op("Tile", infer=_tile_infer, kernel=lambda ctx, x, m: x.repeat(su.int_list(ctx, 1, m)))


def pad(tensor, paddings, mode="CONSTANT", name=None):
    """`tensor` with paddings[i] = [before, after] zeros around each dimension i."""
    if mode.upper() != "CONSTANT":
        raise ValueError(f"pad: mode {mode!r} is not supported; only 'CONSTANT' is")
    return _apply("Pad", [tensor, _int32(paddings)], name=name)[0]


def _pad_infer(op):
    d, p = su.dims(op.inputs[0]), su.constant_value(op.inputs[1])
    if p is None:
        return _out(op, su.unknown_dims(None if d is None else len(d)))
    p = p.reshape(-1, 2).tolist()
    d = su.with_rank(op, d, len(p))
    return _out(op, [None if v is None else v + a + b for v, (a, b) in zip(d, p)])


def _pad_kernel(ctx, x, paddings):
    pairs = su.int_list(ctx, 1, paddings)
    flat = [v for i in range(len(pairs) - 2, -1, -2) for v in pairs[i:i + 2]]
    return torch.nn.functional.pad(x, flat)


register_op("Pad", infer=_pad_infer, kernel=_pad_kernel)


def transpose(a, perm=None, name="transpose"):
    """`a` with its dimensions permuted by `perm` (reversed when None)."""
    a = ops.convert_to_tensor(a)
    if perm is None:
        d = su.dims(a)
        if d is None:
            with ops.name_scope(name) as scope:
                r = rank(a)
                perm = math_ops.sub(math_ops.sub(r, 1), math_ops.range(0, r))
                return _apply("Transpose", [a, perm], name=scope)[0]
        perm = list(builtins.range(len(d)))[::-1]
    return _apply("Transpose", [a, _int32(perm)], name=name)[0]


def _transpose_infer(op):
    d, perm = su.dims(op.inputs[0]), su.constant_list(op.inputs[1])
    if perm is None:
        return _out(op, su.unknown_dims(None if d is None else len(d)))
    d = su.with_rank(op, d, len(perm))
    if sorted(perm) != list(builtins.range(len(perm))):
        raise su.shape_error(op, f"{perm} is not a valid permutation")
    return _out(op, [d[p] for p in perm])


register_op("Transpose", infer=_transpose_infer,
            kernel=lambda ctx, x, perm: x.permute(su.int_list(ctx, 1, perm)))


# ---- shape, size, rank, stop_gradient -------------------------------------------------


def shape(input, name=None):
    """The shape of `input` as an int32 vector."""
    return _apply("Shape", [input], name=name)[0]


def size(input, name=None):
    """The number of elements of `input` (int32 scalar)."""
    return _apply("Size", [input], name=name)[0]


def rank(input, name=None):
    """The number of dimensions of `input` (int32 scalar)."""
    return _apply("Rank", [input], name=name)[0]


def _shape_infer(op):
    d = su.dims(op.inputs[0])
    return [(dtypes.int32, su.make_shape([None if d is None else len(d)]))]


def _shape_kernel(measure):
    """Kernels of Shape/Size/Rank: the int32 result is kept while the input shape repeats,
    so a GPU run does not copy a fresh small tensor to the device every time."""

    def kernel(ctx, x):
        cached = ctx.cache
        if cached is not None and cached[0] == x.shape:
            return cached[1]
        out = torch.tensor(measure(tuple(x.shape)), dtype=torch.int32, device=ctx.device)
        ctx.cache = (tuple(x.shape), out)
        return out

    return kernel


register_op("Shape", infer=_shape_infer, kernel=_shape_kernel(lambda s: s))
register_op("Size", infer=lambda op: [(dtypes.int32, su.make_shape([]))],
            kernel=_shape_kernel(lambda s: int(np.prod(s))))
register_op("Rank", infer=lambda op: [(dtypes.int32, su.make_shape([]))],
            kernel=_shape_kernel(len))


def stop_gradient(input, name=None):
    """`input` unchanged, but tf.gradients treats it as a constant."""
    return _apply("StopGradient", [input], name=name)[0]


register_op("StopGradient", infer=lambda op: _out(op, su.dims(op.inputs[0])),
            kernel=lambda ctx, x: x, inline=lambda x: x)

# Imported last: the index ops are re-exported here, where TensorFlow keeps them.
from scopeflow.ops.index_ops import (
    gather,
    gather_nd,
    one_hot,
    sparse_to_dense,
    unsorted_segment_sum,
)
