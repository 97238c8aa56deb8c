"""tf.parse_example and tf.parse_single_example (FixedLenFeature, VarLenFeature, TensorFlow
0.6's argument forms) against hand-built tf.train.Example protos."""

from __future__ import annotations

import numpy as np
import pytest
import scopeflow as tf


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def _strings(values) -> np.ndarray:
    """An object array keeps trailing NUL bytes that a numpy bytes array would drop."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _example(**features) -> bytes:
    feature = {}
    for key, value in features.items():
        if isinstance(value[0], bytes):
            feature[key] = tf.train.Feature(bytes_list=tf.train.BytesList(value=value))
        elif isinstance(value[0], float):
            feature[key] = tf.train.Feature(float_list=tf.train.FloatList(value=value))
        else:
            feature[key] = tf.train.Feature(int64_list=tf.train.Int64List(value=value))
    example = tf.train.Example(features=tf.train.Features(feature=feature))
    return example.SerializeToString()


FEATURES = {
    "label": tf.FixedLenFeature([], tf.int64),
    "image_raw": tf.FixedLenFeature([], tf.string),
    "xy": tf.FixedLenFeature([2], tf.float32, default_value=[-1.0, -2.0]),
}


def test_parse_example_batches_each_feature_and_fills_defaults():
    batch = [_example(label=[3], image_raw=[b"\x00\x01"], xy=[0.5, 1.5]),
             _example(label=[4], image_raw=[b"z"])]
    with tf.Graph().as_default():
        parsed = tf.parse_example(tf.constant(_strings(batch)), FEATURES)
        assert parsed["xy"].get_shape().as_list() == [2, 2]
        assert parsed["label"].dtype == tf.int64 and parsed["image_raw"].dtype == tf.string
        out = _run(parsed)
    assert out["label"].tolist() == [3, 4]
    assert out["image_raw"].tolist() == [b"\x00\x01", b"z"]
    assert out["xy"].dtype == np.float32 and out["xy"].tolist() == [[0.5, 1.5], [-1.0, -2.0]]


def test_parse_single_example_gives_tensors_of_the_feature_shape():
    with tf.Graph().as_default():
        serialized = tf.placeholder(tf.string, [])
        parsed = tf.parse_single_example(serialized, FEATURES)
        assert parsed["label"].get_shape().as_list() == []
        assert parsed["xy"].get_shape().as_list() == [2]
        out = _run(parsed, {serialized: _example(label=[9], image_raw=[b"ab"], xy=[1.0, 2.0])})
    assert out["label"] == 9 and out["image_raw"] == b"ab"
    assert out["xy"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize(("example", "message"), [
    (_example(image_raw=[b"a"]), "Name: <unknown>, Feature: label is required but could not"),
    (_example(label=[1.5], image_raw=[b"a"]), "Feature: label.  Data types don't match"),
    (_example(label=[1, 2], image_raw=[b"a"]),
     "Key: label, Index: 0.  Number of int64 values != expected.  values size: 2"),
    (b"\xff\xff not a proto", "Could not parse example input"),
])
def test_parse_example_bad_examples_are_invalid_argument(example, message):
    with tf.Graph().as_default():
        parsed = tf.parse_example(tf.constant(_strings([example])), FEATURES)
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            _run(parsed)


def test_parse_example_names_the_failing_example():
    with tf.Graph().as_default():
        parsed = tf.parse_example(tf.constant(_strings([_example(image_raw=[b"a"])])),
                                  FEATURES, example_names=["in.tfrecords:0"])
        with pytest.raises(tf.errors.InvalidArgumentError, match="Name: in.tfrecords:0"):
            _run(parsed)


def test_parse_example_rejects_unsupported_feature_dtypes():
    with pytest.raises(ValueError, match="float32, int64 or string"):
        tf.parse_example(["x"], {"a": tf.FixedLenFeature([], tf.int32)})


def test_parse_single_example_takes_tensorflow_0_6_dense_keys_and_types():
    with tf.Graph().as_default():
        serialized = tf.placeholder(tf.string, [])
        parsed = tf.parse_single_example(
            serialized, dense_keys=["image_raw", "label", "xy"],
            dense_types=[tf.string, tf.int64, tf.float32],
            dense_defaults={"xy": [0.0, 1.0]}, dense_shapes=[[], [], [2]])
        out = _run(parsed, {serialized: _example(label=[5], image_raw=[b"ab"])})
    assert out["label"] == 5 and out["image_raw"] == b"ab" and out["xy"].tolist() == [0.0, 1.0]


def test_parse_example_0_6_names_argument_labels_errors():
    with tf.Graph().as_default():
        parsed = tf.parse_example(tf.constant(_strings([_example(image_raw=[b"a"])])),
                                  ["rec7"], dense_keys=["label"], dense_types=[tf.int64])
        with pytest.raises(tf.errors.InvalidArgumentError, match="Name: rec7, Feature: label"):
            _run(parsed)


# -- VarLenFeature ---------------------------------------------------------------------------
def test_parse_example_var_len_feature_gives_a_sparse_tensor_of_batch_by_longest():
    batch = [_example(ids=[7, 8, 9], label=[1]), _example(label=[2]), _example(ids=[5])]
    features = {"ids": tf.VarLenFeature(tf.int64),
                "label": tf.FixedLenFeature([], tf.int64, default_value=0)}
    with tf.Graph().as_default():
        parsed = tf.parse_example(tf.constant(_strings(batch)), features)
        ids = parsed["ids"]
        assert isinstance(ids, tf.SparseTensor) and ids.dtype == tf.int64
        assert ids.indices.dtype == tf.int64 and ids.indices.get_shape().as_list() == [None, 2]
        assert ids.shape.get_shape().as_list() == [2]
        out = _run(parsed)
    assert isinstance(out["ids"], tf.SparseTensorValue)
    assert out["ids"].indices.tolist() == [[0, 0], [0, 1], [0, 2], [2, 0]]
    assert out["ids"].values.tolist() == [7, 8, 9, 5] and out["ids"].values.dtype == np.int64
    assert out["ids"].shape.tolist() == [3, 3]
    assert out["label"].tolist() == [1, 2, 0]


def test_parse_example_var_len_strings_and_floats_and_an_all_empty_feature():
    batch = [_example(words=[b"a", b"bc"], xs=[0.5]), _example(xs=[1.5, 2.5])]
    features = {"words": tf.VarLenFeature(tf.string), "xs": tf.VarLenFeature(tf.float32),
                "none": tf.VarLenFeature(tf.int64)}
    with tf.Graph().as_default():
        out = _run(tf.parse_example(tf.constant(_strings(batch)), features))
    assert out["words"].values.tolist() == [b"a", b"bc"]
    assert out["words"].indices.tolist() == [[0, 0], [0, 1]]
    assert out["words"].shape.tolist() == [2, 2]
    assert out["xs"].values.dtype == np.float32 and out["xs"].values.tolist() == [0.5, 1.5, 2.5]
    assert out["xs"].indices.tolist() == [[0, 0], [1, 0], [1, 1]]
    assert out["none"].indices.shape == (0, 2) and out["none"].shape.tolist() == [2, 0]


def test_parse_example_var_len_feature_of_the_wrong_type_is_invalid_argument():
    with tf.Graph().as_default():
        parsed = tf.parse_example(tf.constant(_strings([_example(ids=[1.5])])),
                                  {"ids": tf.VarLenFeature(tf.int64)})
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Feature: ids.  Data types don't match"):
            _run(parsed)


def test_parse_single_example_var_len_feature_has_position_indices():
    with tf.Graph().as_default():
        serialized = tf.placeholder(tf.string, [])
        parsed = tf.parse_single_example(serialized, {"ids": tf.VarLenFeature(tf.int64)})
        assert parsed["ids"].indices.get_shape().as_list() == [None, 1]
        assert parsed["ids"].shape.get_shape().as_list() == [1]
        out = _run(parsed["ids"], {serialized: _example(ids=[4, 5, 6])})
    assert out.indices.tolist() == [[0], [1], [2]]
    assert out.values.tolist() == [4, 5, 6] and out.shape.tolist() == [3]


def test_parse_example_takes_tensorflow_0_6_sparse_keys_and_types():
    batch = [_example(ids=[3], label=[1]), _example(ids=[4, 5], label=[2])]
    with tf.Graph().as_default():
        parsed = tf.parse_example(tf.constant(_strings(batch)), sparse_keys=["ids"],
                                  sparse_types=[tf.int64], dense_keys=["label"],
                                  dense_types=[tf.int64])
        out = _run(parsed)
    assert out["ids"].indices.tolist() == [[0, 0], [1, 0], [1, 1]]
    assert out["ids"].values.tolist() == [3, 4, 5] and out["label"].tolist() == [1, 2]
