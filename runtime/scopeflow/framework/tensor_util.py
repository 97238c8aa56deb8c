"""Python and numpy values to numpy arrays of a TensorFlow dtype, and to/from TensorProto.

Follows TensorFlow's conversion rules: Python floats become float32 and Python ints int32
(int64 when they do not fit) unless a dtype is given; a numpy array keeps its dtype; strings
become numpy object arrays of bytes.
"""

from __future__ import annotations

import numbers

import numpy as np
from board.proto import tensor_pb2

from scopeflow.framework import dtypes, tensor_shape

_INT32 = np.iinfo(np.int32)


def _flatten(values):
    if isinstance(values, (list, tuple)):
        for v in values:
            yield from _flatten(v)
    else:
        yield values


def _check_compatible(values, dtype: dtypes.DType) -> None:
    """TypeError, with TensorFlow's wording, for a Python value that does not fit dtype."""
    if dtype == dtypes.string:
        ok = (bytes, str, np.bytes_, np.str_)
    elif dtype == dtypes.bool:
        ok = (bool, np.bool_)
    elif dtype.is_integer:
        ok = (numbers.Integral,)
    elif dtype.is_floating:
        ok = (numbers.Real,)
    elif dtype.is_complex:
        ok = (numbers.Number,)
    else:
        return
    for v in _flatten(values):
        if isinstance(v, np.ndarray):
            continue
        if not isinstance(v, ok):
            raise TypeError(
                f"Expected {dtype.name}, got {v!r} of type '{type(v).__name__}' instead."
            )


def _to_bytes(v):
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode("utf-8")
    if isinstance(v, np.bytes_):
        return bytes(v)
    raise TypeError(f"Expected string, got {v!r} of type '{type(v).__name__}' instead.")


def string_array(values) -> np.ndarray:
    """A numpy object array of bytes from strings (str are UTF-8 encoded)."""
    arr = np.asarray(values, dtype=object)
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i, v in enumerate(flat_in):
        flat_out[i] = _to_bytes(v)
    return out


def _infer_dtype(arr: np.ndarray) -> dtypes.DType:
    if arr.dtype.kind in "SUO":
        return dtypes.string
    if arr.dtype == np.float64:
        return dtypes.float32
    if arr.dtype == np.int64:
        fits = arr.size == 0 or (arr.min() >= _INT32.min and arr.max() <= _INT32.max)
        return dtypes.int32 if fits else dtypes.int64
    return dtypes.as_dtype(arr.dtype)


def to_numpy(values, dtype=None) -> tuple[np.ndarray, dtypes.DType]:
    """Converts a Python or numpy value to (array, DType) following TensorFlow's rules."""
    dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
    if isinstance(values, (np.ndarray, np.generic)):
        arr = np.asarray(values)
        if dtype is None:
            dtype = dtypes.string if arr.dtype.kind in "SUO" else dtypes.as_dtype(arr.dtype)
    else:
        if dtype is not None:
            _check_compatible(values, dtype)
        try:
            arr = np.array(values)
        except ValueError as e:
            raise ValueError(f"Argument must be a dense tensor: {values!r} - {e}") from None
        if arr.dtype == object and not all(
            isinstance(v, (bytes, str)) for v in _flatten(values)
        ):
            raise TypeError(f"Failed to convert object of type {type(values)} to Tensor.")
        if arr.dtype.kind in "SU":
            # numpy's fixed-width strings drop trailing NUL bytes (raw image bytes end in 0s).
            arr = np.array(values, dtype=object)
        if dtype is None:
            dtype = _infer_dtype(arr)
    if dtype == dtypes.string:
        return string_array(arr), dtype
    if arr.dtype.kind in "SUO":
        raise TypeError(f"Expected {dtype.name}, got {values!r} of type str instead.")
    return arr.astype(dtype.as_numpy_dtype, copy=False), dtype


def make_tensor_proto(values, dtype=None, shape=None) -> tensor_pb2.TensorProto:
    """A TensorProto holding `values` (row-major bytes for numbers, string_val for strings)."""
    arr, dtype = to_numpy(values, dtype)
    if shape is not None:
        arr = arr.reshape(shape)
    proto = tensor_pb2.TensorProto(
        dtype=dtype.as_datatype_enum,
        tensor_shape=tensor_shape.TensorShape(arr.shape).as_proto(),
    )
    if dtype == dtypes.string:
        proto.string_val.extend(arr.reshape(-1).tolist())
    elif arr.size:
        little_endian = arr.dtype.newbyteorder("<")
        proto.tensor_content = np.ascontiguousarray(arr).astype(little_endian).tobytes()
    return proto


_VAL_FIELDS = {
    dtypes.float32: "float_val", dtypes.float64: "double_val", dtypes.int32: "int_val",
    dtypes.int16: "int_val", dtypes.int8: "int_val", dtypes.uint8: "int_val",
    dtypes.int64: "int64_val", dtypes.bool: "bool_val", dtypes.string: "string_val",
    dtypes.float16: "half_val", dtypes.complex64: "scomplex_val",
    dtypes.complex128: "dcomplex_val", dtypes.uint16: "int_val",
}


def make_ndarray(proto: tensor_pb2.TensorProto) -> np.ndarray:
    """The numpy value of a TensorProto, from tensor_content or the typed *_val field."""
    dtype = dtypes.as_dtype(proto.dtype)
    shape = [d.size for d in proto.tensor_shape.dim]
    count = int(np.prod(shape, dtype=np.int64))
    if proto.tensor_content:
        le = np.dtype(dtype.as_numpy_dtype).newbyteorder("<")
        return np.frombuffer(proto.tensor_content, dtype=le).astype(dtype.as_numpy_dtype)\
            .reshape(shape)
    values = list(getattr(proto, _VAL_FIELDS[dtype]))
    if dtype == dtypes.string:
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
    elif dtype == dtypes.float16:
        arr = np.array(values, dtype=np.uint16).view(np.float16)
    elif dtype.is_complex:
        pairs = np.array(values, dtype=dtype.real_dtype.as_numpy_dtype).reshape(-1, 2)
        arr = (pairs[:, 0] + 1j * pairs[:, 1]).astype(dtype.as_numpy_dtype)
    else:
        arr = np.array(values, dtype=dtype.as_numpy_dtype)
    if arr.size == count:
        return arr.reshape(shape)
    if arr.size == 0:
        return np.zeros(shape, dtype=arr.dtype) if dtype != dtypes.string \
            else np.full(shape, b"", dtype=object)
    # TensorFlow repeats the last value to fill a shape given more elements than values.
    padded = np.concatenate([arr, np.repeat(arr[-1:], count - arr.size)])
    return padded.reshape(shape)


def constant_value(tensor):
    """The value of `tensor` if it is computable at graph-construction time, else None.

    Knows Const, and Shape/Size/Rank of statically shaped inputs; ops may add more cases.
    """
    op = tensor.op
    if op.type == "Const":
        return op.get_attr("value")
    if op.type in ("Shape", "Size", "Rank") and op.inputs:
        shape = op.inputs[0].get_shape()
        if op.type == "Rank" and shape.ndims is not None:
            return np.array(shape.ndims, dtype=np.int32)
        if shape.is_fully_defined():
            np_type = tensor.dtype.as_numpy_dtype
            if op.type == "Shape":
                return np.array(shape.as_list(), dtype=np_type)
            return np.array(shape.num_elements(), dtype=np_type)
    if op.type == "Identity" and op.inputs:
        return constant_value(op.inputs[0])
    return None
