"""board.records: framing, incremental reading, corruption handling."""

from __future__ import annotations

import io
import logging
import random
import struct

import fsspec
import pytest
from board.records import (
    RecordCorruptError,
    RecordError,
    RecordReader,
    RecordTruncatedError,
    TFRecordWriter,
    encode_record,
    encode_records,
    masked_crc32c,
    read_records,
)
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.timeout(60)

PAYLOADS = [b"first", b"", b"x" * 1000, bytes(range(256)), b"last"]


def write_file(path, payloads) -> list[int]:
    """Write records; return the offset of each."""
    offsets, pos = [], 0
    with TFRecordWriter(str(path)) as w:
        for p in payloads:
            offsets.append(pos)
            pos += 16 + len(p)
            w.write(p)
    return offsets


def flip_byte(path, offset):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x40
    path.write_bytes(bytes(data))


def test_encode_record_matches_tensorboard_record_writer():
    from tensorboard.summary.writer.record_writer import RecordWriter

    buf = io.BytesIO()
    theirs = RecordWriter(buf)
    for p in PAYLOADS:
        theirs.write(p)
    assert b"".join(encode_record(p) for p in PAYLOADS) == buf.getvalue()


def test_masked_crc32c_matches_tensorboard():
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c as theirs

    for data in (b"", b"a", b"hello world", bytes(range(256)) * 3):
        assert masked_crc32c(data) == theirs(data)


def test_record_layout_is_length_crc_payload_crc():
    rec = encode_record(b"abc")
    length, lcrc = struct.unpack_from("<QI", rec)
    assert length == 3
    assert lcrc == masked_crc32c(struct.pack("<Q", 3))
    assert rec[12:15] == b"abc"
    assert struct.unpack_from("<I", rec, 15)[0] == masked_crc32c(b"abc")


def test_write_then_read_all_records(tmp_path):
    path = tmp_path / "r.tfrecord"
    write_file(path, PAYLOADS)
    assert list(read_records(str(path))) == PAYLOADS


def test_reader_reports_offsets_and_offset_after_last(tmp_path):
    path = tmp_path / "r.tfrecord"
    expected = write_file(path, PAYLOADS)
    reader = RecordReader(str(path))
    offsets: list[int] = []
    assert reader.read_new(offsets) == PAYLOADS
    assert offsets == expected
    assert reader.offset == path.stat().st_size


def test_read_from_an_offset_resumes_there(tmp_path):
    path = tmp_path / "r.tfrecord"
    offsets = write_file(path, PAYLOADS)
    assert list(read_records(str(path), offsets[2])) == PAYLOADS[2:]


def test_partial_tail_is_not_yet_written_and_read_resumes(tmp_path):
    path = tmp_path / "r.tfrecord"
    whole = b"".join(encode_record(p) for p in PAYLOADS)
    cut = len(encode_record(PAYLOADS[0])) + 7  # inside the second record's header
    path.write_bytes(whole[:cut])
    reader = RecordReader(str(path))
    assert reader.read_new() == PAYLOADS[:1]
    assert reader.offset == len(encode_record(PAYLOADS[0]))
    assert reader.read_new() == []  # still partial: nothing, no error
    with open(path, "ab") as f:
        f.write(whole[cut:])
    assert reader.read_new() == PAYLOADS[1:]
    assert reader.offset == len(whole)


def test_reader_sees_appended_records_only_once(tmp_path):
    path = tmp_path / "r.tfrecord"
    path.write_bytes(encode_record(b"a"))
    reader = RecordReader(str(path))
    assert reader.read_new() == [b"a"]
    with open(path, "ab") as f:
        f.write(encode_record(b"b") + encode_record(b"c"))
    assert reader.read_new() == [b"b", b"c"]
    assert reader.read_new() == []


def test_small_chunks_give_the_same_records(tmp_path):
    path = tmp_path / "r.tfrecord"
    write_file(path, PAYLOADS)
    assert RecordReader(str(path), chunk_size=5).read_new() == PAYLOADS


