"""Bulk JSON encoding of numpy columns: exact round trips, non-finite spellings, views."""

import json

import numpy as np
import pytest
from board.server.jsonenc import column, obj_with_columns, obj_with_columns_parts, rows


def test_float32_values_parse_back_to_the_same_float32_and_its_exact_widening():
    rng = np.random.default_rng(1)
    bits = rng.integers(0, 0x7F800000, 20_000, dtype=np.uint32)
    values = np.concatenate([bits.view(np.float32), -bits[:500].view(np.float32),
                             np.array([0.1, 1e-45, 3.4028235e38, -0.0, 16777217], np.float32)])
    parsed = np.array(json.loads(column(values)))
    assert np.array_equal(parsed.astype(np.float32).view(np.uint32), values.view(np.uint32))
    assert parsed.tolist() == values.astype(np.float64).tolist()


def test_float64_extremes_round_trip_bit_for_bit():
    values = np.array([5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -0.0,
                       0.1 + 0.2, 1e16, 1e-7, 1_700_000_000.123456])
    parsed = np.array(json.loads(column(values)))
    assert np.array_equal(parsed.view(np.uint64), values.view(np.uint64))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint64, np.uint8])
def test_integer_columns_are_exact_at_their_limits(dtype):
    info = np.iinfo(dtype)
    values = np.array([info.min, info.max, 0, 1, info.max - 1], dtype)
    assert json.loads(column(values)) == [int(v) for v in values]


def test_non_finite_values_are_null_in_the_api_and_tensorboard_strings_in_compat():
    values = np.array([1.5, np.nan, np.inf, -np.inf], np.float32)
    assert json.loads(column(values)) == [1.5, None, None, None]
    assert json.loads(column(values, "tb")) == [1.5, "NaN", "Infinity", "-Infinity"]
    table = json.loads(rows(np.zeros(4), np.arange(4), values, "tb"))
    assert [r[2] for r in table] == [1.5, "NaN", "Infinity", "-Infinity"]


def test_strided_views_encode_their_own_elements():
    base = np.arange(20, dtype=np.float64) * 0.5
    assert json.loads(column(base[::3])) == base[::3].tolist()
    assert json.loads(column(np.arange(10)[::-2])) == [9, 7, 5, 3, 1]


def test_object_with_columns_is_one_json_object_in_pieces_or_whole():
    head = {"run": 'a"b\\c', "tag": "t/ü", "downsampled": False, "total": 3}
    columns = {"step": np.array([1, 2, 3]), "value": np.array([0.5, np.nan, 2.0], np.float32)}
    whole = obj_with_columns(head, columns)
    assert b"".join(obj_with_columns_parts(head, columns)) == whole
    assert json.loads(whole) == {**head, "step": [1, 2, 3], "value": [0.5, None, 2.0]}
    assert json.loads(obj_with_columns({}, {"x": np.array([], np.float64)})) == {"x": []}
