"""Decoders of string tensors: decode_csv, decode_raw, string_to_number (Examples:
example_parsing_ops.py).

Each is a graph op with shape inference and a kernel; none is differentiable. String inputs
are numpy object arrays of bytes; numbers come out as torch tensors (on the CPU, where every
op touching strings is placed). Bad input raises InvalidArgumentError with TensorFlow's
wording, naming the record or example at fault.
"""

from __future__ import annotations

import re

import numpy as np
import torch

from scopeflow.framework import dtypes, ops
from scopeflow.framework.registry import NotDifferentiable, register_op
from scopeflow.ops import string_values as sv

__all__ = ["decode_csv", "decode_raw", "string_to_number"]

_CSV_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.string)
_RAW_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint8,
              dtypes.int16, dtypes.int8, dtypes.int64)
# What C's strtol/strtod accept, so that Python's extensions ("1_000") are rejected.
_INT = re.compile(rb"\s*[+-]?\d+\s*")
_FLOAT = re.compile(rb"\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)\s*",
                    re.IGNORECASE)
_LIMITS = {dtypes.int32: (-(2**31), 2**31 - 1), dtypes.int64: (-(2**63), 2**63 - 1)}


def _parse_number(text: bytes, dtype):
    """The number `text` holds as `dtype` (int or float), or None if it holds none."""
    if dtype.is_integer:
        if not _INT.fullmatch(text):
            return None
        value = int(text)
        lo, hi = _LIMITS[dtype]
        return value if lo <= value <= hi else None
    if not _FLOAT.fullmatch(text):
        return None
    return float(text)


# -- decode_csv ---------------------------------------------------------------------------
_QUOTE_END = "Quoted field has to end with quote followed by delim or end"


def _split_quoted(record: bytes, delim: bytes, index: int) -> list[bytes]:
    """RFC 4180 fields: a field may be quoted, with "" standing for a quote inside it."""
    fields, i, n = [], 0, len(record)
    while True:
        if i < n and record[i:i + 1] == b'"':
            parts, i = [], i + 1
            while True:
                j = record.find(b'"', i)
                if j < 0:
                    raise sv.invalid(f"{_QUOTE_END}: record {index}")
                parts.append(record[i:j])
                if record[j + 1:j + 2] != b'"':
                    i = j + 1
                    break
                parts.append(b'"')
                i = j + 2
            if i < n and record[i:i + 1] != delim:
                raise sv.invalid(f"{_QUOTE_END}: record {index}")
            fields.append(b"".join(parts))
        else:
            j = record.find(delim, i)
            end = n if j < 0 else j
            if b'"' in record[i:end]:
                raise sv.invalid(f"Unquoted fields cannot have quotes/CRLFs inside: record {index}")
            fields.append(record[i:end])
            i = end
        if i >= n:
            return fields
        i += 1
        if i == n:  # a trailing delimiter ends with an empty field
            fields.append(b"")
            return fields


def _split_fields(record: bytes, delim: bytes, index: int) -> list[bytes]:
    if b'"' not in record:
        return record.split(delim)
    return _split_quoted(record, delim, index)


def decode_csv(records, record_defaults, field_delim=None, name=None):
    """One tensor per column of the CSV `records` (each shaped like `records`).

    `record_defaults[i]` gives column i's type and the value of an empty field: a
    one-element list (or tensor), or an empty one when the column is required.
    """
    delim = "," if field_delim is None else field_delim
    if len(delim) != 1:
        raise ValueError(f"field_delim should be only 1 char, got {delim!r}")
    with ops.op_scope([records], name, "DecodeCSV") as scope:
        records = ops.convert_to_tensor(records, dtype=dtypes.string, name="records")
        defaults = [_csv_default(d, i) for i, d in enumerate(record_defaults)]
        attrs = {"OUT_TYPE": [d.dtype.base_dtype for d in defaults], "field_delim": delim}
        return ops.apply_op("DecodeCSV", [records, *defaults], attrs, name=scope).outputs


def _csv_default(value, i: int) -> ops.Tensor:
    if isinstance(value, (list, tuple)) and not value:
        raise ValueError(f"record_defaults[{i}] is an empty list without a type: give an "
                         "empty numpy array of the column's dtype for a required column")
    tensor = ops.convert_to_tensor(value, name=f"record_default_{i}")
    if tensor.dtype.base_dtype not in _CSV_TYPES:
        raise TypeError(f"record_defaults[{i}] has dtype {tensor.dtype.name}; DecodeCSV "
                        "takes float32, float64, int32, int64 or string columns")
    return tensor


def _decode_csv_infer(op):
    records = op.inputs[0].get_shape()
    for i, default in enumerate(op.inputs[1:]):
        shape = default.get_shape()
        if shape.ndims is not None and shape.ndims > 1:
            raise ValueError(f"Shape must be at most rank 1 but is rank {shape.ndims} for "
                             f"record_defaults[{i}] of '{op.name}'")
    return [(t, records) for t in op.get_attr("OUT_TYPE")]


