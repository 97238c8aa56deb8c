"""TensorFlow 0.6's sparse ops: SparseTensor in, SparseTensor (or a dense tensor) out.

SparseConcat and SparseReorder are TensorFlow's op types; sparse_retain, sparse_to_indicator
and sparse_fill_empty_rows were compositions of dense ops in TensorFlow 0.6 and are single
ops here (SparseRetain, SparseToIndicator, SparseFillEmptyRows). None is differentiable:
TensorFlow 0.6 declared no gradient for the sparse op types (SparseToDense's lives with it).
Values may be numeric torch tensors or numpy object arrays of strings.
"""

from __future__ import annotations

import numpy as np
import torch

from scopeflow import errors
from scopeflow.framework import dtypes, ops, tensor_shape
from scopeflow.framework.registry import NotDifferentiable, register_op
from scopeflow.framework.sparse_tensor import SparseTensor, SparseTensorValue
from scopeflow.ops import shape_util as su
from scopeflow.ops.control_flow_ops import identity
from scopeflow.ops.index_ops import sparse_to_dense

__all__ = [
    "SparseTensor", "SparseTensorValue", "sparse_concat", "sparse_fill_empty_rows",
    "sparse_reorder", "sparse_retain", "sparse_tensor_to_dense", "sparse_to_indicator",
]


def _check_sparse(sp_input) -> None:
    if not isinstance(sp_input, SparseTensor):
        raise TypeError("Input must be a SparseTensor")


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


# -- kernel helpers ------------------------------------------------------------------------
def _take(values, positions: torch.Tensor):
    """values[positions] for a torch tensor or a numpy array of strings."""
    if isinstance(values, np.ndarray):
        return values[positions.cpu().numpy()]
    return values[positions.to(values.device)]


def _cat_values(parts: list):
    if parts and isinstance(parts[0], np.ndarray):
        return np.concatenate(parts)
    return torch.cat(parts)


def _row_major_order(indices: torch.Tensor) -> torch.Tensor:
    """The stable permutation that sorts index rows lexicographically (row-major order)."""
    rows = indices.cpu().numpy()
    if rows.shape[0] == 0:
        return torch.zeros(0, dtype=torch.int64, device=indices.device)
    # np.lexsort sorts by its last key first: hand it the columns last to first.
    order = np.lexsort(rows.T[::-1])
    return torch.from_numpy(order).to(indices.device)


def _reorder(indices: torch.Tensor, values):
    order = _row_major_order(indices)
    return indices[order], _take(values, order)


def _shape_list(shape) -> list[int]:
    return [int(v) for v in shape.reshape(-1).tolist()]


# -- sparse_tensor_to_dense ------------------------------------------------------------------
def sparse_tensor_to_dense(sp_input, default_value=0, name=None):
    """The dense tensor of `sp_input.shape`: its values at its indices, default_value elsewhere."""
    _check_sparse(sp_input)
    return sparse_to_dense(sp_input.indices, sp_input.shape, sp_input.values, default_value,
                           name=name)


# -- sparse_to_indicator ---------------------------------------------------------------------
def sparse_to_indicator(sp_input, vocab_size, name=None):
    """A dense bool tensor, the last dimension of `sp_input` replaced by `vocab_size`:
    output[d_0, ..., d_n, sp_input[d_0, ..., d_n, k]] = True, False elsewhere."""
    _check_sparse(sp_input)
    with ops.op_scope([sp_input], name, "SparseToIndicator") as scope:
        ids = sp_input.values
        if ids.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"sparse_to_indicator needs int32 or int64 ids, not {ids.dtype.name}")
        vocab = ops.convert_to_tensor(vocab_size, dtype=dtypes.int64, name="vocab_size")
        return ops.apply_op("SparseToIndicator",
                            [sp_input.indices, ids, sp_input.shape, vocab],
                            name=scope).outputs[0]


def _sparse_to_indicator_infer(op):
    rank = su.dims(op.inputs[2])
    d = su.partial_dims_from_tensor(op.inputs[2], rank[0] if rank else None)
    vocab = su.constant_list(op.inputs[3])
    if d is not None and d:
        d = d[:-1] + [vocab[0] if vocab else None]
    return [(dtypes.bool, su.make_shape(d))]


