"""Decoders: decode_csv, decode_raw, string_to_number, parse_example against known answers."""

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


# -- decode_csv ----------------------------------------------------------------------------
def test_decode_csv_columns_take_their_default_types_and_fill_empty_fields():
    with tf.Graph().as_default():
        cols = tf.decode_csv(tf.constant([",1,", "0.2,3,bcd", "3.0,,"]),
                             [[1.0], [0], ["a"]])
        assert [c.dtype for c in cols] == [tf.float32, tf.int32, tf.string]
        assert all(c.get_shape().as_list() == [3] for c in cols)
        floats, ints, strings = _run(cols)
    np.testing.assert_allclose(floats, [1.0, 0.2, 3.0])
    assert floats.dtype == np.float32 and ints.dtype == np.int32
    assert ints.tolist() == [1, 3, 0]
    assert strings.tolist() == [b"a", b"bcd", b"a"]


def test_decode_csv_of_a_scalar_record_gives_scalars_and_int64_columns():
    with tf.Graph().as_default():
        records = tf.placeholder(tf.string, [])
        cols = tf.decode_csv(records, [np.array([0], np.int64), [2.5]])
        big, x = _run(cols, {records: "9000000000,"})
    assert big == 9_000_000_000 and big.dtype == np.int64 and x == np.float32(2.5)


def test_decode_csv_with_tab_delimiter_and_quoted_fields():
    with tf.Graph().as_default():
        cols = tf.decode_csv(['"a\tb"\t1', '"say ""hi"""\t2'], [[""], [0]], field_delim="\t")
        text, num = _run(cols)
    assert text.tolist() == [b"a\tb", b'say "hi"'] and num.tolist() == [1, 2]


@pytest.mark.parametrize(("records", "defaults", "message"), [
    ([",1", "0.2,2", "3.0adf,3"], [[1.0]], "Expect 1 fields but have 2 in record 0"),
    ([",1", "0.2,3", "3.0,"], [[1.0], np.array([], np.int32)],
     "Field 1 is required but missing in record 2!"),
    ([",1", "0.2,234a", "3.0,2"], [[1.0], np.array([], np.int32)],
     "Field 1 in record 1 is not a valid int32: 234a"),
    (["1", "9999999999999999999999999"], [[1]], "Field 0 in record 1 is not a valid int32"),
    ([",1", "0.2,2", "3.0adf,3"], [[1.0], [0]],
     "Field 0 in record 2 is not a valid float: 3.0adf"),
    (["1_000"], [[0]], "Field 0 in record 0 is not a valid int32: 1_000"),
    (['a"bc'], [["a"]], "Unquoted fields cannot have quotes/CRLFs inside"),
    (['"abc'], [["a"]], "Quoted field has to end with quote followed by delim or end"),
])
def test_decode_csv_bad_records_are_invalid_argument(records, defaults, message):
    with tf.Graph().as_default():
        cols = tf.decode_csv(records, defaults)
        with pytest.raises(tf.errors.InvalidArgumentError, match=message) as info:
            _run(cols)
    assert info.value.op.type == "DecodeCSV"


def test_decode_csv_rejects_a_two_character_delimiter_and_rank_2_defaults():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="only 1 char"):
            tf.decode_csv(["a"], [[""]], field_delim="::")
        with pytest.raises(ValueError, match="at most rank 1"):
            tf.decode_csv(["1"], [[[0]]])


# -- decode_raw, string_to_number ------------------------------------------------------
def test_decode_raw_appends_a_dimension_and_honours_byte_order():
    data = _strings([b"\x01\x00\x00\x02", b"\xff\x00\x00\x00"])
    with tf.Graph().as_default():
        bytes_in = tf.placeholder(tf.string, [2])
        little = tf.decode_raw(bytes_in, tf.int16)
        big = tf.decode_raw(bytes_in, tf.int16, little_endian=False)
        pixels = tf.decode_raw(bytes_in, tf.uint8)
        assert little.get_shape().as_list() == [2, None] and little.dtype == tf.int16
        lo, hi, px = _run([little, big, pixels], {bytes_in: data})
    assert lo.tolist() == [[1, 512], [255, 0]]
    assert hi.tolist() == [[256, 2], [-256, 0]]
    assert px.dtype == np.uint8 and px.tolist() == [[1, 0, 0, 2], [255, 0, 0, 0]]


def test_decode_raw_float32_matches_numpy_tobytes():
    values = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    data = _strings([row.tobytes() for row in values])
    with tf.Graph().as_default():
        out = _run(tf.decode_raw(tf.constant(data), tf.float32))
    np.testing.assert_array_equal(out, values)


@pytest.mark.parametrize(("data", "message"), [
    ([b"abcd", b"ab"], "same size, but element 1 has size 2 != 4"),
    ([b"abcdef"], "length 6 that is not a multiple of 4, the size of float32"),
])
def test_decode_raw_bad_lengths_are_invalid_argument(data, message):
    with tf.Graph().as_default():
        out = tf.decode_raw(tf.constant(_strings(data)), tf.float32)
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            _run(out)


def test_string_to_number_parses_floats_and_ints_and_rejects_junk():
    with tf.Graph().as_default():
        floats = tf.string_to_number(["1.5", "-2e3", " 7 "])
        ints = tf.string_to_number([["12", "-3"]], out_type=tf.int32)
        f, i = _run([floats, ints])
        assert f.dtype == np.float32 and f.tolist() == [1.5, -2000.0, 7.0]
        assert i.dtype == np.int32 and i.tolist() == [[12, -3]]
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="could not correctly convert string: 4x"):
            _run(tf.string_to_number(["4x"]))


# -- parse_example -------------------------------------------------------------------------
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


def test_decoders_have_no_gradient():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.string, [None])
        (col,) = tf.decode_csv(x, [[1.0]])
        assert tf.gradients(tf.reduce_sum(col), [x]) == [None]


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
