"""The LevelDB-format table under a checkpoint's .index file."""

from __future__ import annotations

import random
import struct

import pytest
from scopeflow.train import sstable
from scopeflow.train.crc import crc32c, mask, masked_crc32c, unmask


def _entries(n: int, seed: int = 0) -> list[tuple[bytes, bytes]]:
    rng = random.Random(seed)
    keys = {f"layer{rng.randrange(50)}/w{i}".encode() * rng.randint(1, 3) for i in range(n)}
    return [(k, rng.randbytes(rng.randint(0, 64))) for k in keys]


def test_crc32c_known_vector_and_mask_round_trip():
    # The CRC32C check value of "123456789" is 0xE3069283.
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(b"6789", crc32c(b"12345")) == 0xE3069283
    for value in (0, 1, 0xE3069283, 0xFFFFFFFF):
        assert unmask(mask(value)) == value
    assert mask(0xE3069283) != 0xE3069283


def test_round_trip_returns_entries_sorted_by_key():
    entries = _entries(300) + [(b"", b"header")]
    data = sstable.build_table(entries)
    assert sstable.read_table(data) == sorted(entries)


def test_keys_sharing_prefixes_are_compressed():
    entries = [(b"a_very_long_common_prefix/" + bytes([65 + i]), b"") for i in range(20)]
    data = sstable.build_table(entries)
    assert len(data) < sum(len(k) for k, _ in entries)
    assert sstable.read_table(data) == entries


def test_large_table_spans_several_data_blocks():
    entries = [(f"k{i:06d}".encode(), bytes(1000)) for i in range(600)]
    data = sstable.build_table(entries)
    assert len(data) > 2 * sstable.BLOCK_SIZE
    assert sstable.read_table(data) == entries


def test_footer_has_magic_and_block_trailers_have_masked_crc():
    data = sstable.build_table([(b"k", b"v")])
    assert struct.unpack("<Q", data[-8:])[0] == 0xDB4775248B80FB57
    off, pos = sstable.get_varint(data, len(data) - 48)
    size, _ = sstable.get_varint(data, pos)  # metaindex: an empty block
    block = data[off : off + size]
    assert block == struct.pack("<II", 0, 1)
    assert data[off + size] == 0
    stored = struct.unpack_from("<I", data, off + size + 1)[0]
    assert stored == masked_crc32c(block + b"\x00")


def test_flipped_byte_in_data_block_is_a_checksum_error_naming_offset():
    data = bytearray(sstable.build_table([(b"key", b"value" * 10)]))
    data[5] ^= 0xFF
    with pytest.raises(sstable.TableFormatError, match="checksum mismatch in data block at offset 0"):
        sstable.read_table(bytes(data), "x.index")


def test_bad_magic_and_short_file_are_rejected():
    data = bytearray(sstable.build_table([(b"k", b"v")]))
    data[-1] ^= 1
    with pytest.raises(sstable.TableFormatError, match="magic"):
        sstable.read_table(bytes(data))
    with pytest.raises(sstable.TableFormatError, match="too short"):
        sstable.read_table(b"\x00" * 10)


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError, match="duplicate"):
        sstable.build_table([(b"a", b"1"), (b"a", b"2")])


def test_varint_round_trip_and_truncation():
    for value in (0, 1, 127, 128, 300, 2**32, 2**63 - 1):
        encoded = sstable.put_varint(value)
        assert sstable.get_varint(encoded, 0) == (value, len(encoded))
    with pytest.raises(sstable.TableFormatError, match="truncated varint"):
        sstable.get_varint(b"\x80\x80", 0)
