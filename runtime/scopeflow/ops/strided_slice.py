"""StridedSlice: numpy-style basic indexing (`t[1:, ::-1, None, ..., 0]`) as one graph op.

A slice spec is encoded as TensorFlow does: begin/end/strides vectors plus bit masks
(begin_mask, end_mask: that bound is omitted; ellipsis_mask; new_axis_mask: `None`;
shrink_axis_mask: an integer index that removes its dimension). The same plan, worked
out per input dimension, serves shape inference, the kernel and the gradient kernel.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass

import numpy as np
import torch

from scopeflow.framework import dtypes, ops
from scopeflow.framework.registry import register_op
from scopeflow.ops import shape_util as su

_MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


@dataclass
class _DimSpec:
    begin: int = 0
    end: int = 0
    stride: int = 1
    begin_masked: bool = True
    end_masked: bool = True
    shrink: bool = False


def _expand_spec(rank, begin, end, strides, masks):
    """One entry per output position: None for a new axis, else the _DimSpec of the input
    dimension it reads; input dimensions are consumed in order, ellipsis filling the gap."""
    bm, em, elm, nam, sam = (masks[m] for m in _MASKS)
    consumed = sum(1 for i in builtins.range(len(begin)) if not (elm | nam) >> i & 1)
    entries = []
    for i in builtins.range(len(begin)):
        if elm >> i & 1:
            entries.extend(_DimSpec() for _ in builtins.range(rank - consumed))
            consumed = rank  # a second ellipsis expands to nothing
        elif nam >> i & 1:
            entries.append(None)
        else:
            entries.append(_DimSpec(begin[i], end[i], strides[i], bool(bm >> i & 1),
                                    bool(em >> i & 1), bool(sam >> i & 1)))
    used = sum(1 for e in entries if e is not None)
    if used > rank:
        raise ValueError(f"Index out of range: slice spec uses {used} dimensions of a "
                         f"tensor of rank {rank}")
    entries.extend(_DimSpec() for _ in builtins.range(rank - used))
    return entries


def _dim_range(spec: _DimSpec, size: int):
    """(start, stop, step) of python's range over one dimension of length `size`."""
    if spec.shrink:
        index = spec.begin + size if spec.begin < 0 else spec.begin
        if not 0 <= index < size:
            raise IndexError(f"slice index {spec.begin} out of bounds for a dimension of "
                             f"size {size}")
        return index, index + 1, 1
    if spec.stride == 0:
        raise ValueError("slice stride cannot be zero")
    bounds = builtins.slice(None if spec.begin_masked else spec.begin,
                            None if spec.end_masked else spec.end, spec.stride)
    return bounds.indices(size)


@dataclass
class _Plan:
    basic: tuple  # index applied first: slices with positive steps, full for negative ones
    reversed_dims: list  # (axis, indices) gathered after `basic` for negative steps
    inner_shape: list  # shape after basic + gathers, before new axes and shrinking
    out_shape: list


def _plan(shape, begin, end, strides, masks) -> _Plan:
    basic, reversed_dims, inner, out = [], [], [], []
    entries = _expand_spec(len(shape), begin, end, strides, masks)
    axis = 0
    for entry in entries:
        if entry is None:
            out.append(1)
            continue
        start, stop, step = _dim_range(entry, shape[axis])
        indices = builtins.range(start, stop, step)
        if step > 0:
            basic.append(builtins.slice(start, builtins.max(start, stop), step))
        else:
            basic.append(builtins.slice(None))
            reversed_dims.append((axis, list(indices)))
        inner.append(len(indices))
        if not entry.shrink:
            out.append(len(indices))
        axis += 1
    return _Plan(tuple(basic), reversed_dims, inner, out)


def _spec_values(ctx, begin, end, strides):
    int_list = su.int_list
    return (int_list(ctx, 1, begin), int_list(ctx, 2, end), int_list(ctx, 3, strides),
            ctx.attrs)


def _strided_slice_kernel(ctx, x, begin, end, strides):
    plan = _plan(tuple(x.shape), *_spec_values(ctx, begin, end, strides))
    y = x[plan.basic]
    for axis, indices in plan.reversed_dims:
        y = y.index_select(axis, torch.tensor(indices, dtype=torch.long, device=y.device))
    return y.reshape(plan.out_shape)


def _strided_slice_grad_kernel(ctx, shape, begin, end, strides, dy):
    shape = su.int_list(ctx, 0, shape)
    plan = _plan(shape, *_spec_values(ctx, begin, end, strides))
    grad = dy.reshape(plan.inner_shape)
    for axis, indices in reversed(plan.reversed_dims):
        full = list(grad.shape)
        full[axis] = shape[axis]
        index = torch.tensor(indices, dtype=torch.long, device=grad.device)
        grad = torch.zeros(full, dtype=dy.dtype, device=dy.device).index_copy_(axis, index, grad)
    out = torch.zeros(shape, dtype=dy.dtype, device=dy.device)
    out[plan.basic] = grad
    return out


