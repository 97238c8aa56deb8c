"""Variable state: the Variable op and the ops that write it (Assign, AssignAdd, ...).

A variable's value lives in the session, in `ctx.resources[<variable op name>]`, so two
sessions on one graph hold independent values. Writers take the variable as a ref input
(registry `ref_inputs`): their kernel gets the variable's name instead of its value.
"""

from __future__ import annotations

import torch

from scopeflow import errors
from scopeflow.framework import dtypes, ops, tensor_shape
from scopeflow.framework.registry import NotDifferentiable, register_op

__all__ = [
    "assign", "assign_add", "assign_sub", "count_up_to", "is_variable_initialized",
    "scatter_add", "scatter_sub", "scatter_update", "variable_op",
]


def _uninitialized(ctx, name: str):
    return errors.FailedPreconditionError(
        None, ctx.op, f"Attempting to use uninitialized value {name}"
    )


def _variable_infer(op):
    return [(op.get_attr("dtype")._as_ref, op.get_attr("shape"))]


def _variable_kernel(ctx):
    value = ctx.resources.get(ctx.op.name)
    if value is None:
        raise _uninitialized(ctx, ctx.op.name)
    return value


register_op("Variable", infer=_variable_infer, kernel=_variable_kernel, stateful=True)


def _assign_infer(op):
    ref, value = op.inputs
    if op.get_attr("validate_shape"):
        try:
            shape = ref.get_shape().merge_with(value.get_shape())
        except ValueError:
            raise ValueError(
                f"Shapes {ref.get_shape()} and {value.get_shape()} are incompatible: "
                f"op '{op.name}' assigns to variable '{ref.op.name}'"
            ) from None
    else:
        shape = value.get_shape()
    return [(ref.dtype.base_dtype, shape)]


def _assign_kernel(ctx, name, value):
    if ctx.attrs["validate_shape"]:
        expected = ctx.op.inputs[0].get_shape()
        if not expected.is_compatible_with(tuple(value.shape)):
            raise errors.InvalidArgumentError(
                None, ctx.op,
                f"Assign requires shapes of both tensors to match. lhs shape= {expected} "
                f"rhs shape= {tuple(value.shape)}",
            )
    # The variable owns its storage: neither the fed array nor another op's output aliases it.
    value = value.clone() if isinstance(value, torch.Tensor) else value.copy()
    ctx.resources[name] = value
    return value


def _update_kernel(sign: int):
    def kernel(ctx, name, delta):
        current = ctx.resources.get(name)
        if current is None:
            raise _uninitialized(ctx, name)
        if tuple(current.shape) != tuple(delta.shape) and delta.dim() > 0:
            raise errors.InvalidArgumentError(
                None, ctx.op,
                f"Must have the same shape: variable {name} has shape {tuple(current.shape)}, "
                f"update has shape {tuple(delta.shape)}",
            )
        value = current + delta if sign > 0 else current - delta
        ctx.resources[name] = value
        return value

    return kernel


def _update_infer(op):
    ref, value = op.inputs
    ref.get_shape().merge_with(value.get_shape())
    return [(ref.dtype.base_dtype, ref.get_shape())]


register_op("Assign", infer=_assign_infer, kernel=_assign_kernel, stateful=True,
            ref_inputs=(0,))
register_op("AssignAdd", infer=_update_infer, kernel=_update_kernel(+1), stateful=True,
            ref_inputs=(0,))
register_op("AssignSub", infer=_update_infer, kernel=_update_kernel(-1), stateful=True,
            ref_inputs=(0,))


def _is_initialized_kernel(ctx, name):
    return torch.tensor(name in ctx.resources, device=ctx.device)


register_op("IsVariableInitialized",
            infer=lambda op: [(dtypes.bool, tensor_shape.scalar())],
            kernel=_is_initialized_kernel, stateful=True, ref_inputs=(0,))


def _count_up_to_kernel(ctx, name):
    current = ctx.resources.get(name)
    if current is None:
        raise _uninitialized(ctx, name)
    limit = ctx.attrs["limit"]
    if int(current) >= limit:
        raise errors.OutOfRangeError(None, ctx.op, f"Reached limit of {limit}")
    ctx.resources[name] = current + 1
    return current


def _count_up_to_infer(op):
    ref = op.inputs[0]
    ref.get_shape().assert_has_rank(0)
    if ref.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"CountUpTo needs an int32 or int64 variable, got {ref.dtype.name}")
    return [(ref.dtype.base_dtype, tensor_shape.scalar())]


register_op("CountUpTo", infer=_count_up_to_infer, kernel=_count_up_to_kernel,
            stateful=True, ref_inputs=(0,))

def _scatter_infer(op):
    ref, indices, updates = op.inputs
    expected = indices.get_shape().concatenate(ref.get_shape()[1:])
    if not updates.get_shape().is_compatible_with(expected):
        raise ValueError(
            f"Shapes {updates.get_shape()} and {expected} are incompatible: op '{op.name}' "
            f"needs updates of shape indices.shape + ref.shape[1:]"
        )
    return [(ref.dtype.base_dtype, ref.get_shape())]


