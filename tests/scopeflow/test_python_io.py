"""tf.python_io: TFRecord files readable by board.records and by TensorBoard's own reader."""

from __future__ import annotations

import pytest
import scopeflow as tf
from board import records
from tensorboard.compat.tensorflow_stub import errors as tb_errors
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New

PAYLOADS = [b"first", b"", b"\x00" * 300, "text é"]


def _tensorboard_records(path: str) -> list[bytes]:
    reader = PyRecordReader_New(path, 0, None)
    out = []
    while True:
        try:
            reader.GetNext()
        except tb_errors.OutOfRangeError:
            return out
        out.append(reader.record())


def _write(path, payloads=PAYLOADS):
    with tf.python_io.TFRecordWriter(str(path)) as writer:
        for payload in payloads:
            writer.write(payload)


def test_written_records_read_back_by_tensorboard_board_and_iterator(tmp_path):
    path = tmp_path / "data.tfrecords"
    _write(path)
    expected = [b"first", b"", b"\x00" * 300, "text é".encode()]
    assert _tensorboard_records(str(path)) == expected
    assert list(records.read_records(str(path))) == expected
    assert list(tf.python_io.tf_record_iterator(str(path))) == expected


def test_iterator_reads_a_file_framed_by_board_records(tmp_path):
    path = tmp_path / "board.tfrecords"
    path.write_bytes(b"".join(records.encode_record(p) for p in (b"a", b"bc")))
    assert list(tf.python_io.tf_record_iterator(str(path))) == [b"a", b"bc"]


def test_close_without_context_manager_flushes_everything(tmp_path):
    path = tmp_path / "closed.tfrecords"
    writer = tf.python_io.TFRecordWriter(str(path))
    writer.write(b"x" * 10)
    writer.close()
    assert path.stat().st_size == 12 + 10 + 4


def test_corrupt_record_raises_data_loss(tmp_path):
    path = tmp_path / "bad.tfrecords"
    _write(path, [b"good", b"payload"])
    data = bytearray(path.read_bytes())
    data[-6] ^= 0xFF  # inside the second payload
    path.write_bytes(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="byte offset 20"):
        list(tf.python_io.tf_record_iterator(str(path)))


def test_truncated_file_raises_data_loss(tmp_path):
    path = tmp_path / "short.tfrecords"
    _write(path, [b"good", b"payload"])
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(tf.errors.DataLossError, match="truncated"):
        list(tf.python_io.tf_record_iterator(str(path)))


def test_missing_file_raises_ioerror(tmp_path):
    with pytest.raises(IOError, match="Could not open"):
        list(tf.python_io.tf_record_iterator(str(tmp_path / "absent")))


def test_example_protos_round_trip_through_a_record_file(tmp_path):
    example = tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[7])),
        "image_raw": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"\x01\x02"])),
        "weights": tf.train.Feature(float_list=tf.train.FloatList(value=[0.5, 2.0])),
    }))
    path = tmp_path / "examples.tfrecords"
    _write(path, [example.SerializeToString()])
    (data,) = tf.python_io.tf_record_iterator(str(path))
    back = tf.train.Example.FromString(data)
    assert back.features.feature["label"].int64_list.value == [7]
    assert list(back.features.feature["weights"].float_list.value) == [0.5, 2.0]
    assert isinstance(tf.train.SequenceExample(), tf.train.SequenceExample)
