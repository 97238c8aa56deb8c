"""tf.SparseTensor and tf.SparseTensorValue: a sparse tensor as three dense tensors.

`indices` (int64, [N, ndims]) says where the N values sit, `values` ([N]) holds them and
`shape` (int64, [ndims]) is the dense shape. A SparseTensor is not an op output of its own:
Session.run fetches its three tensors and returns a SparseTensorValue, and a feed_dict may
feed all three at once with a SparseTensorValue or an (indices, values, shape) tuple.
"""

from __future__ import annotations

import collections

from scopeflow.framework import dtypes, ops

SparseTensorValue = collections.namedtuple("SparseTensorValue", ["indices", "values", "shape"])


def _as_int64(value, name: str) -> ops.Tensor:
    # Python lists and arrays default to int32 when converted; the components are int64.
    if isinstance(value, ops.Tensor):
        return value
    return ops.convert_to_tensor(value, dtype=dtypes.int64, name=name)


class SparseTensor:
    """`tf.SparseTensor(indices, values, shape)`: dense[indices[i]] = values[i], zero elsewhere.

    Indices are expected in row-major order (tf.sparse_reorder fixes them); the constructor
    checks only the static shapes: indices of rank 2, values and shape of rank 1, one index
    row per value and one index column per dimension.
    """

    def __init__(self, indices, values, shape):
        with ops.op_scope([indices, values, shape], None, "SparseTensor"):
            indices = _as_int64(indices, "indices")
            values = ops.convert_to_tensor(values, name="values")
            shape = _as_int64(shape, "shape")
        self._indices, self._values, self._shape = indices, values, shape
        indices_shape = indices.get_shape().with_rank(2)
        values_shape = values.get_shape().with_rank(1)
        shape_shape = shape.get_shape().with_rank(1)
        indices_shape[0].merge_with(values_shape[0])
        indices_shape[1].merge_with(shape_shape[0])

    @property
    def indices(self) -> ops.Tensor:
        return self._indices

    @property
    def values(self) -> ops.Tensor:
        return self._values

    @property
    def shape(self) -> ops.Tensor:
        return self._shape

    @property
    def dtype(self) -> dtypes.DType:
        return self._values.dtype

    @property
    def op(self):
        """The op producing `values`."""
        return self._values.op

    @property
    def graph(self):
        return self._indices.graph

    def eval(self, feed_dict=None, session=None) -> SparseTensorValue:
        """Runs this sparse tensor in `session` (or the default session)."""
        from scopeflow.client.session import run_with_default

        return run_with_default(self, feed_dict, session)

    def __str__(self) -> str:
        return (f"SparseTensor(indices={self._indices}, values={self._values}, "
                f"shape={self._shape})")

    __repr__ = __str__


__all__ = ["SparseTensor", "SparseTensorValue"]
