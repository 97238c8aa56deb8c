"""Decoders of string tensors: decode_csv, decode_raw, string_to_number, parse_example.

Each is a graph op with shape inference and a kernel; none is differentiable. String inputs
are numpy object arrays of bytes; numbers come out as torch tensors (on the CPU, where every
op touching strings is placed). Bad input raises InvalidArgumentError with TensorFlow's
wording, naming the record or example at fault.
"""

from __future__ import annotations

import collections
import re

import numpy as np
import torch
from board.proto import example_pb2
from google.protobuf.message import DecodeError

from scopeflow import errors
from scopeflow.framework import dtypes, ops, tensor_shape
from scopeflow.framework.registry import NotDifferentiable, register_op
from scopeflow.framework.sparse_tensor import SparseTensor
from scopeflow.ops import array_ops

__all__ = [
    "FixedLenFeature", "VarLenFeature", "decode_csv", "decode_raw", "parse_example", "parse_single_example",
    "string_to_number",
]

_CSV_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.string)
_RAW_TYPES = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int32, dtypes.uint8,
              dtypes.int16, dtypes.int8, dtypes.int64)
_EXAMPLE_TYPES = (dtypes.float32, dtypes.int64, dtypes.string)
# What C's strtol/strtod accept, so that Python's extensions ("1_000") are rejected.
_INT = re.compile(rb"\s*[+-]?\d+\s*")
_FLOAT = re.compile(rb"\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)\s*",
                    re.IGNORECASE)
_LIMITS = {dtypes.int32: (-(2**31), 2**31 - 1), dtypes.int64: (-(2**63), 2**63 - 1)}