def _known(entry: _DimSpec) -> bool:
    """Whether the bounds this entry uses are known (unknown ones are None)."""
    if entry.shrink:
        return entry.begin is not None
    return entry.stride is not None and (entry.begin_masked or entry.begin is not None) and (
        entry.end_masked or entry.end is not None)


def _static_out(d, spec):
    """Output dims for input dims `d` and a slice spec; dims and bounds may be None."""
    begin, end, strides, masks = spec
    out = []
    axis = 0
    for entry in _expand_spec(len(d), begin, end, strides, masks):
        if entry is None:
            out.append(1)
            continue
        size = d[axis]
        axis += 1
        known = size is not None and _known(entry)
        if entry.shrink:
            if known:
                _dim_range(entry, size)  # raises for an out-of-range index
            continue
        out.append(len(builtins.range(*_dim_range(entry, size))) if known else None)
    return out


def _entry_values(tensor):
    """A slice-spec vector's entries, None where an entry is computed at run time."""
    values = su.constant_list(tensor)
    if values is not None:
        return values
    if tensor.op.type == "Pack":
        return [None if v is None else int(v[0]) for v in map(su.constant_list, tensor.op.inputs)]
    n = (su.dims(tensor) or [None])[0]
    return None if n is None else [None] * n


def _infer(op, d, spec_inputs):
    values = [_entry_values(t) for t in spec_inputs]
    if d is None or any(v is None for v in values):
        return None
    try:
        return _static_out(d, (*values, _masks(op)))
    except (ValueError, IndexError) as e:
        raise su.shape_error(op, str(e)) from None


def _masks(op):
    return {m: op.get_attr(m) for m in _MASKS}


def _strided_slice_infer(op):
    x = op.inputs[0]
    return [(x.dtype.base_dtype, su.make_shape(_infer(op, su.dims(x), op.inputs[1:4])))]


def _strided_slice_grad_infer(op):
    dy = op.inputs[4]
    return [(dy.dtype.base_dtype, su.make_shape(su.partial_dims_from_tensor(op.inputs[0])))]


register_op("StridedSlice", infer=_strided_slice_infer, kernel=_strided_slice_kernel)
register_op("StridedSliceGrad", infer=_strided_slice_grad_infer,
            kernel=_strided_slice_grad_kernel)


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0,
                  ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0, name=None):
    """input_[begin:end:strides] per dimension, with TensorFlow's mask encoding."""
    if strides is None:
        strides = [1] * len(begin)
    inputs = [input_] + [_as_index_vector(v) for v in (begin, end, strides)]
    attrs = {"begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
             "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}
    return ops.apply_op("StridedSlice", inputs, attrs, name=name).outputs[0]


def _as_index_vector(values):
    if isinstance(values, ops.Tensor):
        return values
    if all(isinstance(v, (builtins.int, np.integer)) for v in values):
        return np.asarray(values, dtype=np.int32).reshape(-1)
    parts = [ops.convert_to_tensor(v, dtype=dtypes.int32) for v in values]
    return ops.apply_op("Pack", parts, {"N": len(parts), "axis": 0}).outputs[0]


def _slice_helper(tensor, slice_spec):
    """Tensor.__getitem__: ints, slices (any step), Ellipsis, None (newaxis), and
    int32 scalar Tensors as indices."""
    if not isinstance(slice_spec, tuple):
        slice_spec = (slice_spec,)
    begin, end, strides = [], [], []
    masks = dict.fromkeys(_MASKS, 0)
    for i, s in enumerate(slice_spec):
        bit = 1 << i
        if isinstance(s, builtins.slice):
            if s.step is not None and not isinstance(s.step, ops.Tensor) and s.step == 0:
                raise ValueError("slice step cannot be zero")
            begin.append(0 if s.start is None else s.start)
            end.append(0 if s.stop is None else s.stop)
            strides.append(1 if s.step is None else s.step)
            masks["begin_mask"] |= bit if s.start is None else 0
            masks["end_mask"] |= bit if s.stop is None else 0
        elif s is Ellipsis or s is None:
            begin.append(0), end.append(0), strides.append(1)
            masks["ellipsis_mask" if s is Ellipsis else "new_axis_mask"] |= bit
        elif isinstance(s, (builtins.int, np.integer, ops.Tensor)):
            begin.append(s)
            end.append(s + 1)
            strides.append(1)
            masks["shrink_axis_mask"] |= bit
        else:
            raise TypeError(f"Bad slice index {s!r} of type {type(s).__name__}: only ints, "
                            "slices, Ellipsis, None and scalar int32 tensors are supported")
    return strided_slice(tensor, begin, end, strides, name="strided_slice", **masks)
