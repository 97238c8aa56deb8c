"""tf.parse_example and tf.parse_single_example: tf.train.Example protos to tensors.

Features are asked for by key: tf.FixedLenFeature gives a dense tensor (a default where an
example lacks it), tf.VarLenFeature a SparseTensor. Also TensorFlow 0.6's own argument form
(dense_keys, dense_types, ..., sparse_keys, sparse_types). Bad examples raise
InvalidArgumentError with TensorFlow's wording, naming the example at fault.
"""

from __future__ import annotations

import collections

import numpy as np
import torch
from board.proto import example_pb2
from google.protobuf.message import DecodeError

from scopeflow.framework import dtypes, ops, tensor_shape
from scopeflow.framework.registry import NotDifferentiable, register_op
from scopeflow.framework.sparse_tensor import SparseTensor
from scopeflow.ops import array_ops
from scopeflow.ops import string_values as sv

__all__ = ["FixedLenFeature", "VarLenFeature", "parse_example", "parse_single_example"]

_EXAMPLE_TYPES = (dtypes.float32, dtypes.int64, dtypes.string)

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
    records, names = sv.flat_strings(serialized), sv.flat_strings(names)
    columns: list[list] = [[] for _ in keys]
    sparse_lists: list[list] = [[] for _ in sparse_keys]  # per key, one value list per example
    for i, data in enumerate(records):
        name = sv.text(names[i]) if i < len(names) else "<unknown>"
        try:
            example = example_pb2.Example.FromString(data)
        except DecodeError:
            raise sv.invalid(f"Could not parse example input, value: '{sv.text(data)[:80]}'") from None
        present = example.features.feature
        for key, dtype, lists in zip(sparse_keys, sparse_types, sparse_lists, strict=True):
            lists.append(_present_values(present, key, dtype, name) or [])
        for key, dtype, shape, default, column in zip(keys, types, shapes, defaults, columns,
                                                      strict=True):
            values = _present_values(present, key, dtype, name)
            if values is None:
                if default is None:
                    raise sv.invalid(f"Name: {name}, Feature: {key} is required but could not "
                                   "be found.")
                column.extend(default)
                continue
            if len(values) != shape.num_elements():
                raise sv.invalid(f"Name: {name}, Key: {key}, Index: {i}.  Number of "
                               f"{dtype.name} values != expected.  values size: "
                               f"{len(values)} but output shape: {shape}")
            column.extend(values)
    batch = len(records)
    sparse = [_sparse_outputs(lists, t) for lists, t in zip(sparse_lists, sparse_types,
                                                             strict=True)]
    dense = [sv.object_array(col, (batch, *s.as_list())) if t == dtypes.string
             else sv.numeric_array(col, t, (batch, *s.as_list()))
             for col, t, s in zip(columns, types, shapes, strict=True)]
    return (*(o[0] for o in sparse), *(o[1] for o in sparse), *(o[2] for o in sparse), *dense)


def _present_values(present, key: str, dtype, name: str) -> list | None:
    """The values feature `key` holds, None when it is absent (or holds no list)."""
    if key not in present or present[key].WhichOneof("kind") is None:
        return None
    values = _feature_values(present[key], dtype)
    if values is None:
        raise sv.invalid(f"Name: {name}, Feature: {key}.  Data types don't match. "
                       f"Expected type: {dtype.name}")
    return values


def _sparse_outputs(lists: list[list], dtype) -> tuple:
    """(indices [[example, position], ...], values, shape [batch, longest list])."""
    indices = [(b, j) for b, values in enumerate(lists) for j in range(len(values))]
    flat = [v for values in lists for v in values]
    width = max((len(values) for values in lists), default=0)
    index_array = torch.tensor(indices, dtype=torch.int64).reshape(-1, 2)
    values = (sv.object_array(flat, (len(flat),)) if dtype == dtypes.string
              else sv.numeric_array(flat, dtype, (len(flat),)))
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


NotDifferentiable("ParseExample")
