"""Readers: records, keys and counters as TensorFlow's, fed filenames through a FIFOQueue."""

from __future__ import annotations

import threading

import pytest
import scopeflow as tf
from board import records
from tensorboard.summary.writer.record_writer import RecordWriter

BOUNDED = tf.ConfigProto(operation_timeout_in_ms=5000)


def _read_all(reader, filenames, extra=None, config=BOUNDED):
    """Every (key, value) `reader` yields for `filenames`, until the queue runs dry."""
    queue = tf.FIFOQueue(10, [tf.string])
    key, value = reader.read(queue)
    out = []
    with tf.Session(config=config) as sess:
        sess.run(queue.enqueue_many([[str(f) for f in filenames]]))
        sess.run(queue.close())
        while True:
            try:
                out.append(tuple(sess.run([key, value])))
            except tf.errors.OutOfRangeError:
                break
        if extra is not None:
            return out, sess.run(extra)
    return out


def test_text_line_reader_keys_are_file_and_line_number_past_the_header(tmp_path):
    first = tmp_path / "a.csv"
    first.write_bytes(b"x,y\n1,2\r\n\n3,4")  # CRLF, an empty line, no final newline
    second = tmp_path / "b.csv"
    second.write_bytes(b"x,y\n5,6\n")
    with tf.Graph().as_default():
        reader = tf.TextLineReader(skip_header_lines=1)
        counters = [reader.num_records_produced(), reader.num_work_units_completed()]
        out, (produced, completed) = _read_all(reader, [first, second], counters)
    assert out == [
        (f"{first}:2".encode(), b"1,2"), (f"{first}:3".encode(), b""),
        (f"{first}:4".encode(), b"3,4"), (f"{second}:2".encode(), b"5,6"),
    ]
    assert (produced, completed) == (4, 2)


def test_read_of_a_closed_empty_queue_is_out_of_range_naming_the_read():
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(2, [tf.string])
        key, _ = tf.IdentityReader().read(queue)
        with tf.Session(config=BOUNDED) as sess:
            sess.run(queue.close())
            with pytest.raises(tf.errors.OutOfRangeError, match="is closed") as info:
                sess.run(key)
    assert info.value.op.type == "ReaderRead"


def test_read_waiting_on_an_empty_open_queue_times_out():
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(2, [tf.string])
        key, _ = tf.IdentityReader().read(queue)
        config = tf.ConfigProto(operation_timeout_in_ms=50)
        with tf.Session(config=config) as sess, pytest.raises(tf.errors.DeadlineExceededError):
            sess.run(key)


def test_tfrecord_reader_reads_tensorboards_records_keyed_by_byte_offset(tmp_path):
    path = tmp_path / "data.tfrecords"
    with open(path, "wb") as f:
        writer = RecordWriter(f)
        for payload in (b"one", b"", b"three"):
            writer.write(payload)
        writer.flush()
    with tf.Graph().as_default():
        out = _read_all(tf.TFRecordReader(), [path])
    assert out == [(f"{path}:0".encode(), b"one"), (f"{path}:19".encode(), b""),
                   (f"{path}:35".encode(), b"three")]


def test_tfrecord_reader_corrupt_record_is_data_loss(tmp_path):
    path = tmp_path / "bad.tfrecords"
    path.write_bytes(records.encode_record(b"good") + records.encode_record(b"bad")[:-1] + b"!")
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(2, [tf.string])
        _, value = tf.TFRecordReader().read(queue)
        with tf.Session(config=BOUNDED) as sess:
            sess.run(queue.enqueue([str(path)]))
            assert sess.run(value) == b"good"
            with pytest.raises(tf.errors.DataLossError, match="corrupted record at 20"):
                sess.run(value)


def test_whole_file_reader_gives_each_file_once_and_counts_it_at_once(tmp_path):
    files = [tmp_path / "a.bin", tmp_path / "b.bin"]
    files[0].write_bytes(b"\x00\x01")
    files[1].write_bytes(b"")
    with tf.Graph().as_default():
        reader = tf.WholeFileReader()
        out, completed = _read_all(reader, files, reader.num_work_units_completed())
    assert out == [(str(files[0]).encode(), b"\x00\x01"), (str(files[1]).encode(), b"")]
    assert completed == 2


def test_fixed_length_reader_skips_header_and_footer_and_drops_a_short_tail(tmp_path):
    path = tmp_path / "cifar.bin"
    path.write_bytes(b"HH" + b"aaa" + b"bbb" + b"cc" + b"FFF")
    with tf.Graph().as_default():
        reader = tf.FixedLengthRecordReader(record_bytes=3, header_bytes=2, footer_bytes=3)
        out = _read_all(reader, [path])
    assert out == [(f"{path}:0".encode(), b"aaa"), (f"{path}:1".encode(), b"bbb")]


def test_identity_reader_returns_the_work_item_as_key_and_value():
    with tf.Graph().as_default():
        out = _read_all(tf.IdentityReader(), ["w1", "w2"])
    assert out == [(b"w1", b"w1"), (b"w2", b"w2")]


def test_missing_file_is_not_found(tmp_path):
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(2, [tf.string])
        _, value = tf.TextLineReader().read(queue)
        with tf.Session(config=BOUNDED) as sess:
            sess.run(queue.enqueue([str(tmp_path / "absent.csv")]))
            with pytest.raises(tf.errors.NotFoundError, match="absent.csv"):
                sess.run(value)


def test_reset_zeroes_the_counters_and_drops_the_current_file(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_bytes(b"l1\nl2\n")
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(4, [tf.string])
        reader = tf.TextLineReader()
        key, value = reader.read(queue)
        produced = reader.num_records_produced()
        with tf.Session(config=BOUNDED) as sess:
            sess.run(queue.enqueue_many([[str(path), str(path)]]))
            assert sess.run(value) == b"l1"
            sess.run(reader.reset())
            assert sess.run(produced) == 0
            assert sess.run([key, value]) == [f"{path}:1".encode(), b"l1"]  # the second copy
            assert sess.run(produced) == 1


def test_two_sessions_read_independently(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_bytes(b"l1\nl2\n")
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(4, [tf.string])
        _, value = tf.TextLineReader().read(queue)
        enqueue = queue.enqueue([str(path)])
        with tf.Session(config=BOUNDED) as one, tf.Session(config=BOUNDED) as two:
            one.run(enqueue)
            two.run(enqueue)
            assert one.run(value) == b"l1"
            assert two.run(value) == b"l1"
            assert one.run(value) == b"l2"


@pytest.mark.timeout(60)
def test_concurrent_reads_hand_out_every_record_exactly_once(tmp_path):
    paths = []
    for n in range(4):
        paths.append(tmp_path / f"part{n}.txt")
        paths[-1].write_bytes(b"".join(b"%d-%d\n" % (n, i) for i in range(25)))
    with tf.Graph().as_default():
        queue = tf.FIFOQueue(10, [tf.string])
        _, value = tf.TextLineReader().read(queue)
        seen: list[bytes] = []
        with tf.Session(config=BOUNDED) as sess:
            sess.run(queue.enqueue_many([[str(p) for p in paths]]))
            sess.run(queue.close())

            def drain():
                while True:
                    try:
                        seen.append(sess.run(value))
                    except tf.errors.OutOfRangeError:
                        return

            threads = [threading.Thread(target=drain) for _ in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    assert sorted(seen) == sorted(b"%d-%d" % (n, i) for n in range(4) for i in range(25))
