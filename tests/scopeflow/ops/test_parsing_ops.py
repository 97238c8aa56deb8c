"""Decoders: decode_csv, decode_raw, string_to_number against known answers."""

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


def test_decoders_have_no_gradient():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.string, [None])
        (col,) = tf.decode_csv(x, [[1.0]])
        assert tf.gradients(tf.reduce_sum(col), [x]) == [None]