def _sparse_to_indicator_kernel(ctx, indices, ids, shape, vocab):
    vocab = int(vocab)
    out_shape = _shape_list(shape)[:-1] + [vocab]
    ids = ids.long().to(indices.device)
    bad = ((ids < 0) | (ids >= vocab)).nonzero()
    if len(bad):
        i = int(bad[0])
        raise _invalid(f"Index {i} has value {int(ids[i])} outside [0, {vocab})")
    out = torch.zeros(out_shape, dtype=torch.bool, device=indices.device)
    out[(*indices[:, :-1].t(), ids)] = True
    return out


register_op("SparseToIndicator", infer=_sparse_to_indicator_infer,
            kernel=_sparse_to_indicator_kernel)


# -- sparse_concat ---------------------------------------------------------------------------
def sparse_concat(concat_dim, sp_inputs, name=None):
    """The SparseTensor of the dense inputs concatenated along `concat_dim` (row-major)."""
    if not isinstance(sp_inputs, list):
        raise TypeError("Inputs must be a list")
    if not all(isinstance(sp, SparseTensor) for sp in sp_inputs):
        raise TypeError("All inputs must be SparseTensors")
    if len(sp_inputs) == 1:
        return sp_inputs[0]
    inputs = ([sp.indices for sp in sp_inputs] + [sp.values for sp in sp_inputs]
              + [sp.shape for sp in sp_inputs])
    attrs = {"N": len(sp_inputs), "concat_dim": int(concat_dim)}
    outputs = ops.apply_op("SparseConcat", inputs, attrs, name=name).outputs
    return SparseTensor(*outputs)


def _sparse_concat_infer(op):
    n = op.get_attr("N")
    rows, cols = tensor_shape.Dimension(0), tensor_shape.Dimension(None)
    shape_shape = tensor_shape.unknown_shape()
    for i in range(n):
        ind = op.inputs[i].get_shape().with_rank(2)
        val = op.inputs[n + i].get_shape().with_rank(1)
        shape_shape = shape_shape.merge_with(op.inputs[2 * n + i].get_shape().with_rank(1))
        count = ind[0].merge_with(val[0])
        rows = rows + count
        cols = cols.merge_with(ind[1])
    dtype = op.inputs[n].dtype.base_dtype
    su.check_same_dtype(op, op.inputs[n:2 * n])
    return [(dtypes.int64, tensor_shape.matrix(rows, cols)),
            (dtype, tensor_shape.vector(rows)),
            (dtypes.int64, shape_shape)]


def _sparse_concat_kernel(ctx, *inputs):
    n, dim = ctx.attrs["N"], ctx.attrs["concat_dim"]
    indices, values, shapes = inputs[:n], inputs[n:2 * n], inputs[2 * n:]
    shape_lists = [_shape_list(s) for s in shapes]
    rank = len(shape_lists[0])
    axis = dim + rank if dim < 0 else dim
    if not 0 <= axis < rank:
        raise _invalid(f"Concat dimension must be in range [{-rank}, {rank}), got {dim}")
    for i, s in enumerate(shape_lists):
        if len(s) != rank or any(a != b for j, (a, b) in enumerate(zip(s, shape_lists[0]))
                                 if j != axis):
            raise _invalid(f"All SparseTensors' shapes must match except on the concat "
                           f"dimension; input {i} has shape {s}, input 0 has shape "
                           f"{shape_lists[0]}")
    shifted, offset = [], 0
    for ind, s in zip(indices, shape_lists):
        moved = ind.clone()
        moved[:, axis] += offset
        shifted.append(moved)
        offset += s[axis]
    out_shape = list(shape_lists[0])
    out_shape[axis] = offset
    out_indices, out_values = _reorder(torch.cat(shifted), _cat_values(list(values)))
    return out_indices, out_values, torch.tensor(out_shape, dtype=torch.int64)


register_op("SparseConcat", infer=_sparse_concat_infer, kernel=_sparse_concat_kernel)


# -- sparse_reorder ----------------------------------------------------------------------------
def sparse_reorder(sp_input, name=None):
    """The same SparseTensor with its entries in canonical row-major order."""
    _check_sparse(sp_input)
    indices, values = ops.apply_op(
        "SparseReorder", [sp_input.indices, sp_input.values, sp_input.shape],
        name=name).outputs
    return SparseTensor(indices, values, identity(sp_input.shape))


