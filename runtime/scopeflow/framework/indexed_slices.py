"""tf.IndexedSlices: rows `values[i]` of a larger dense tensor, at first-axis `indices[i]`.

Gather's gradient is one, so an embedding model's step never builds a full-size gradient:
tf.gradients passes it through, concatenates several, and the optimizers apply it to the
gathered rows only. An op that needs a Tensor densifies it through the registered tensor
conversion (UnsortedSegmentSum), warning, as TensorFlow 0.6 does, when that dense tensor
is huge or of unknown size.
"""

from __future__ import annotations

import collections
import warnings

import numpy as np

from scopeflow.framework import dtypes
from scopeflow.framework.operation import Tensor

__all__ = ["IndexedSlices", "IndexedSlicesValue", "convert_to_tensor_or_indexed_slices",
           "densify", "indexed_slices_to_tensor"]

# Densifying into at least this many elements warns (TensorFlow's threshold).
LARGE_SPARSE_NUM_ELEMENTS = 100_000_000

IndexedSlicesValue = collections.namedtuple(
    "IndexedSlicesValue", ["values", "indices", "dense_shape"])


class IndexedSlices:
    """dense[indices[i], ...] = values[i, ...]; duplicate indices add up when densified."""

    def __init__(self, values, indices, dense_shape=None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape
        self._dense = None

    @property
    def values(self) -> Tensor:
        return self._values

    @property
    def indices(self) -> Tensor:
        return self._indices

    @property
    def dense_shape(self) -> Tensor | None:
        return self._dense_shape

    @property
    def name(self) -> str:
        return self._values.name

    @property
    def device(self) -> str:
        return self._values.device

    @property
    def op(self):
        return self._values.op

    @property
    def dtype(self) -> dtypes.DType:
        return self._values.dtype

    @property
    def graph(self):
        return self._values.graph

    def __str__(self) -> str:
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape}"
        return f"IndexedSlices(indices={self._indices}, values={self._values}{shape})"

    __repr__ = __str__

    def _as_graph_element(self):
        # Session.run and feeds resolve an IndexedSlices to its dense value (built once).
        if self._dense is None:
            self._dense = indexed_slices_to_tensor(self)
        return self._dense

    def __neg__(self) -> IndexedSlices:
        from scopeflow.ops import math_ops

        return IndexedSlices(math_ops.neg(self._values), self._indices, self._dense_shape)


def _dense_rows(value: IndexedSlices):
    from scopeflow.ops import array_ops

    return array_ops.slice(value.dense_shape, [0], [1])[0]


def densify(value: IndexedSlices, name=None) -> Tensor:
    """The dense tensor (duplicates summed), without the size warning: for callers that
    densify on purpose."""
    from scopeflow.ops import index_ops
    from scopeflow.ops import shape_util as su

    if value.dense_shape is None:
        raise ValueError(
            f"Tensor conversion requested for IndexedSlices without dense_shape: {value}")
    shape = su.constant_list(value.dense_shape)
    rows = np.int32(shape[0]) if shape is not None else _dense_rows(value)
    dense = index_ops.unsorted_segment_sum(value.values, value.indices, rows, name=name)
    if shape is not None:
        dense.set_shape(shape)
    return dense


def indexed_slices_to_tensor(value: IndexedSlices, dtype=None, name=None, as_ref=False):
    """The registered tensor conversion: densifies, warning when that may use much memory."""
    del as_ref
    _check_dtype(value, dtype)
    if value.dense_shape is not None:
        _warn_if_large(value.dense_shape)
    return densify(value, name=name)


def _warn_if_large(dense_shape) -> None:
    from scopeflow.ops import shape_util as su

    shape = su.constant_list(dense_shape)
    if shape is None:
        warnings.warn("Converting sparse IndexedSlices to a dense Tensor of unknown shape. "
                      "This may consume a large amount of memory.", stacklevel=4)
        return
    num_elements = int(np.prod(shape, dtype=np.int64))
    if num_elements >= LARGE_SPARSE_NUM_ELEMENTS:
        warnings.warn(f"Converting sparse IndexedSlices to a dense Tensor with {num_elements} "
                      "elements. This may consume a large amount of memory.", stacklevel=4)


def convert_to_tensor_or_indexed_slices(value, dtype=None, name=None):
    """An IndexedSlices as it is (dtype checked), anything else through convert_to_tensor."""
    from scopeflow.framework import ops

    if isinstance(value, IndexedSlices):
        _check_dtype(value, dtype)
        return value
    return ops.convert_to_tensor(value, dtype=dtype, name=name)


def _check_dtype(value: IndexedSlices, dtype) -> None:
    if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(value.dtype):
        raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} "
                         f"for IndexedSlices with dtype {value.dtype.name}")