def test_fsspec_filesystem_source():
    fs = fsspec.filesystem("memory")
    with TFRecordWriter((fs, "/wire/test.tfrecord")) as w:
        for p in PAYLOADS:
            w.write(p)
    assert list(read_records((fs, "/wire/test.tfrecord"))) == PAYLOADS
    fs.rm("/wire/test.tfrecord")


def test_writer_mode_xb_refuses_an_existing_file(tmp_path):
    path = tmp_path / "r.tfrecord"
    path.write_bytes(b"")
    with pytest.raises(FileExistsError):
        TFRecordWriter(str(path), mode="xb")
    with pytest.raises(ValueError, match="mode"):
        TFRecordWriter(str(path), mode="ab")


# -- corruption ------------------------------------------------------------------------------

def test_flipped_length_byte_raises_naming_file_and_offset(tmp_path):
    path = tmp_path / "r.tfrecord"
    offsets = write_file(path, PAYLOADS)
    flip_byte(path, offsets[2] + 1)
    with pytest.raises(RecordCorruptError) as info:
        list(read_records(str(path)))
    assert info.value.offset == offsets[2]
    assert str(path) in str(info.value)
    assert f"offset {offsets[2]}" in str(info.value)
    assert "length" in str(info.value)
    assert isinstance(info.value, RecordError)


def test_flipped_length_byte_in_skip_mode_warns_and_resyncs(tmp_path, caplog):
    path = tmp_path / "r.tfrecord"
    offsets = write_file(path, PAYLOADS)
    flip_byte(path, offsets[2] + 1)
    with caplog.at_level(logging.WARNING, logger="board.records"):
        got = list(read_records(str(path), skip_corrupt=True))
    assert got == PAYLOADS[:2] + PAYLOADS[3:]
    assert any(str(path) in r.getMessage() and f"offset {offsets[2]}" in r.getMessage()
               for r in caplog.records)


def test_flipped_payload_byte_raises_then_skip_mode_drops_only_that_record(tmp_path, caplog):
    path = tmp_path / "r.tfrecord"
    offsets = write_file(path, PAYLOADS)
    flip_byte(path, offsets[3] + 12 + 10)
    with pytest.raises(RecordCorruptError, match="payload checksum") as info:
        list(read_records(str(path)))
    assert info.value.offset == offsets[3]
    with caplog.at_level(logging.WARNING, logger="board.records"):
        got = list(read_records(str(path), skip_corrupt=True))
    assert got == PAYLOADS[:3] + PAYLOADS[4:]
    assert any(f"offset {offsets[3]}" in r.getMessage() for r in caplog.records)


def test_strict_reader_hands_out_good_records_before_raising(tmp_path):
    path = tmp_path / "r.tfrecord"
    offsets = write_file(path, PAYLOADS)
    flip_byte(path, offsets[3] + 12)
    reader = RecordReader(str(path))
    assert reader.read_new() == PAYLOADS[:3]
    assert reader.offset == offsets[3]
    with pytest.raises(RecordCorruptError):
        reader.read_new()
    assert reader.offset == offsets[3]


def test_truncated_tail_raises_in_whole_file_read(tmp_path):
    path = tmp_path / "r.tfrecord"
    offsets = write_file(path, PAYLOADS)
    data = path.read_bytes()
    path.write_bytes(data[:-3])
    with pytest.raises(RecordTruncatedError) as info:
        list(read_records(str(path)))
    assert info.value.offset == offsets[-1]
    assert str(path) in str(info.value)


def test_truncated_tail_in_skip_mode_warns_and_keeps_the_rest(tmp_path, caplog):
    path = tmp_path / "r.tfrecord"
    write_file(path, PAYLOADS)
    path.write_bytes(path.read_bytes()[:-3])
    with caplog.at_level(logging.WARNING, logger="board.records"):
        assert list(read_records(str(path), skip_corrupt=True)) == PAYLOADS[:-1]
    assert any("truncated" in r.getMessage() for r in caplog.records)


def test_empty_file_has_no_records(tmp_path):
    path = tmp_path / "empty"
    path.write_bytes(b"")
    reader = RecordReader(str(path))
    assert reader.read_new() == []
    assert reader.offset == 0
    assert list(read_records(str(path))) == []