def _sparse_reorder_infer(op):
    ind = op.inputs[0].get_shape().with_rank(2)
    val = op.inputs[1].get_shape().with_rank(1)
    op.inputs[2].get_shape().with_rank(1)
    return [(dtypes.int64, ind), (op.inputs[1].dtype.base_dtype, val)]


register_op("SparseReorder", infer=_sparse_reorder_infer,
            kernel=lambda ctx, indices, values, shape: _reorder(indices, values))


# -- sparse_retain -----------------------------------------------------------------------------
def sparse_retain(sp_input, to_retain):
    """The entries of `sp_input` where the bool vector `to_retain` is True, same shape."""
    _check_sparse(sp_input)
    to_retain = ops.convert_to_tensor(to_retain)
    retain_shape = to_retain.get_shape()
    retain_shape.assert_has_rank(1)
    sp_input.values.get_shape()[0].merge_with(retain_shape[0])
    indices, values = ops.apply_op(
        "SparseRetain", [sp_input.indices, sp_input.values, to_retain]).outputs
    return SparseTensor(indices, values, identity(sp_input.shape))


def _sparse_retain_infer(op):
    cols = op.inputs[0].get_shape().with_rank(2)[1]
    return [(dtypes.int64, tensor_shape.matrix(None, cols)),
            (op.inputs[1].dtype.base_dtype, tensor_shape.vector(None))]


def _sparse_retain_kernel(ctx, indices, values, to_retain):
    if to_retain.shape[0] != indices.shape[0]:
        raise _invalid(f"to_retain has {to_retain.shape[0]} elements but the SparseTensor "
                       f"has {indices.shape[0]} values")
    kept = to_retain.to(torch.bool).nonzero().reshape(-1).to(indices.device)
    return indices[kept], _take(values, kept)


register_op("SparseRetain", infer=_sparse_retain_infer, kernel=_sparse_retain_kernel)


# -- sparse_fill_empty_rows ----------------------------------------------------------------------
def sparse_fill_empty_rows(sp_input, default_value, name=None):
    """(sp_output, empty_row_indicator): every empty row r of `sp_input` gets default_value
    at [r, 0]; the output is row-major with the input's shape, and empty_row_indicator[r]
    says whether row r was empty."""
    _check_sparse(sp_input)
    with ops.op_scope([sp_input], name, "SparseFillEmptyRows") as scope:
        default = ops.convert_to_tensor(default_value, dtype=sp_input.values.dtype.base_dtype,
                                        name="default_value")
        indices, values, empty = ops.apply_op(
            "SparseFillEmptyRows",
            [sp_input.indices, sp_input.values, sp_input.shape, default], name=scope).outputs
        return SparseTensor(indices, values, sp_input.shape), empty


def _fill_empty_rows_infer(op):
    cols = op.inputs[0].get_shape().with_rank(2)[1]
    rows = su.partial_dims_from_tensor(op.inputs[2])
    return [(dtypes.int64, tensor_shape.matrix(None, cols)),
            (op.inputs[1].dtype.base_dtype, tensor_shape.vector(None)),
            (dtypes.bool, tensor_shape.vector(rows[0] if rows else None))]


def _fill_empty_rows_kernel(ctx, indices, values, shape, default):
    rows = _shape_list(shape)[0]
    empty = torch.ones(rows, dtype=torch.bool, device=indices.device)
    empty[indices[:, 0]] = False
    empty_rows = empty.nonzero().reshape(-1)
    added = torch.zeros((len(empty_rows), indices.shape[1]), dtype=torch.int64,
                        device=indices.device)
    added[:, 0] = empty_rows
    if isinstance(values, np.ndarray):
        fill = np.empty(len(empty_rows), dtype=object)
        fill[:] = [np.asarray(default, dtype=object).item()] * len(empty_rows)
    else:
        fill = default.to(values.device).expand(len(empty_rows))
    out_indices, out_values = _reorder(torch.cat([indices, added]), _cat_values([values, fill]))
    return out_indices, out_values, empty


register_op("SparseFillEmptyRows", infer=_fill_empty_rows_infer, kernel=_fill_empty_rows_kernel)

for _type in ("SparseToIndicator", "SparseConcat", "SparseReorder", "SparseRetain",
              "SparseFillEmptyRows"):
    NotDifferentiable(_type)
