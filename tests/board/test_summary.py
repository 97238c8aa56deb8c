"""board.summary: Summary protos from numpy values."""

from __future__ import annotations

import io
import itertools
import math
import sys
import wave

import numpy as np
import pytest
from board import summary
from board.proto import types_pb2
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

DBL_MAX = sys.float_info.max


def test_scalar_sets_simple_value():
    s = summary.scalar("loss", np.float32(0.25))
    assert len(s.value) == 1
    assert s.value[0].tag == "loss"
    assert s.value[0].WhichOneof("value") == "simple_value"
    assert s.value[0].simple_value == 0.25


def test_scalar_rejects_a_non_number():
    with pytest.raises(TypeError, match="'loss'"):
        summary.scalar("loss", "high")


# -- histograms ------------------------------------------------------------------------------

def test_default_bucket_limits_are_tensorflows_series():
    limits = summary.default_bucket_limits()
    middle = len(limits) // 2
    assert limits[middle] == 0.0
    assert limits[0] == -DBL_MAX and limits[-1] == DBL_MAX
    positive = limits[middle + 1:-1]
    assert positive[0] == 1e-12
    assert positive[-1] < 1e20 <= positive[-1] * 1.1
    # Each limit is the previous one times 1.1, in double arithmetic.
    assert all(b == a * 1.1 for a, b in itertools.pairwise(positive))
    assert np.array_equal(limits[:middle], -limits[::-1][:middle])
    assert len(positive) == math.ceil(math.log(1e20 / 1e-12, 1.1))


def test_histogram_statistics():
    values = np.array([[1.0, -2.0], [3.5, 0.0]])
    h = summary.histogram_proto(values)
    assert (h.min, h.max, h.num) == (-2.0, 3.5, 4.0)
    assert h.sum == pytest.approx(2.5)
    assert h.sum_squares == pytest.approx(1 + 4 + 12.25)


def test_empty_histogram_is_one_empty_bucket():
    h = summary.histogram_proto([])
    assert h.num == 0
    assert list(h.bucket_limit) == [DBL_MAX]
    assert list(h.bucket) == [0.0]


def test_histogram_rejects_nan():
    with pytest.raises(ValueError, match="finite"):
        summary.histogram_proto([1.0, float("nan")])


def test_custom_bucket_limits():
    h = summary.histogram_proto([0.5, 1.5, 1.7, 9.0], bucket_limits=[1.0, 2.0, 10.0])
    assert list(h.bucket_limit) == [1.0, 2.0, 10.0]
    assert list(h.bucket) == [1.0, 2.0, 1.0]
    with pytest.raises(ValueError, match="increasing"):
        summary.histogram_proto([1.0], bucket_limits=[2.0, 1.0])


@settings(max_examples=80, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 200),
                  elements=st.floats(-1e6, 1e6, allow_nan=False)))
def test_histogram_buckets_hold_each_value_in_its_half_open_range(values):
    h = summary.histogram_proto(values)
    limits, counts = np.array(h.bucket_limit), np.array(h.bucket)
    assert counts.sum() == len(values) == h.num
    # Every kept limit is a default limit, and no two empty buckets sit side by side.
    assert np.isin(limits, summary.default_bucket_limits()).all()
    assert not np.any((counts[1:] == 0) & (counts[:-1] == 0))
    # Count by hand over the kept edges: bucket i covers [limit[i-1], limit[i]).
    lower = np.concatenate([[-np.inf], limits[:-1]])
    by_hand = [np.sum((values >= lo) & (values < hi)) for lo, hi in zip(lower, limits,
                                                                        strict=True)]
    assert by_hand == counts.tolist()


def test_histogram_summary_wraps_the_proto():
    s = summary.histogram("weights", [1.0, 2.0])
    assert s.value[0].tag == "weights"
    assert s.value[0].histo == summary.histogram_proto([1.0, 2.0])


