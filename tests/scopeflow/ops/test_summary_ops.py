"""Summary ops evaluate to serialized Summary protos with TensorFlow's tags and encodings."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest
import scopeflow as tf
from board.proto import summary_pb2
from PIL import Image


def _run(fetch, feed_dict=None):
    with tf.Session() as sess:
        data = sess.run(fetch, feed_dict)
    assert isinstance(data, bytes)
    return summary_pb2.Summary.FromString(data)


def test_scalar_summary_one_value_per_tag():
    with tf.Graph().as_default():
        out = tf.scalar_summary(["loss", "acc"], tf.constant([0.5, 0.25]))
        summary = _run(out)
    assert [(v.tag, v.simple_value) for v in summary.value] == [("loss", 0.5), ("acc", 0.25)]
    assert out.dtype == tf.string and out.get_shape().ndims == 0


def test_scalar_summary_of_a_fed_value_and_op_name_tag():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, shape=(), name="xentropy_mean")
        out = tf.scalar_summary(x.op.name, x)
        summary = _run(out, {x: 2.5})
    assert summary.value[0].tag == "xentropy_mean"
    assert summary.value[0].simple_value == 2.5


def test_scalar_summary_shape_mismatch_is_invalid_argument():
    with tf.Graph().as_default():
        out = tf.scalar_summary(["a", "b"], tf.constant([1.0, 2.0, 3.0]))
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                                 match="not the same shape"):
            sess.run(out)


def test_histogram_summary_counts_every_value():
    values = np.random.RandomState(0).randn(1000)
    with tf.Graph().as_default():
        summary = _run(tf.histogram_summary("weights", tf.constant(values)))
    histo = summary.value[0].histo
    assert summary.value[0].tag == "weights"
    assert histo.num == 1000 and sum(histo.bucket) == 1000
    assert histo.min == pytest.approx(values.min()) and histo.max == pytest.approx(values.max())
    assert histo.sum == pytest.approx(values.sum())


def test_histogram_summary_rejects_nan():
    with tf.Graph().as_default():
        out = tf.histogram_summary("h", tf.constant([1.0, float("nan")]))
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="Nan"):
            sess.run(out)


def _decode_png(value) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(value.image.encoded_image_string)))


def test_image_summary_tags_and_float_scaling():
    images = np.zeros((5, 4, 3, 1), np.float32)
    images[:, 0, 0, 0] = 2.0  # non-negative: the largest value maps to 255
    images[:, 1, 1, 0] = 1.0
    with tf.Graph().as_default():
        summary = _run(tf.image_summary("digits", tf.constant(images)))
    assert [v.tag for v in summary.value] == ["digits/image/0", "digits/image/1",
                                              "digits/image/2"]
    first = summary.value[0]
    assert (first.image.height, first.image.width, first.image.colorspace) == (4, 3, 1)
    pixels = _decode_png(first)
    assert pixels[0, 0] == 255 and pixels[1, 1] == 128 and pixels[2, 2] == 0


def test_image_summary_negative_values_center_zero_at_127():
    images = np.array([[[[-1.0], [0.0], [0.5]]]], np.float32)  # 1x1x3x1
    with tf.Graph().as_default():
        summary = _run(tf.image_summary("x", tf.constant(images), max_images=1))
    assert [v.tag for v in summary.value] == ["x/image"]
    assert list(_decode_png(summary.value[0])[0]) == [1, 128, 192]


def test_image_summary_uint8_rgb_is_kept_exactly():
    images = np.random.RandomState(1).randint(0, 256, (2, 3, 4, 3)).astype(np.uint8)
    with tf.Graph().as_default():
        summary = _run(tf.image_summary("rgb", tf.constant(images)))
    assert len(summary.value) == 2
    np.testing.assert_array_equal(_decode_png(summary.value[1]), images[1])


def test_image_summary_rejects_wrong_rank():
    with tf.Graph().as_default():
        out = tf.image_summary("bad", tf.constant(np.zeros((2, 3, 4), np.float32)))
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError, match="4-D"):
            sess.run(out)


def test_audio_summary_writes_wav_clips():
    clips = np.sin(np.linspace(0, 20, 2 * 800)).reshape(2, 800).astype(np.float32) * 0.5
    with tf.Graph().as_default():
        summary = _run(tf.audio_summary("tone", tf.constant(clips), sample_rate=8000))
    assert [v.tag for v in summary.value] == ["tone/audio/0", "tone/audio/1"]
    audio = summary.value[1].audio
    assert audio.sample_rate == 8000 and audio.length_frames == 800 and audio.num_channels == 1
    with wave.open(io.BytesIO(audio.encoded_audio_string)) as wav:
        frames = np.frombuffer(wav.readframes(800), "<i2") / 32767.0
    np.testing.assert_allclose(frames, clips[1], atol=1e-4)


def test_merge_all_summaries_collects_the_summaries_collection():
    with tf.Graph().as_default():
        assert tf.merge_all_summaries() is None
        tf.scalar_summary("a", tf.constant(1.0))
        tf.histogram_summary("h", tf.constant([1.0, 2.0]))
        tf.scalar_summary("hidden", tf.constant(3.0), collections=["other"])
        merged = tf.merge_all_summaries()
        summary = _run(merged)
        assert [v.tag for v in summary.value] == ["a", "h"]
        assert len(tf.get_collection(tf.GraphKeys.SUMMARIES)) == 2  # merge adds nothing


def test_merge_summary_duplicate_tag_is_an_error():
    with tf.Graph().as_default():
        out = tf.merge_summary([tf.scalar_summary("x", tf.constant(1.0)),
                                tf.scalar_summary("x", tf.constant(2.0))])
        with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                                 match="Duplicate tag x"):
            sess.run(out)


def test_summary_ops_have_no_gradient_and_scoped_names():
    with tf.Graph().as_default(), tf.name_scope("train"):
        out = tf.scalar_summary("loss", tf.constant(1.0))
        assert out.op.name == "train/ScalarSummary"
        assert out.op.type == "ScalarSummary"
