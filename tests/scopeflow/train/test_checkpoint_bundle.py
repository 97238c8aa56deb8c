"""The V2 tensor-bundle format: round trips, the on-disk layout, and damage detection."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from board.proto import checkpoint_pb2, types_pb2
from scopeflow import errors
from scopeflow.train import checkpoint_bundle as cb
from scopeflow.train import sstable
from scopeflow.train.crc import crc32c, unmask


def _tensors():
    rng = np.random.RandomState(0)
    return {
        "hidden1/weights": rng.randn(5, 3).astype(np.float32),
        "hidden1/biases": np.zeros(3, np.float32),
        "global_step": np.array(1000, np.int64),
        "counts": np.arange(6, dtype=np.int32).reshape(2, 3),
        "flags": np.array([True, False]),
        "doubles": rng.randn(4),
        "halves": rng.randn(2, 2).astype(np.float16),
        "bytes8": np.arange(4, dtype=np.uint8),
        "empty": np.zeros((0, 4), np.float32),
        "names": np.array([b"a", b"", b"longer string" * 20], dtype=object),
    }


def test_round_trip_keeps_values_dtypes_and_shapes(tmp_path):
    tensors = _tensors()
    prefix = str(tmp_path / "model.ckpt-1")
    cb.write_bundle(prefix, tensors)
    assert sorted(os.listdir(tmp_path)) == [
        "model.ckpt-1.data-00000-of-00001", "model.ckpt-1.index"
    ]
    back = cb.read_bundle(prefix)
    assert set(back) == set(tensors)
    for name, value in tensors.items():
        assert back[name].dtype == value.dtype, name
        assert back[name].shape == value.shape, name
        np.testing.assert_array_equal(back[name], value)


def test_index_holds_header_under_empty_key_and_sorted_entries(tmp_path):
    prefix = str(tmp_path / "ck")
    cb.write_bundle(prefix, {"b": np.ones(2, np.float32), "a": np.arange(3, dtype=np.int64)})
    rows = sstable.read_table(Path(prefix + ".index").read_bytes())
    assert [k for k, _ in rows] == [b"", b"a", b"b"]
    header = checkpoint_pb2.BundleHeaderProto.FromString(rows[0][1])
    assert header.num_shards == 1 and header.version.producer == 1
    entry_a = checkpoint_pb2.BundleEntryProto.FromString(rows[1][1])
    entry_b = checkpoint_pb2.BundleEntryProto.FromString(rows[2][1])
    assert entry_a.dtype == types_pb2.DT_INT64 and [d.size for d in entry_a.shape.dim] == [3]
    data = Path(prefix + ".data-00000-of-00001").read_bytes()
    assert entry_a.offset == 0 and entry_a.size == 24 and entry_b.offset == 24
    assert data[:24] == np.arange(3, dtype="<i8").tobytes()
    assert unmask(entry_b.crc32c) == crc32c(data[24:32])


def test_string_tensor_layout_is_lengths_then_checksum_then_bytes(tmp_path):
    prefix = str(tmp_path / "s")
    cb.write_bundle(prefix, {"s": np.array([b"ab", b"xyz"], dtype=object)})
    data = Path(prefix + ".data-00000-of-00001").read_bytes()
    assert data[:2] == b"\x02\x03"
    assert data[6:] == b"abxyz"
    assert len(data) == 2 + 4 + 5


def test_missing_checkpoint_is_not_found(tmp_path):
    with pytest.raises(errors.NotFoundError, match="nothing_here"):
        cb.BundleReader(str(tmp_path / "nothing_here"))


def test_missing_tensor_is_not_found(tmp_path):
    cb.write_bundle(str(tmp_path / "c"), {"a": np.ones(1, np.float32)})
    with pytest.raises(errors.NotFoundError, match="Key b not found"):
        cb.BundleReader(str(tmp_path / "c")).get_tensor("b")


def _flip(path, offset):
    data = bytearray(Path(path).read_bytes())
    data[offset] ^= 0x01
    Path(path).write_bytes(bytes(data))


def test_flipped_data_byte_is_data_loss_naming_tensor_and_offset(tmp_path):
    prefix = str(tmp_path / "c")
    cb.write_bundle(prefix, {"a": np.ones(4, np.float32), "b": np.ones(4, np.float32)})
    _flip(prefix + ".data-00000-of-00001", 17)
    reader = cb.BundleReader(prefix)
    np.testing.assert_array_equal(reader.get_tensor("a"), np.ones(4))
    with pytest.raises(errors.DataLossError, match=r"tensor 'b' .* at offset 16: checksum"):
        reader.get_tensor("b")


def test_flipped_string_byte_is_data_loss(tmp_path):
    prefix = str(tmp_path / "c")
    cb.write_bundle(prefix, {"s": np.array([b"hello", b"world"], dtype=object)})
    _flip(prefix + ".data-00000-of-00001", 9)
    with pytest.raises(errors.DataLossError, match="checksum mismatch"):
        cb.read_bundle(prefix)


def test_damaged_index_is_data_loss_naming_the_file(tmp_path):
    prefix = str(tmp_path / "c")
    cb.write_bundle(prefix, {"a": np.ones(4, np.float32)})
    _flip(prefix + ".index", 3)
    with pytest.raises(errors.DataLossError, match=r"c\.index"):
        cb.BundleReader(prefix)


def test_truncated_data_file_is_data_loss(tmp_path):
    prefix = str(tmp_path / "c")
    cb.write_bundle(prefix, {"a": np.ones(4, np.float32)})
    path = prefix + ".data-00000-of-00001"
    os.truncate(path, 10)
    with pytest.raises(errors.DataLossError, match="truncated"):
        cb.read_bundle(prefix)


def test_failed_save_leaves_previous_checkpoint_intact(tmp_path, monkeypatch):
    prefix = str(tmp_path / "model")
    cb.write_bundle(prefix, {"w": np.full(3, 7.0, np.float32)})

    def crash(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(sstable, "build_table", crash)
    with pytest.raises(OSError, match="disk full"):
        cb.write_bundle(prefix, {"w": np.full(3, 9.0, np.float32), "extra": np.ones(2)})
    monkeypatch.undo()
    np.testing.assert_array_equal(cb.read_bundle(prefix)["w"], np.full(3, 7.0))
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


def test_unsupported_dtype_is_a_clear_type_error(tmp_path):
    with pytest.raises(TypeError, match="no checkpoint dtype"):
        cb.write_bundle(str(tmp_path / "c"), {"t": np.array(["2020"], dtype="datetime64[D]")})


def test_crash_while_writing_files_leaves_previous_checkpoint_intact(tmp_path, monkeypatch):
    prefix = str(tmp_path / "model")
    cb.write_bundle(prefix, {"w": np.full(3, 7.0, np.float32)})
    real_replace = os.replace

    def crash_on_index(src, dst):
        if dst.endswith(".index"):
            raise OSError("power cut")
        real_replace(src, dst)

    # A new prefix: the crash before its index lands leaves no visible checkpoint at all.
    monkeypatch.setattr(os, "replace", crash_on_index)
    with pytest.raises(OSError, match="power cut"):
        cb.write_bundle(str(tmp_path / "model-2"), {"w": np.ones(3, np.float32)})
    monkeypatch.undo()
    assert not cb.bundle_exists(str(tmp_path / "model-2"))
    np.testing.assert_array_equal(cb.read_bundle(prefix)["w"], np.full(3, 7.0))
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