def test_random_bytes_raise_in_strict_mode(tmp_path):
    path = tmp_path / "noise"
    path.write_bytes(random.Random(1).randbytes(4096))
    with pytest.raises(RecordCorruptError) as info:
        list(read_records(str(path)))
    assert info.value.offset == 0


def test_random_bytes_in_skip_mode_give_nothing_and_return(tmp_path, caplog):
    path = tmp_path / "noise"
    path.write_bytes(random.Random(2).randbytes(64 * 1024))
    with caplog.at_level(logging.WARNING, logger="board.records"):
        assert list(read_records(str(path), skip_corrupt=True)) == []
    assert any("offset 0" in r.getMessage() for r in caplog.records)


def test_skip_mode_finds_records_after_garbage(tmp_path):
    path = tmp_path / "mixed"
    noise = random.Random(3).randbytes(777)
    path.write_bytes(encode_record(b"a") + noise + encode_record(b"b") + encode_record(b"c"))
    assert list(read_records(str(path), skip_corrupt=True)) == [b"a", b"b", b"c"]


def test_follow_mode_resync_spans_reads_without_repeating_warnings(tmp_path, caplog):
    path = tmp_path / "mixed"
    path.write_bytes(encode_record(b"a") + b"\xff" * 40)
    reader = RecordReader(str(path), skip_corrupt=True)
    with caplog.at_level(logging.WARNING, logger="board.records"):
        assert reader.read_new() == [b"a"]
        with open(path, "ab") as f:
            f.write(b"\xee" * 30 + encode_record(b"b"))
        assert reader.read_new() == [b"b"]
    assert len([r for r in caplog.records if "corrupt" in r.getMessage()]) == 1
    assert reader.offset == path.stat().st_size


# -- properties ------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=20))
def test_random_records_round_trip(tmp_path_factory, payloads):
    path = tmp_path_factory.mktemp("rt") / "r.tfrecord"
    write_file(path, payloads)
    assert list(read_records(str(path))) == payloads


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=100), min_size=1, max_size=10), st.data())
def test_any_split_point_reads_the_same_records(tmp_path_factory, payloads, data):
    whole = b"".join(map(encode_record, payloads))
    cut = data.draw(st.integers(0, len(whole)))
    path = tmp_path_factory.mktemp("split") / "r.tfrecord"
    path.write_bytes(whole[:cut])
    reader = RecordReader(str(path))
    first = reader.read_new()
    with open(path, "ab") as f:
        f.write(whole[cut:])
    assert first + reader.read_new() == payloads
    assert reader.offset == len(whole)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=50), min_size=2, max_size=8), st.data())
def test_any_flipped_byte_is_detected_or_skipped(tmp_path_factory, payloads, data):
    whole = bytearray(b"".join(map(encode_record, payloads)))
    at = data.draw(st.integers(0, len(whole) - 1))
    whole[at] ^= 1 << data.draw(st.integers(0, 7))
    path = tmp_path_factory.mktemp("flip") / "r.tfrecord"
    path.write_bytes(bytes(whole))
    with pytest.raises(RecordError):
        list(read_records(str(path)))
    got = list(read_records(str(path), skip_corrupt=True))
    assert len(got) == len(payloads) - 1
    assert all(p in payloads for p in got)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=300))
def test_bulk_framing_equals_framing_one_by_one(payloads):
    assert encode_records(payloads) == b"".join(map(encode_record, payloads))


def test_payload_that_looks_like_a_header_does_not_stall_resync(tmp_path):
    # An 8-byte payload followed by its checksum reads exactly like a record header
    # (claiming a huge length); resync must prefer the real record after it.
    payloads = [(1).to_bytes(8, "little")[::-1], b"after"]
    data = bytearray(b"".join(map(encode_record, payloads)))
    data[0] ^= 1
    path = tmp_path / "r.tfrecord"
    path.write_bytes(bytes(data))
    assert list(read_records(str(path), skip_corrupt=True)) == [b"after"]