def _decode_csv_kernel(ctx, records, *defaults):
    types = ctx.attrs["OUT_TYPE"]
    delim = ctx.attrs["field_delim"].encode()
    fills = []
    for i, default in enumerate(defaults):
        flat = default.reshape(-1).tolist()
        if len(flat) > 1:
            raise sv.invalid(f"There should only be 1 default per field but field {i} has "
                           f"{len(flat)}")
        fills.append(flat[0] if flat else None)
    shape = np.shape(records)
    columns: list[list] = [[] for _ in types]
    for index, record in enumerate(sv.flat_strings(records)):
        fields = _split_fields(record, delim, index)
        if len(fields) != len(types):
            raise sv.invalid(f"Expect {len(types)} fields but have {len(fields)} in record "
                           f"{index}")
        for f, (field, dtype, fill) in enumerate(zip(fields, types, fills, strict=True)):
            columns[f].append(_csv_value(field, dtype, fill, f, index))
    return tuple(
        sv.object_array(col, shape) if t == dtypes.string else sv.numeric_array(col, t, shape)
        for col, t in zip(columns, types, strict=True)
    )


def _csv_value(field: bytes, dtype, fill, f: int, index: int):
    if not field:
        if fill is None:
            raise sv.invalid(f"Field {f} is required but missing in record {index}!")
        return fill
    if dtype == dtypes.string:
        return field
    value = _parse_number(field, dtype)
    if value is None:
        kind = "float" if dtype == dtypes.float32 else dtype.name
        raise sv.invalid(f"Field {f} in record {index} is not a valid {kind}: {sv.text(field)}")
    return value


register_op("DecodeCSV", infer=_decode_csv_infer, kernel=_decode_csv_kernel)


# -- decode_raw, string_to_number ----------------------------------------------------------
def decode_raw(bytes, out_type, little_endian=True, name=None):
    """Each string of `bytes` read as a vector of `out_type` numbers (one more dimension)."""
    out_type = dtypes.as_dtype(out_type).base_dtype
    if out_type not in _RAW_TYPES:
        raise TypeError(f"DecodeRaw cannot decode to {out_type.name}")
    attrs = {"out_type": out_type, "little_endian": bool(little_endian)}
    return ops.apply_op("DecodeRaw", [ops.convert_to_tensor(bytes, dtype=dtypes.string)],
                        attrs, name=name).outputs[0]


def _decode_raw_infer(op):
    shape = op.inputs[0].get_shape().concatenate([None])
    return [(op.get_attr("out_type"), shape)]


def _decode_raw_kernel(ctx, data):
    out_type = ctx.attrs["out_type"]
    np_type = np.dtype(out_type.as_numpy_dtype)
    strings = sv.flat_strings(data)
    width = len(strings[0]) if strings else 0
    for i, s in enumerate(strings):
        if len(s) != width:
            raise sv.invalid("DecodeRaw requires input strings to all be the same size, but "
                           f"element {i} has size {len(s)} != {width}")
    if width % np_type.itemsize:
        raise sv.invalid(f"Input to DecodeRaw has length {width} that is not a multiple of "
                       f"{np_type.itemsize}, the size of {out_type.name}")
    order = "<" if ctx.attrs["little_endian"] else ">"
    flat = np.frombuffer(b"".join(strings), dtype=np_type.newbyteorder(order))
    out = flat.astype(np_type).reshape(np.shape(data) + (width // np_type.itemsize,))
    return torch.from_numpy(out)


register_op("DecodeRaw", infer=_decode_raw_infer, kernel=_decode_raw_kernel)


def string_to_number(string_tensor, out_type=dtypes.float32, name=None):
    """Each string of `string_tensor` parsed as a float32 or int32 number."""
    out_type = dtypes.as_dtype(out_type).base_dtype
    if out_type not in (dtypes.float32, dtypes.int32):
        raise TypeError(f"StringToNumber's out_type must be float32 or int32, not "
                        f"{out_type.name}")
    tensor = ops.convert_to_tensor(string_tensor, dtype=dtypes.string)
    return ops.apply_op("StringToNumber", [tensor], {"out_type": out_type},
                        name=name).outputs[0]


def _string_to_number_kernel(ctx, strings):
    out_type = ctx.attrs["out_type"]
    values = []
    for s in sv.flat_strings(strings):
        value = _parse_number(s, out_type)
        if value is None:
            raise sv.invalid(f"StringToNumberOp could not correctly convert string: {sv.text(s)}")
        values.append(value)
    return sv.numeric_array(values, out_type, np.shape(strings))


register_op("StringToNumber",
            infer=lambda op: [(op.get_attr("out_type"), op.inputs[0].get_shape())],
            kernel=_string_to_number_kernel)

for _type in ("DecodeCSV", "DecodeRaw", "StringToNumber"):
    NotDifferentiable(_type)