def _invalid(message: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(None, None, message)


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


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


def _numeric_array(values: list, dtype, shape) -> torch.Tensor:
    return torch.from_numpy(np.asarray(values, dtype=dtype.as_numpy_dtype).reshape(shape))


def _string_array(values: list, shape) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(shape)


def _flat_strings(value) -> list:
    return np.asarray(value, dtype=object).reshape(-1).tolist()


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
                    raise _invalid(f"{_QUOTE_END}: record {index}")
                parts.append(record[i:j])
                if record[j + 1:j + 2] != b'"':
                    i = j + 1
                    break
                parts.append(b'"')
                i = j + 2
            if i < n and record[i:i + 1] != delim:
                raise _invalid(f"{_QUOTE_END}: record {index}")
            fields.append(b"".join(parts))
        else:
            j = record.find(delim, i)
            end = n if j < 0 else j
            if b'"' in record[i:end]:
                raise _invalid(f"Unquoted fields cannot have quotes/CRLFs inside: record {index}")
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
            raise _invalid(f"There should only be 1 default per field but field {i} has "
                           f"{len(flat)}")
        fills.append(flat[0] if flat else None)
    shape = np.shape(records)
    columns: list[list] = [[] for _ in types]
    for index, record in enumerate(_flat_strings(records)):
        fields = _split_fields(record, delim, index)
        if len(fields) != len(types):
            raise _invalid(f"Expect {len(types)} fields but have {len(fields)} in record "
                           f"{index}")
        for f, (field, dtype, fill) in enumerate(zip(fields, types, fills, strict=True)):
            columns[f].append(_csv_value(field, dtype, fill, f, index))
    return tuple(
        _string_array(col, shape) if t == dtypes.string else _numeric_array(col, t, shape)
        for col, t in zip(columns, types, strict=True)
    )


def _csv_value(field: bytes, dtype, fill, f: int, index: int):
    if not field:
        if fill is None:
            raise _invalid(f"Field {f} is required but missing in record {index}!")
        return fill
    if dtype == dtypes.string:
        return field
    value = _parse_number(field, dtype)
    if value is None:
        kind = "float" if dtype == dtypes.float32 else dtype.name
        raise _invalid(f"Field {f} in record {index} is not a valid {kind}: {_text(field)}")
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
    strings = _flat_strings(data)
    width = len(strings[0]) if strings else 0
    for i, s in enumerate(strings):
        if len(s) != width:
            raise _invalid("DecodeRaw requires input strings to all be the same size, but "
                           f"element {i} has size {len(s)} != {width}")
    if width % np_type.itemsize:
        raise _invalid(f"Input to DecodeRaw has length {width} that is not a multiple of "
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
    for s in _flat_strings(strings):
        value = _parse_number(s, out_type)
        if value is None:
            raise _invalid(f"StringToNumberOp could not correctly convert string: {_text(s)}")
        values.append(value)
    return _numeric_array(values, out_type, np.shape(strings))


register_op("StringToNumber",
            infer=lambda op: [(op.get_attr("out_type"), op.inputs[0].get_shape())],
            kernel=_string_to_number_kernel)


# -- parse_example ---------------------------------------------------------------------------
class FixedLenFeature(collections.namedtuple(
        "FixedLenFeature", ["shape", "dtype", "default_value"])):
    """A feature of fixed shape: float32, int64 or string values, a default when missing."""

    __slots__ = ()

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature with any number of values per example, parsed into a SparseTensor."""

    __slots__ = ()


_LEGACY_ARGUMENTS = {"names", "dense_keys", "dense_types", "dense_defaults", "dense_shapes",
                     "sparse_keys", "sparse_types"}


def _features_argument(features, names, legacy) -> tuple[dict, object]:
    """(features dict, example names) from either signature: TF 0.7's `features` dict, or
    TF 0.6's `names` second argument with sparse_keys and sparse_types, dense_keys,
    dense_types, dense_defaults and dense_shapes keywords (as the 0.6 how-tos call it)."""
    unknown = set(legacy) - _LEGACY_ARGUMENTS
    if unknown:
        raise TypeError(f"parse_example got unexpected keyword arguments {sorted(unknown)}")
    if features is not None and not isinstance(features, dict):
        features, names = None, features
    names = legacy.get("names", names)
    keys, sparse_keys = legacy.get("dense_keys"), legacy.get("sparse_keys")
    if keys is not None or sparse_keys is not None:
        keys, sparse_keys = keys or [], sparse_keys or []
        defaults = legacy.get("dense_defaults") or {}
        shapes = legacy.get("dense_shapes") or [[]] * len(keys)
        features = {k: FixedLenFeature(shape, t, defaults.get(k)) for k, t, shape in
                    zip(keys, legacy.get("dense_types") or [], shapes, strict=True)}
        features.update((k, VarLenFeature(t)) for k, t in
                        zip(sparse_keys, legacy.get("sparse_types") or [], strict=True))
    if features is None:
        raise ValueError("parse_example needs `features` (or dense_keys and dense_types, "
                         "or sparse_keys and sparse_types)")
    return features, names


def _split_features(features: dict) -> tuple[list, list]:
    """(sparse keys, dense keys), each sorted, after checking every feature's type."""
    for key, spec in features.items():
        if not isinstance(spec, (FixedLenFeature, VarLenFeature)):
            raise TypeError(f"Unsupported feature type for {key!r}: {type(spec).__name__}")
        if dtypes.as_dtype(spec.dtype).base_dtype not in _EXAMPLE_TYPES:
            raise ValueError(f"Feature {key!r} has dtype {dtypes.as_dtype(spec.dtype).name}; "
                             "Examples hold float32, int64 or string values")
    sparse = sorted(k for k, spec in features.items() if isinstance(spec, VarLenFeature))
    dense = sorted(k for k, spec in features.items() if isinstance(spec, FixedLenFeature))
    return sparse, dense


def _key_tensors(keys: list, prefix: str) -> list:
    return [ops.convert_to_tensor(k, dtype=dtypes.string, name=f"{prefix}_{i}")
            for i, k in enumerate(keys)]


def parse_example(serialized, features=None, name=None, example_names=None, **legacy):
    """A dict from serialized Examples: a dense tensor of `[batch] + feature.shape` per
    FixedLenFeature, a SparseTensor of shape [batch, most values in one example] per
    VarLenFeature (indices [example, position in its list])."""
    features, example_names = _features_argument(features, example_names, legacy)
    sparse_keys, keys = _split_features(features)
    specs = [features[k] for k in keys]
    with ops.op_scope([serialized], name, "ParseExample") as scope:
        serialized = ops.convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        names = ops.convert_to_tensor(
            np.array(example_names or [], dtype=object), dtype=dtypes.string, name="names")
        defaults = [_dense_default(i, s) for i, s in enumerate(specs)]
        attrs = {
            "Nsparse": len(sparse_keys), "Ndense": len(keys),
            "sparse_types": [dtypes.as_dtype(features[k].dtype).base_dtype
                             for k in sparse_keys],
            "Tdense": [dtypes.as_dtype(s.dtype).base_dtype for s in specs],
            "dense_shapes": [tensor_shape.as_shape(s.shape) for s in specs],
        }
        inputs = [serialized, names, *_key_tensors(sparse_keys, "sparse_key"),
                  *_key_tensors(keys, "key"), *defaults]
        outputs = ops.apply_op("ParseExample", inputs, attrs, name=scope).outputs
    n = len(sparse_keys)
    parsed = {k: SparseTensor(outputs[i], outputs[n + i], outputs[2 * n + i])
              for i, k in enumerate(sparse_keys)}
    parsed.update(zip(keys, outputs[3 * n:], strict=True))
    return parsed


def _dense_default(i: int, spec: FixedLenFeature) -> ops.Tensor:
    dtype = dtypes.as_dtype(spec.dtype).base_dtype
    if spec.default_value is None:
        return ops.convert_to_tensor(np.zeros(0, dtype.as_numpy_dtype)
                                     if dtype != dtypes.string else np.zeros(0, object),
                                     dtype=dtype, name=f"padding_{i}")
    if isinstance(spec.default_value, ops.Tensor):
        return array_ops.reshape(spec.default_value, list(spec.shape))
    value = np.asarray(spec.default_value, dtype=object if dtype == dtypes.string
                       else dtype.as_numpy_dtype).reshape(tuple(spec.shape))
    return ops.convert_to_tensor(value, dtype=dtype, name=f"default_{i}")


def _parse_example_infer(op):
    batch = op.inputs[0].get_shape().with_rank(1)
    sparse_types = op.get_attr("sparse_types")
    return [
        *[(dtypes.int64, tensor_shape.matrix(None, 2)) for _ in sparse_types],
        *[(t, tensor_shape.vector(None)) for t in sparse_types],
        *[(dtypes.int64, tensor_shape.vector(2)) for _ in sparse_types],
        *[(t, batch.concatenate(s))
          for t, s in zip(op.get_attr("Tdense"), op.get_attr("dense_shapes"), strict=True)],
    ]


def _feature_values(feature, dtype):
    """The values of a Feature if it holds `dtype`'s list, else None."""
    kind = feature.WhichOneof("kind")
    wanted = {dtypes.float32: "float_list", dtypes.int64: "int64_list",
              dtypes.string: "bytes_list"}[dtype]
    return None if kind != wanted else list(getattr(feature, kind).value)


def _parse_example_kernel(ctx, serialized, names, *keys_and_defaults):
    sparse_types, types = ctx.attrs["sparse_types"], ctx.attrs["Tdense"]
    shapes, ns, n = ctx.attrs["dense_shapes"], len(sparse_types), len(types)
    keys = [np.asarray(k, dtype=object).item().decode() for k in keys_and_defaults[:ns + n]]
    sparse_keys, keys = keys[:ns], keys[ns:]
    defaults = [_flat_default(d) for d in keys_and_defaults[ns + n:]]
    records, names = _flat_strings(serialized), _flat_strings(names)
    columns: list[list] = [[] for _ in keys]
    sparse_lists: list[list] = [[] for _ in sparse_keys]  # per key, one value list per example
    for i, data in enumerate(records):
        name = _text(names[i]) if i < len(names) else "<unknown>"
        try:
            example = example_pb2.Example.FromString(data)
        except DecodeError:
            raise _invalid(f"Could not parse example input, value: '{_text(data)[:80]}'") from None
        present = example.features.feature
        for key, dtype, lists in zip(sparse_keys, sparse_types, sparse_lists, strict=True):
            lists.append(_present_values(present, key, dtype, name) or [])
        for key, dtype, shape, default, column in zip(keys, types, shapes, defaults, columns,
                                                      strict=True):
            values = _present_values(present, key, dtype, name)
            if values is None:
                if default is None:
                    raise _invalid(f"Name: {name}, Feature: {key} is required but could not "
                                   "be found.")
                column.extend(default)
                continue
            if len(values) != shape.num_elements():
                raise _invalid(f"Name: {name}, Key: {key}, Index: {i}.  Number of "
                               f"{dtype.name} values != expected.  values size: "
                               f"{len(values)} but output shape: {shape}")
            column.extend(values)
    batch = len(records)
    sparse = [_sparse_outputs(lists, t) for lists, t in zip(sparse_lists, sparse_types,
                                                             strict=True)]
    dense = [_string_array(col, (batch, *s.as_list())) if t == dtypes.string
             else _numeric_array(col, t, (batch, *s.as_list()))
             for col, t, s in zip(columns, types, shapes, strict=True)]
    return (*(o[0] for o in sparse), *(o[1] for o in sparse), *(o[2] for o in sparse), *dense)


def _present_values(present, key: str, dtype, name: str) -> list | None:
    """The values feature `key` holds, None when it is absent (or holds no list)."""
    if key not in present or present[key].WhichOneof("kind") is None:
        return None
    values = _feature_values(present[key], dtype)
    if values is None:
        raise _invalid(f"Name: {name}, Feature: {key}.  Data types don't match. "
                       f"Expected type: {dtype.name}")
    return values


def _sparse_outputs(lists: list[list], dtype) -> tuple:
    """(indices [[example, position], ...], values, shape [batch, longest list])."""
    indices = [(b, j) for b, values in enumerate(lists) for j in range(len(values))]
    flat = [v for values in lists for v in values]
    width = max((len(values) for values in lists), default=0)
    index_array = torch.tensor(indices, dtype=torch.int64).reshape(-1, 2)
    values = (_string_array(flat, (len(flat),)) if dtype == dtypes.string
              else _numeric_array(flat, dtype, (len(flat),)))
    return index_array, values, torch.tensor([len(lists), width], dtype=torch.int64)


def _flat_default(value) -> list | None:
    flat = value.reshape(-1).tolist()
    return flat or None


register_op("ParseExample", infer=_parse_example_infer, kernel=_parse_example_kernel)


def parse_single_example(serialized, features=None, name=None, example_names=None, **legacy):
    """parse_example of one serialized Example (a scalar): tensors of `feature.shape`, and
    SparseTensors of shape [number of values] with [position] indices."""
    features, example_names = _features_argument(features, example_names, legacy)
    with ops.op_scope([serialized], name, "ParseSingleExample"):
        serialized = ops.convert_to_tensor(serialized, dtype=dtypes.string, name="serialized")
        if serialized.get_shape().ndims not in (None, 0):
            raise ValueError(f"Input serialized must be a scalar, got shape "
                             f"{serialized.get_shape()}")
        batch = array_ops.reshape(serialized, [1])
        names = None if example_names is None else [example_names]
        parsed = parse_example(batch, features, example_names=names)
        return {k: _unbatch(v, features[k]) for k, v in parsed.items()}


def _unbatch(value, feature):
    """One example's part of a batch of one: a SparseTensor loses its example column."""
    if isinstance(value, SparseTensor):
        return SparseTensor(value.indices[:, 1:], value.values, value.shape[1:])
    # Reshape rather than squeeze: it also serves string tensors.
    return array_ops.reshape(value, tensor_shape.as_shape(feature.shape).as_list())


for _type in ("DecodeCSV", "DecodeRaw", "StringToNumber", "ParseExample"):
    NotDifferentiable(_type)
