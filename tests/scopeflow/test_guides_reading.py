"""The "Reading Data" how-to (TensorFlow 0.6) with only the import changed: CSV files through
string_input_producer + TextLineReader + decode_csv, and the convert_to_records /
fully_connected_reader flow (Examples in a TFRecord file, TFRecordReader,
parse_single_example, decode_raw) driven by a Coordinator and queue runners."""

from __future__ import annotations

import numpy as np
import pytest
import scopeflow as tf

# Every blocking op gives up after 10 s, so a broken pipeline fails instead of hanging.
BOUNDED = tf.ConfigProto(operation_timeout_in_ms=10000)


def _write_csv_files(tmp_path) -> tuple[list[str], set[tuple]]:
    rows = set()
    names = []
    for n in range(2):
        lines = []
        for i in range(3):
            row = (n, i, 10 * n + i, -i, n + i)
            rows.add(row)
            lines.append(",".join(map(str, row)))
        path = tmp_path / f"file{n}.csv"
        path.write_text("\n".join(lines) + "\n")
        names.append(str(path))
    return names, rows


@pytest.mark.timeout(60)
def test_csv_guide_reads_rows_forever_until_the_coordinator_stops(tmp_path):
    filenames, rows = _write_csv_files(tmp_path)
    with tf.Graph().as_default():
        filename_queue = tf.train.string_input_producer(filenames)
        reader = tf.TextLineReader()
        key, value = reader.read(filename_queue)
        record_defaults = [[1], [1], [1], [1], [1]]
        col1, col2, col3, col4, col5 = tf.decode_csv(value, record_defaults=record_defaults)
        features = tf.pack([col1, col2, col3, col4])
        seen, seen_keys = [], set()
        with tf.Session(config=BOUNDED) as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(coord=coord)
            for _ in range(12):  # two epochs of two files of three rows
                line, example, label = sess.run([key, features, col5])
                seen.append((*example.tolist(), int(label)))
                seen_keys.add(line)
            coord.request_stop()
            coord.join(threads)
    assert sorted(seen) == sorted(list(rows) * 2)
    assert seen_keys == {f"{name}:{i}".encode() for name in filenames for i in (1, 2, 3)}


@pytest.mark.timeout(60)
def test_csv_guide_one_epoch_batched_ends_with_out_of_range(tmp_path):
    filenames, rows = _write_csv_files(tmp_path)
    with tf.Graph().as_default():
        filename_queue = tf.train.string_input_producer(filenames, num_epochs=1,
                                                        shuffle=False)
        key, value = tf.TextLineReader().read(filename_queue)
        cols = tf.decode_csv(value, record_defaults=[[0]] * 5)
        keys, example_batch, label_batch = tf.train.batch(
            [key, tf.pack(cols[:4]), cols[4]], batch_size=2)
        seen, seen_keys = [], []
        with tf.Session(config=BOUNDED) as sess:
            sess.run(tf.initialize_all_variables())
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            try:
                while not coord.should_stop():
                    k, examples, labels = sess.run([keys, example_batch, label_batch])
                    seen_keys.extend(k.tolist())
                    seen.extend((*e, int(lab)) for e, lab in zip(examples.tolist(), labels))
            except tf.errors.OutOfRangeError:
                pass
            finally:
                coord.request_stop()
            coord.join(threads)
    assert sorted(seen) == sorted(rows)
    assert seen_keys == [f"{name}:{line}".encode() for name in filenames for line in (1, 2, 3)]


def _int64_feature(value):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[value]))


def _bytes_feature(value):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def _convert_to(images: np.ndarray, labels: np.ndarray, filename: str) -> None:
    """convert_to_records.py's convert_to, on a few images."""
    num_examples, rows, cols, depth = images.shape
    with tf.python_io.TFRecordWriter(filename) as writer:
        for index in range(num_examples):
            image_raw = images[index].tobytes()  # .tostring() in the 0.6 script (old numpy)
            example = tf.train.Example(features=tf.train.Features(feature={
                "height": _int64_feature(rows),
                "width": _int64_feature(cols),
                "depth": _int64_feature(depth),
                "label": _int64_feature(int(labels[index])),
                "image_raw": _bytes_feature(image_raw)}))
            writer.write(example.SerializeToString())


