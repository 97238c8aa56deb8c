"""SaveV2 / RestoreV2: graph ops that write and read a V2 tensor bundle.

SaveV2(prefix, tensor_names, shape_and_slices, *tensors) writes the bundle at `prefix`;
RestoreV2(prefix, tensor_names, shape_and_slices) returns one tensor per name, with attrs
`dtypes` and (scopeflow's addition, for clear errors) the `shapes` the restoring variables
expect. Only whole tensors: every shape_and_slices entry must be "".
"""

from __future__ import annotations

import numpy as np
import torch

from scopeflow import errors
from scopeflow.framework import dtypes, tensor_shape
from scopeflow.framework.registry import NotDifferentiable, register_op
from scopeflow.train import checkpoint_bundle


def _strings(value) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v)
            for v in np.asarray(value, dtype=object).ravel()]


def _check_whole(ctx, shape_and_slices) -> None:
    if any(_strings(shape_and_slices)):
        raise errors.UnimplementedError(None, ctx.op, "partitioned (sliced) tensors are not "
                                        "supported; shape_and_slices must be empty strings")


def _to_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _save_kernel(ctx, prefix, tensor_names, shape_and_slices, *tensors):
    names = _strings(tensor_names)
    _check_whole(ctx, shape_and_slices)
    if len(names) != len(tensors):
        raise errors.InvalidArgumentError(
            None, ctx.op, f"Got {len(names)} tensor names but {len(tensors)} tensors")
    (path,) = _strings(prefix)
    try:
        checkpoint_bundle.write_bundle(path, dict(zip(names, map(_to_numpy, tensors),
                                                      strict=True)))
    except OSError as exc:
        raise errors.UnknownError(None, ctx.op, f"Failed to write checkpoint {path}: {exc}") \
            from None


def _restore_kernel(ctx, prefix, tensor_names, shape_and_slices):
    names = _strings(tensor_names)
    _check_whole(ctx, shape_and_slices)
    (path,) = _strings(prefix)
    reader = checkpoint_bundle.BundleReader(path)
    wanted_dtypes = ctx.attrs["dtypes"]
    shapes = ctx.attrs.get("shapes") or [None] * len(names)
    out = []
    for name, dtype, shape in zip(names, wanted_dtypes, shapes, strict=True):
        entry = reader.entries.get(name)
        if entry is None:
            raise errors.NotFoundError(
                None, ctx.op, f"Key {name} not found in checkpoint {path}")
        if entry.dtype != dtype.as_datatype_enum:
            raise errors.InvalidArgumentError(
                None, ctx.op, f"tensor {name!r} in checkpoint {path} has dtype "
                f"{checkpoint_bundle.dtype_name(entry.dtype)}, but the variable is {dtype.name}")
        stored = reader.shape_of(name)
        if shape is not None and not tensor_shape.TensorShape(stored).is_compatible_with(shape):
            raise errors.InvalidArgumentError(
                None, ctx.op, f"tensor {name!r} in checkpoint {path} has shape "
                f"{list(stored)}, but the variable has shape {shape.as_list()}")
        value = reader.get_tensor(name)
        out.append(value if dtype == dtypes.string else
                   torch.from_numpy(value).to(ctx.device))
    return tuple(out)


def _restore_infer(op):
    shapes = op.attrs.get("shapes") or [tensor_shape.unknown_shape()] * len(op.get_attr("dtypes"))
    return [(dtype, shape) for dtype, shape in zip(op.get_attr("dtypes"), shapes, strict=True)]


register_op("SaveV2", infer=lambda op: [], kernel=_save_kernel, stateful=True)
register_op("RestoreV2", infer=_restore_infer, kernel=_restore_kernel, stateful=True)
NotDifferentiable("SaveV2")
NotDifferentiable("RestoreV2")