def _scatter_kernel(combine):
    def kernel(ctx, name, indices, updates):
        current = ctx.resources.get(name)
        if current is None:
            raise _uninitialized(ctx, name)
        flat = indices.reshape(-1).long()
        if flat.numel() and (int(flat.min()) < 0 or int(flat.max()) >= current.shape[0]):
            raise errors.InvalidArgumentError(
                None, ctx.op, f"indices {flat.tolist()} out of range [0, {current.shape[0]})")
        rows = updates.reshape((flat.numel(),) + tuple(current.shape[1:]))
        # In place, as TensorFlow updates the ref (and as the training ops do): a copy of
        # the whole variable per step would cost an embedding table's size for a few rows.
        # Fetched values are copies (plan.py), so no earlier result changes under its reader.
        combine(current, flat, rows.to(current.dtype))
        return current

    return kernel


register_op("ScatterUpdate", infer=_scatter_infer, stateful=True, ref_inputs=(0,),
            kernel=_scatter_kernel(lambda v, i, u: v.index_copy_(0, i, u)))
register_op("ScatterAdd", infer=_scatter_infer, stateful=True, ref_inputs=(0,),
            kernel=_scatter_kernel(lambda v, i, u: v.index_add_(0, i, u)))
register_op("ScatterSub", infer=_scatter_infer, stateful=True, ref_inputs=(0,),
            kernel=_scatter_kernel(lambda v, i, u: v.index_add_(0, i, -u)))

for _type in ("Variable", "Assign", "AssignAdd", "AssignSub", "IsVariableInitialized",
              "CountUpTo", "ScatterUpdate", "ScatterAdd", "ScatterSub"):
    NotDifferentiable(_type)


def variable_op(shape, dtype, name="Variable", container="", shared_name="") -> ops.Tensor:
    """The raw Variable op's output (the variable reference)."""
    attrs = {
        "shape": tensor_shape.as_shape(shape), "dtype": dtypes.as_dtype(dtype).base_dtype,
        "container": container, "shared_name": shared_name,
    }
    return ops.apply_op("Variable", [], attrs, name=name).outputs[0]


def as_ref(value, op_type: str) -> ops.Tensor:
    """The variable reference behind a Variable or a Variable op's output; TypeError if none."""
    ref = getattr(value, "_variable", value)
    if not isinstance(ref, ops.Tensor) or ref.op.type != "Variable":
        raise TypeError(f"Input 'ref' of '{op_type}' Op requires l-value input")
    return ref


def assign(ref, value, validate_shape=True, use_locking=None, name=None) -> ops.Tensor:
    ref = as_ref(ref, "Assign")
    value = ops.convert_to_tensor(value, dtype=ref.dtype.base_dtype)
    attrs = {"T": ref.dtype.base_dtype, "validate_shape": bool(validate_shape),
             "use_locking": bool(use_locking)}
    return ops.apply_op("Assign", [ref, value], attrs, name=name).outputs[0]


def _update(op_type, ref, value, use_locking, name) -> ops.Tensor:
    ref = as_ref(ref, op_type)
    value = ops.convert_to_tensor(value, dtype=ref.dtype.base_dtype)
    attrs = {"T": ref.dtype.base_dtype, "use_locking": bool(use_locking)}
    return ops.apply_op(op_type, [ref, value], attrs, name=name).outputs[0]


def assign_add(ref, value, use_locking=None, name=None) -> ops.Tensor:
    return _update("AssignAdd", ref, value, use_locking, name)


def assign_sub(ref, value, use_locking=None, name=None) -> ops.Tensor:
    return _update("AssignSub", ref, value, use_locking, name)


def count_up_to(ref, limit, name=None) -> ops.Tensor:
    """Increments the int variable `ref`; returns its old value; OutOfRange at `limit`."""
    ref = as_ref(ref, "CountUpTo")
    attrs = {"T": ref.dtype.base_dtype, "limit": int(limit)}
    return ops.apply_op("CountUpTo", [ref], attrs, name=name).outputs[0]


def is_variable_initialized(ref, name=None) -> ops.Tensor:
    ref = as_ref(ref, "IsVariableInitialized")
    attrs = {"dtype": ref.dtype.base_dtype}
    return ops.apply_op("IsVariableInitialized", [ref], attrs, name=name).outputs[0]


def _scatter(op_type, ref, indices, updates, use_locking, name) -> ops.Tensor:
    ref = as_ref(ref, op_type)
    indices = ops.convert_to_tensor(indices)
    if not indices.dtype.is_integer:
        raise TypeError(f"{op_type} indices must be int32 or int64, got {indices.dtype.name}")
    updates = ops.convert_to_tensor(updates, dtype=ref.dtype.base_dtype)
    attrs = {"T": ref.dtype.base_dtype, "Tindices": indices.dtype,
             "use_locking": bool(use_locking)}
    return ops.apply_op(op_type, [ref, indices, updates], attrs, name=name).outputs[0]


def scatter_update(ref, indices, updates, use_locking=None, name=None) -> ops.Tensor:
    """ref[indices, ...] = updates; duplicate indices leave one of their updates."""
    return _scatter("ScatterUpdate", ref, indices, updates, use_locking, name)


def scatter_add(ref, indices, updates, use_locking=None, name=None) -> ops.Tensor:
    """ref[indices, ...] += updates; duplicate indices add up."""
    return _scatter("ScatterAdd", ref, indices, updates, use_locking, name)


def scatter_sub(ref, indices, updates, use_locking=None, name=None) -> ops.Tensor:
    """ref[indices, ...] -= updates; duplicate indices add up."""
    return _scatter("ScatterSub", ref, indices, updates, use_locking, name)
