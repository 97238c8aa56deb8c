"""Feed values in, fetched values out: numpy/Python values <-> kernel values.

A feeder is built once per fed tensor per plan, so a run only pays for the conversion.
"""

from __future__ import annotations

import numpy as np
import torch

from scopeflow.framework import dtypes
from scopeflow.framework.operation import Tensor
from scopeflow.framework.sparse_tensor import SparseTensor
from scopeflow.framework.tensor_util import string_array

_BAD_FEED = ("The value of a feed cannot be a tf.Tensor object. Acceptable feed values "
             "include Python scalars, strings, lists, or numpy ndarrays.")


def make_feeder(tensor: Tensor):
    """A function value -> kernel value for `tensor`, checking dtype and static shape."""
    dtype = tensor.dtype.base_dtype
    shape = tensor.get_shape()
    dims = None if shape.ndims is None else tuple(d.value for d in shape.dims)
    exact = dims if shape.is_fully_defined() else None

    def check_shape(arr: np.ndarray) -> None:
        if dims is not None and (arr.ndim != len(dims) or any(
                d is not None and d != s for d, s in zip(dims, arr.shape))):
            raise ValueError(
                f"Cannot feed value of shape {arr.shape!r} for Tensor '{tensor.name}', "
                f"which has shape '{shape}'"
            )

    if dtype == dtypes.string:
        def feed_string(value):
            if isinstance(value, Tensor):
                raise TypeError(_BAD_FEED)
            arr = string_array(value)
            check_shape(arr)
            return arr

        return feed_string

    convert = _numeric_converter(tensor, dtype)
    np_type = np.dtype(dtype.as_numpy_dtype)
    from_numpy = torch.from_numpy

    def feed(value):
        # Fast path: an array of the right dtype and exact shape goes straight to torch.
        if type(value) is np.ndarray and value.dtype == np_type:
            arr = value
        else:
            arr = convert(value)
        if arr.shape != exact:
            check_shape(arr)
        return from_numpy(arr) if arr.flags.writeable else from_numpy(arr.copy())

    return feed


def split_sparse_feeds(fn, sparse_at: dict[int, str], count: int):
    """`fn` taking one argument per fed tensor, called with one per feed_dict key: the
    values fed to the SparseTensor keys at `sparse_at` (position -> name) are split into
    indices, values and shape. Arguments after the first `count` pass through."""

    def run(*args):
        expanded = []
        for i, value in enumerate(args[:count]):
            if i in sparse_at:
                expanded.extend(_sparse_parts(value, sparse_at[i]))
            else:
                expanded.append(value)
        return fn(*expanded, *args[count:])

    return run


def _sparse_parts(value, name: str) -> tuple:
    # A SparseTensorValue is a namedtuple, so this also takes plain 3-tuples and lists.
    if isinstance(value, (Tensor, SparseTensor)):
        raise TypeError(_BAD_FEED)
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise TypeError(f"The value fed to the SparseTensor of values '{name}' must be a SparseTensorValue or an "
                        f"(indices, values, shape) tuple, not {_short(value)}")
    return tuple(value)


def _numeric_converter(tensor: Tensor, dtype: dtypes.DType):
    np_type = np.dtype(dtype.as_numpy_dtype)
    exact_only = dtype.is_integer or dtype == dtypes.bool

    def convert(value) -> np.ndarray:
        if isinstance(value, Tensor):
            raise TypeError(_BAD_FEED)
        try:
            arr = np.asarray(value)
            if arr.dtype.kind in "SUO":
                raise ValueError(f"could not convert {value!r} to {dtype.name}")
            cast = arr.astype(np_type, copy=False)
        except (ValueError, TypeError) as e:
            raise ValueError(
                f"Cannot feed value {_short(value)} for Tensor '{tensor.name}' of dtype "
                f"{dtype.name}: {e}"
            ) from None
        if exact_only and arr.dtype.kind in "fc" and not np.array_equal(cast, arr):
            raise TypeError(
                f"Cannot feed value {_short(value)} of type {arr.dtype} for Tensor "
                f"'{tensor.name}' of dtype {dtype.name}: the values are not integers"
            )
        return cast

    return convert


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def to_numpy(value):
    """A fetched kernel value as numpy: a copy (never a view of session state); 0-d -> scalar."""
    if type(value) is torch.Tensor:
        if value.device.type != "cpu":
            value = value.cpu()
            arr = _tensor_numpy(value)
        else:
            arr = _tensor_numpy(value).copy()
    elif isinstance(value, np.ndarray):
        arr = value.copy()
    else:
        arr = np.asarray(value)
    return arr[()] if arr.ndim == 0 else arr


def _tensor_numpy(value: torch.Tensor) -> np.ndarray:
    if value.dtype == torch.bfloat16:
        return value.float().numpy()
    return value.detach().numpy() if value.requires_grad else value.numpy()
