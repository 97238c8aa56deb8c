"""JSON encoding of numpy columns in bulk (orjson's numpy support, no Python object per
element).

Non-finite numbers have no JSON spelling: the REST API writes null for them (a gap in a
chart); the TensorBoard-compatible endpoints write "NaN"/"Infinity" strings as TensorBoard
does. Floats are written as the shortest text that parses back to the same float64, so a
float32 value arrives as its exact float64 widening (what every reader has always got).
"""

from __future__ import annotations

import json
import math

import numpy as np
import orjson

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode
_NUMPY = orjson.OPT_SERIALIZE_NUMPY


def column_bytes(values: np.ndarray, non_finite: str = "null") -> bytes:
    """A JSON array of the column's values, as UTF-8 bytes."""
    if values.dtype.kind in "iub":
        return orjson.dumps(np.ascontiguousarray(values), option=_NUMPY)
    values = np.ascontiguousarray(values, np.float64)
    if non_finite != "null" and not np.isfinite(values).all():
        return _encode(finite_or(values.tolist(), non_finite)).encode()
    # orjson writes every non-finite float as null, the REST API's spelling.
    return orjson.dumps(values, option=_NUMPY)


def column(values: np.ndarray, non_finite: str = "null") -> str:
    """A JSON array of the column's values (floats as the shortest exact repr)."""
    return column_bytes(values, non_finite).decode()


def int_column(values: np.ndarray) -> str:
    """A JSON array of integers."""
    return column(np.asarray(values, np.int64))


def finite_or(values: list[float], non_finite: str = "null") -> list:
    """`values` with non-finite numbers as None ("null") or TensorBoard's strings ("tb")."""
    if non_finite == "null":
        return [v if math.isfinite(v) else None for v in values]
    return [v if math.isfinite(v) else _SPELLING[repr(v)] for v in values]


_SPELLING = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def rows(wall_time: np.ndarray, step: np.ndarray, value: np.ndarray,
         non_finite: str = "null") -> bytes:
    """``[[wall_time, step, value], ...]`` encoded."""
    values = finite_or(value.astype(np.float64).tolist(), non_finite)
    table = [list(r) for r in zip(wall_time.tolist(), step.tolist(), values, strict=True)]
    return _encode(table).encode()


def dumps(obj) -> str:
    return _encode(obj)


def obj_with_columns(head: dict, columns: dict[str, np.ndarray]) -> bytes:
    """``{**head, name: [...], ...}`` encoded, the columns spliced in as raw JSON."""
    return b"".join(obj_with_columns_parts(head, columns))


def obj_with_columns_parts(head: dict, columns: dict[str, np.ndarray]):
    """The pieces of `obj_with_columns` as bytes, one column at a time (for streaming)."""
    separator = b"," if head else b""
    yield orjson.dumps(head)[:-1]
    for name, values in columns.items():
        yield separator + orjson.dumps(name) + b":" + column_bytes(values)
        separator = b","
    yield b"}"
