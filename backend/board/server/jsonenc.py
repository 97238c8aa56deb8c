"""JSON encoding of numpy columns without per-element Python objects where possible.

Non-finite numbers have no JSON spelling: the REST API writes null for them (a gap in a
chart); the TensorBoard-compatible endpoints write "NaN"/"Infinity" strings as TensorBoard
does.
"""

from __future__ import annotations

import json
import math

import numpy as np

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode


def column(values: np.ndarray, non_finite: str = "null") -> str:
    """A JSON array of the column's values (floats as the shortest exact repr)."""
    if values.dtype.kind in "iu":
        return int_column(values)
    if values.dtype.kind == "b":
        return _encode(values.tolist())
    values = values.astype(np.float64, copy=False)
    if np.isfinite(values).all():
        # A list's repr is valid JSON for finite floats, and cheaper than the encoder; in
        # slices, so a long column never exists as one list of Python floats.
        return "[" + ", ".join(repr(values[i:i + _SLICE].tolist())[1:-1]
                               for i in range(0, len(values), _SLICE)) + "]"
    return _encode(finite_or(values.tolist(), non_finite))


_SLICE = 1 << 15


_POW10 = 10 ** np.arange(20, dtype=np.uint64)


def int_column(values: np.ndarray) -> str:
    """A JSON array of integers, formatted with numpy (no Python int per element)."""
    n = len(values)
    if n == 0:
        return "[]"
    values = values.astype(np.int64, copy=False)
    negative = values < 0
    magnitude = np.abs(values).astype(np.uint64)  # |int64 min| wraps to the right uint64
    digits = np.maximum(np.searchsorted(_POW10, magnitude, side="right"), 1)
    width = int(digits.max()) + 1  # room for a minus sign
    chars = np.empty((n, width + 1), np.uint8)
    rest = magnitude.copy()
    for col in range(width - 1, -1, -1):
        chars[:, col] = (rest % np.uint64(10)).astype(np.uint8) + ord("0")
        rest //= np.uint64(10)
    chars[:, width] = ord(",")
    start = width - digits - negative  # first kept column of each row
    chars[np.arange(n)[negative], start[negative]] = ord("-")
    keep = np.arange(width + 1) >= start[:, None]
    body = chars[keep].tobytes()
    return "[" + body[:-1].decode("ascii") + "]"


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
    return "".join(obj_with_columns_parts(head, columns)).encode()


def obj_with_columns_parts(head: dict, columns: dict[str, np.ndarray]):
    """The pieces of `obj_with_columns`, one column at a time (for streaming responses)."""
    opening = dumps(head)[:-1]
    separator = "," if head else ""
    yield opening
    for name, values in columns.items():
        yield f"{separator}{dumps(name)}:{column(values)}"
        separator = ","
    yield "}"
