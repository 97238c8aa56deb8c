"""Vectorized framing finds exactly the records board.records finds, and stops at the
first corrupt or incomplete one."""

import os

import numpy as np
import pytest
from board.ingest.framing import HEADER, frame_records, payload_checksums
from board.records import encode_record, masked_crc32c, read_records


def records(payloads):
    return b"".join(encode_record(p) for p in payloads)


def offsets_of(payloads):
    out, pos = [], 0
    for p in payloads:
        out.append(pos)
        pos += len(p) + 16
    return out


@pytest.mark.parametrize("kind", ["constant", "cycle", "random"])
def test_frames_regular_and_irregular_streams(kind, tmp_path):
    rng = np.random.default_rng(0)
    if kind == "constant":
        payloads = [bytes([i % 256]) * 40 for i in range(5000)]
    elif kind == "cycle":
        payloads = [b"x" * (30 + i % 7) for i in range(5000)]
    else:
        payloads = [os.urandom(int(n)) for n in rng.integers(0, 300, 3000)]
    buf = records(payloads)
    framing = frame_records(buf)
    assert framing.starts.tolist() == offsets_of(payloads)
    assert framing.lengths.tolist() == [len(p) for p in payloads]
    assert framing.end == len(buf) and not framing.corrupt
    path = tmp_path / "r"
    path.write_bytes(buf)
    assert list(read_records(str(path))) == payloads


def test_partial_tail_stops_before_it_and_says_what_it_needs():
    payloads = [b"a" * 50] * 100
    full = records(payloads)
    tail = encode_record(b"b" * 1000)
    framing = frame_records(full + tail[:500])
    assert framing.end == len(full) and not framing.corrupt
    assert framing.needed == len(tail)
    assert frame_records(full + tail[:5]).end == len(full)


def test_length_checksum_mismatch_marks_corrupt_at_that_record():
    payloads = [b"p" * 20] * 200
    buf = bytearray(records(payloads))
    bad = 150 * 36
    buf[bad + 8] ^= 0xFF
    framing = frame_records(bytes(buf))
    assert framing.corrupt and framing.end == bad
    assert len(framing.starts) == 150


def test_payload_checksum_mismatch_marks_corrupt_at_that_record():
    payloads = [b"q" * 20] * 200
    buf = bytearray(records(payloads))
    bad = 60 * 36
    buf[bad + HEADER + 3] ^= 0x01
    framing = frame_records(bytes(buf))
    assert framing.corrupt and framing.end == bad
    assert len(framing.starts) == 60


@pytest.mark.parametrize("length", [1, 17, 64, 600])
def test_vectorized_checksums_equal_crc32c(length):
    rng = np.random.default_rng(length)
    data = rng.integers(0, 256, 40 * length, dtype=np.uint8)
    starts = np.arange(40) * length
    expected = [masked_crc32c(data[s:s + length].tobytes()) for s in starts]
    assert payload_checksums(data, starts, length).tolist() == expected
