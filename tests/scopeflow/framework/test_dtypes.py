import numpy as np
import pytest
import scopeflow as tf
import torch
from scopeflow.framework import dtypes


@pytest.mark.parametrize("value, expected", [
    ("float32", tf.float32), ("float", tf.float32), ("double", tf.float64),
    (np.float64, tf.float64), (np.dtype("int32"), tf.int32), (torch.int64, tf.int64),
    (1, tf.float32), (7, tf.string), (np.dtype("S5"), tf.string), (np.bool_, tf.bool),
    (tf.uint8, tf.uint8), ("complex64", tf.complex64), (19, tf.float16),
])
def test_as_dtype_accepts_names_enums_numpy_and_torch(value, expected):
    assert tf.as_dtype(value) == expected


def test_as_dtype_rejects_unknown_values_with_type_error():
    with pytest.raises(TypeError, match="Cannot convert value 'float33'"):
        tf.as_dtype("float33")
    with pytest.raises(TypeError):
        tf.as_dtype(object())


def test_ref_types_map_to_their_base_types():
    assert dtypes.float32_ref.base_dtype == tf.float32
    assert tf.float32._as_ref == dtypes.float32_ref
    assert dtypes.float32_ref.name == "float32_ref"
    assert dtypes.float32_ref.as_datatype_enum == 101
    assert tf.float32.is_compatible_with(dtypes.float32_ref)


def test_numpy_and_torch_counterparts():
    assert tf.float32.as_numpy_dtype is np.float32
    assert tf.int64.as_torch is torch.int64
    assert tf.string.as_torch is None
    assert tf.bool.as_torch is torch.bool


def test_type_predicates_and_limits():
    assert tf.float16.is_floating and not tf.int32.is_floating
    assert tf.uint8.is_integer and tf.uint8.is_unsigned
    assert tf.complex64.is_complex and tf.complex64.real_dtype == tf.float32
    assert tf.int8.min == -128 and tf.int8.max == 127
    assert tf.float32.max == np.finfo(np.float32).max
    with pytest.raises(TypeError):
        _ = tf.string.max


def test_dtypes_print_and_hash_like_tensorflow():
    assert str(tf.float32) == "<dtype: 'float32'>"
    assert repr(tf.int32) == "tf.int32"
    assert {tf.float32: 1}[tf.as_dtype("float32")] == 1
    assert tf.float32 != tf.float64