# -- images ----------------------------------------------------------------------------------

@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_png_decodes_to_the_same_pixels(channels):
    pixels = np.random.default_rng(channels).integers(0, 256, (13, 17, channels), np.uint8)
    decoded = np.asarray(Image.open(io.BytesIO(summary.encode_png(pixels))))
    assert decoded.reshape(pixels.shape).tolist() == pixels.tolist()


def test_png_from_floats_scales_to_0_255():
    pixels = np.array([[[0.0], [0.5]], [[1.0], [2.0]]])
    decoded = np.asarray(Image.open(io.BytesIO(summary.encode_png(pixels))))
    assert decoded.tolist() == [[0, 128], [255, 255]]


def test_png_of_a_2d_array_is_grayscale():
    pixels = np.arange(12, dtype=np.uint8).reshape(3, 4)
    img = Image.open(io.BytesIO(summary.encode_png(pixels)))
    assert img.mode == "L"
    assert np.asarray(img).tolist() == pixels.tolist()


@pytest.mark.parametrize("shape", [(4, 4, 5), (4,), (0, 3, 3), (2, 2, 2, 3)])
def test_image_with_a_bad_shape_names_the_tag_and_shape(shape):
    with pytest.raises(ValueError, match=r"'pic'.*shape"):
        summary.image("pic", np.zeros(shape))


def test_image_summary_fields():
    pixels = np.zeros((5, 7, 3), np.uint8)
    v = summary.image("pic", pixels).value[0]
    assert (v.tag, v.image.height, v.image.width, v.image.colorspace) == ("pic", 5, 7, 3)
    assert v.image.encoded_image_string.startswith(b"\x89PNG\r\n\x1a\n")


# -- audio -----------------------------------------------------------------------------------

def test_wav_parses_with_the_wave_module():
    t = np.arange(800) / 8000.0
    stereo = np.stack([np.sin(2 * np.pi * 440 * t), 0.5 * np.ones_like(t)], axis=1)
    data = summary.encode_wav(stereo, 8000)
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (
            2, 2, 8000, 800)
        frames = np.frombuffer(w.readframes(800), "<i2").reshape(800, 2)
    assert frames.tolist() == np.rint(stereo * 32767).astype(np.int16).tolist()


def test_wav_clips_out_of_range_samples():
    data = summary.encode_wav(np.array([2.0, -3.0, 0.0]), 100)
    with wave.open(io.BytesIO(data)) as w:
        assert np.frombuffer(w.readframes(3), "<i2").tolist() == [32767, -32767, 0]


def test_audio_summary_fields():
    v = summary.audio("voice", np.zeros(300), 16000).value[0]
    assert v.audio.sample_rate == 16000
    assert (v.audio.num_channels, v.audio.length_frames) == (1, 300)
    assert v.audio.content_type == "audio/wav"
    assert v.audio.encoded_audio_string[:4] == b"RIFF"


def test_audio_rejects_bad_input():
    with pytest.raises(ValueError, match="sample_rate"):
        summary.encode_wav(np.zeros(3), 0)
    with pytest.raises(ValueError, match="'voice'"):
        summary.audio("voice", np.zeros((2, 2, 2)), 100)


# -- text ------------------------------------------------------------------------------------

def test_text_is_a_string_tensor_for_the_text_plugin():
    v = summary.text("notes", [["a", "b"], ["c", "ü"]]).value[0]
    assert v.metadata.plugin_data.plugin_name == "text"
    assert v.tensor.dtype == types_pb2.DT_STRING
    assert [d.size for d in v.tensor.tensor_shape.dim] == [2, 2]
    assert list(v.tensor.string_val) == [b"a", b"b", b"c", "ü".encode()]


def test_text_of_one_string_is_a_scalar_tensor():
    v = summary.text("note", "hello").value[0]
    assert list(v.tensor.tensor_shape.dim) == []
    assert list(v.tensor.string_val) == [b"hello"]
