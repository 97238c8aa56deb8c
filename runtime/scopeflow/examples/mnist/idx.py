"""The IDX file format of the MNIST files: big-endian header, then raw uint8 values.

Header: two zero bytes, a type code (0x08 = uint8), the number of dimensions, then one
uint32 BE size per dimension. The MNIST files are the gzip-compressed form.
"""

from __future__ import annotations

import gzip
import struct

import numpy as np

UINT8_CODE = 0x08


class IdxFormatError(ValueError):
    """A file is not a valid IDX file; the message names the file and what is wrong."""


def read_idx(path: str) -> np.ndarray:
    """Read a (gzipped if the name ends in .gz) IDX file of uint8 values."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as exc:
        raise IdxFormatError(f"{path}: cannot read IDX data ({exc})") from None
    if len(data) < 4:
        raise IdxFormatError(f"{path}: too short for an IDX header ({len(data)} bytes)")
    zero, code, ndim = struct.unpack_from(">HBB", data, 0)
    if zero != 0 or code != UINT8_CODE:
        raise IdxFormatError(
            f"{path}: bad IDX magic number {int.from_bytes(data[:4], 'big'):#010x} "
            "(expected 0x0801 labels or 0x0803 images of uint8)"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IdxFormatError(f"{path}: truncated IDX header")
    shape = struct.unpack_from(f">{ndim}I", data, 4)
    count = int(np.prod(shape, dtype=np.int64))
    if len(data) - header != count:
        raise IdxFormatError(
            f"{path}: header promises {count} values of shape {shape} but the file holds "
            f"{len(data) - header}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def write_idx(path: str, array: np.ndarray) -> None:
    """Write a uint8 array as an IDX file (gzipped if the name ends in .gz)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">HBB", 0, UINT8_CODE, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + array.tobytes())
