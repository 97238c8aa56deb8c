"""LevelDB-format sorted string tables, as TensorFlow writes a checkpoint's `.index` file.

Layout (facts of the format, shared by LevelDB and tensorflow/core/lib/io/table):
  data blocks, a metaindex block, an index block, then a 48-byte footer.
  A block is a run of entries `varint shared | varint unshared | varint value_len |
  key suffix | value`, keys prefix-compressed against the previous key except at restart
  points (every 16 entries), then the restart offsets as uint32 LE and their count. Each block
  is followed by a 1-byte compression type (0: none) and the masked CRC32C of block + type.
  The footer holds the metaindex and index block handles (varint offset, varint size),
  zero-padded to 40 bytes, then the magic number as fixed64 LE.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterator

from scopeflow.train.crc import masked_crc32c

TABLE_MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
BLOCK_TRAILER_SIZE = 5
RESTART_INTERVAL = 16
BLOCK_SIZE = 256 * 1024


class TableFormatError(ValueError):
    """The bytes are not a valid table; the message names what and where."""


def put_varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def get_varint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    """Decode a varint at `pos`; return (value, position after it)."""
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise TableFormatError(f"truncated varint at offset {pos}")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


class _BlockBuilder:
    def __init__(self, restart_interval: int) -> None:
        self._interval = restart_interval
        self._buf = bytearray()
        self._restarts = [0]
        self._count = 0
        self._last_key = b""

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self._count < self._interval:
            limit = min(len(key), len(self._last_key))
            while shared < limit and key[shared] == self._last_key[shared]:
                shared += 1
        else:
            self._restarts.append(len(self._buf))
            self._count = 0
        self._buf += put_varint(shared) + put_varint(len(key) - shared) + put_varint(len(value))
        self._buf += key[shared:] + value
        self._last_key = key
        self._count += 1

    def size_estimate(self) -> int:
        return len(self._buf) + 4 * len(self._restarts) + 4

    def empty(self) -> bool:
        return not self._buf

    def finish(self) -> bytes:
        restarts = struct.pack(f"<{len(self._restarts)}I", *self._restarts)
        return bytes(self._buf) + restarts + struct.pack("<I", len(self._restarts))


def _block_handle(offset: int, size: int) -> bytes:
    return put_varint(offset) + put_varint(size)


def build_table(entries: list[tuple[bytes, bytes]]) -> bytes:
    """Serialize (key, value) pairs, sorted by key here, into one table's bytes."""
    entries = sorted(entries)
    for (k1, _), (k2, _) in itertools.pairwise(entries):
        if k1 == k2:
            raise ValueError(f"duplicate table key {k1!r}")
    out = bytearray()
    index = _BlockBuilder(restart_interval=1)

    def emit(block: bytes) -> bytes:
        handle = _block_handle(len(out), len(block))
        out.extend(block + b"\x00")
        out.extend(struct.pack("<I", masked_crc32c(block + b"\x00")))
        return handle

    block = _BlockBuilder(RESTART_INTERVAL)
    last_key = b""
    for key, value in entries:
        block.add(key, value)
        last_key = key
        if block.size_estimate() >= BLOCK_SIZE:
            # The last key of the block is a valid (if not shortest) separator.
            index.add(last_key, emit(block.finish()))
            block = _BlockBuilder(RESTART_INTERVAL)
    if not block.empty():
        index.add(last_key, emit(block.finish()))
    metaindex_handle = emit(_BlockBuilder(RESTART_INTERVAL).finish())
    index_handle = emit(index.finish())
    footer = (metaindex_handle + index_handle).ljust(FOOTER_SIZE - 8, b"\x00")
    out += footer + struct.pack("<Q", TABLE_MAGIC)
    return bytes(out)


def _read_block(data: bytes, offset: int, size: int, what: str) -> bytes:
    end = offset + size
    if offset < 0 or end + BLOCK_TRAILER_SIZE > len(data):
        raise TableFormatError(f"{what} block at offset {offset} (size {size}) runs past the end")
    block = data[offset:end]
    ctype = data[end]
    (stored,) = struct.unpack_from("<I", data, end + 1)
    if masked_crc32c(data[offset : end + 1]) != stored:
        raise TableFormatError(f"checksum mismatch in {what} block at offset {offset}")
    if ctype != 0:
        raise TableFormatError(
            f"{what} block at offset {offset} uses compression type {ctype}; only "
            "uncompressed tables are supported"
        )
    return block


def iter_block(block: bytes, where: str = "block") -> Iterator[tuple[bytes, bytes]]:
    """Yield (key, value) of every entry of one block's contents."""
    if len(block) < 4:
        raise TableFormatError(f"{where} is too short ({len(block)} bytes)")
    (num_restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    limit = len(block) - 4 - 4 * num_restarts
    if limit < 0:
        raise TableFormatError(f"{where} claims {num_restarts} restart points")
    pos, key = 0, b""
    while pos < limit:
        shared, pos = get_varint(block, pos)
        unshared, pos = get_varint(block, pos)
        value_len, pos = get_varint(block, pos)
        if shared > len(key) or pos + unshared + value_len > limit:
            raise TableFormatError(f"corrupt entry in {where} at offset {pos}")
        key = key[:shared] + block[pos : pos + unshared]
        pos += unshared
        yield key, block[pos : pos + value_len]
        pos += value_len


def read_table(data: bytes, name: str = "table") -> list[tuple[bytes, bytes]]:
    """Parse a whole table; raise TableFormatError naming `name` and the offset on damage."""
    if len(data) < FOOTER_SIZE:
        raise TableFormatError(f"{name}: {len(data)} bytes is too short for a table footer")
    footer = data[-FOOTER_SIZE:]
    (magic,) = struct.unpack_from("<Q", footer, FOOTER_SIZE - 8)
    if magic != TABLE_MAGIC:
        raise TableFormatError(f"{name}: bad table magic number {magic:#x}")
    _meta_off, pos = get_varint(footer, 0)
    _meta_size, pos = get_varint(footer, pos)
    index_off, pos = get_varint(footer, pos)
    index_size, pos = get_varint(footer, pos)
    try:
        index = _read_block(data, index_off, index_size, "index")
        entries = []
        for _sep, handle in iter_block(index, f"{name} index block"):
            off, hpos = get_varint(handle, 0)
            size, _ = get_varint(handle, hpos)
            block = _read_block(data, off, size, "data")
            entries.extend(iter_block(block, f"{name} data block at offset {off}"))
    except TableFormatError as exc:
        raise TableFormatError(f"{name}: {exc}") from None
    return entries
