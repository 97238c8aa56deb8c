"""Reading Data with variable-length features: Examples written by TFRecordWriter, read back
through string_input_producer + TFRecordReader + parse_single_example(VarLenFeature) under a
Coordinator, and densified with sparse_tensor_to_dense."""

from __future__ import annotations

import numpy as np
import pytest
import scopeflow as tf

BOUNDED = tf.ConfigProto(operation_timeout_in_ms=10000)
RECORDS = [([3, 1, 4], [0.5]), ([], [1.5, 2.5]), ([9], [])]


def _write_records(filename: str) -> None:
    with tf.python_io.TFRecordWriter(filename) as writer:
        for key, (tokens, scores) in enumerate(RECORDS):
            feature = {"key": tf.train.Feature(int64_list=tf.train.Int64List(value=[key]))}
            if tokens:
                feature["tokens"] = tf.train.Feature(int64_list=tf.train.Int64List(value=tokens))
            feature["scores"] = tf.train.Feature(float_list=tf.train.FloatList(value=scores))
            example = tf.train.Example(features=tf.train.Features(feature=feature))
            writer.write(example.SerializeToString())


@pytest.mark.timeout(60)
def test_var_len_features_read_from_tfrecords_come_back_as_written(tmp_path):
    filename = str(tmp_path / "sparse.tfrecords")
    _write_records(filename)
    with tf.Graph().as_default():
        filename_queue = tf.train.string_input_producer([filename], num_epochs=1,
                                                        shuffle=False)
        _, serialized = tf.TFRecordReader().read(filename_queue)
        features = tf.parse_single_example(serialized, {
            "key": tf.FixedLenFeature([], tf.int64),
            "tokens": tf.VarLenFeature(tf.int64),
            "scores": tf.VarLenFeature(tf.float32),
        })
        tokens = tf.sparse_tensor_to_dense(features["tokens"], -1)
        read = [features["key"], tokens, features["scores"]]
        got = {}
        with tf.Session(config=BOUNDED) as sess:
            sess.run(tf.initialize_all_variables())
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=sess, coord=coord)
            try:
                while not coord.should_stop():
                    key, dense_tokens, scores = sess.run(read)
                    got[int(key)] = (dense_tokens, scores)
            except tf.errors.OutOfRangeError:
                pass
            finally:
                coord.request_stop()
            coord.join(threads)
    assert sorted(got) == [0, 1, 2]
    for key, (tokens_written, scores_written) in enumerate(RECORDS):
        dense_tokens, scores = got[key]
        assert dense_tokens.dtype == np.int64 and dense_tokens.tolist() == tokens_written
        assert isinstance(scores, tf.SparseTensorValue)
        assert scores.values.tolist() == scores_written
        assert scores.indices.tolist() == [[i] for i in range(len(scores_written))]
        assert scores.shape.tolist() == [len(scores_written)]