def _read_and_decode(filename_queue):
    """fully_connected_reader.py's read_and_decode, as written for TensorFlow 0.6."""
    reader = tf.TFRecordReader()
    _, serialized_example = reader.read(filename_queue)
    features = tf.parse_single_example(
        serialized_example,
        dense_keys=["image_raw", "label"],
        # Defaults are not specified since both keys are required.
        dense_types=[tf.string, tf.int64])
    image = tf.decode_raw(features["image_raw"], tf.uint8)
    image.set_shape([28 * 28])
    image = tf.cast(image, tf.float32) * (1. / 255) - 0.5
    label = tf.cast(features["label"], tf.int32)
    return image, label


@pytest.mark.timeout(60)
def test_fully_connected_reader_flow_reads_every_image_of_every_epoch(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28, 1), dtype=np.uint8)
    images[:, -1, -1, 0] = 0  # a trailing zero byte must survive the round trip
    labels = np.arange(5)
    filename = str(tmp_path / "train.tfrecords")
    _convert_to(images, labels, filename)
    with tf.Graph().as_default():
        filename_queue = tf.train.string_input_producer([filename], num_epochs=2)
        image, label = _read_and_decode(filename_queue)
        image_batch, label_batch = tf.train.shuffle_batch(
            [image, label], batch_size=2, num_threads=2, capacity=10, min_after_dequeue=2)
        got_images, got_labels = [], []
        with tf.Session(config=BOUNDED) as sess:
            sess.run(tf.initialize_all_variables())
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            try:
                while not coord.should_stop():
                    batch_images, batch_labels = sess.run([image_batch, label_batch])
                    got_images.extend(batch_images)
                    got_labels.extend(batch_labels.tolist())
            except tf.errors.OutOfRangeError:
                pass
            finally:
                coord.request_stop()
            coord.join(threads)
    assert sorted(got_labels) == sorted(labels.tolist() * 2)
    expected = images.reshape(5, 784).astype(np.float32) * (1. / 255) - 0.5
    for got, lab in zip(got_images, got_labels, strict=True):
        np.testing.assert_allclose(got, expected[lab], rtol=1e-6)


@pytest.mark.timeout(60)
def test_match_filenames_once_lists_the_files_when_initialized(tmp_path):
    filenames, rows = _write_csv_files(tmp_path)
    (tmp_path / "notes.txt").write_text("not a csv\n")
    with tf.Graph().as_default():
        matched = tf.train.match_filenames_once(str(tmp_path / "*.csv"))
        filename_queue = tf.train.string_input_producer(matched, num_epochs=1, shuffle=False)
        _, value = tf.TextLineReader().read(filename_queue)
        columns = tf.decode_csv(value, record_defaults=[[1]] * 5)
        with tf.Session(config=BOUNDED) as sess:
            sess.run(tf.initialize_all_variables())
            (tmp_path / "late.csv").write_text("9,9,9,9,9\n")  # listed once: never read
            assert sess.run(matched).tolist() == sorted(n.encode() for n in filenames)
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            seen = []
            try:
                while not coord.should_stop():
                    seen.append(tuple(int(c) for c in sess.run(columns)))
            except tf.errors.OutOfRangeError:
                pass
            finally:
                coord.request_stop()
            coord.join(threads)
    assert sorted(seen) == sorted(rows)


def test_matching_files_wants_one_pattern():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="rank 0"):
            tf.matching_files(["a*", "b*"])
        pattern = tf.placeholder(tf.string)
        files = tf.matching_files(pattern)
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                                 match="must be scalar"):
            sess.run(files, {pattern: np.array([b"a*"], object)})
