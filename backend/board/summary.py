"""`Summary` protos from numpy and Python values, as TensorFlow's summary ops make them.

scalar (simple_value), histogram (TensorFlow's bucket layout), image (PNG), audio (16-bit PCM
WAV) and text (a string tensor for the text plugin). numpy only: no torch here.
"""

from __future__ import annotations

import functools
import struct
import sys
import zlib

import numpy as np

from board.proto import summary_pb2, tensor_pb2, types_pb2

__all__ = [
    "audio",
    "default_bucket_limits",
    "encode_png",
    "encode_wav",
    "histogram",
    "histogram_proto",
    "image",
    "scalar",
    "text",
]

_DBL_MAX = sys.float_info.max
_PNG_COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type


def scalar(tag: str, value: float) -> summary_pb2.Summary:
    """A summary with one `simple_value`."""
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"scalar summary {tag!r}: value must be a real number, "
                        f"got {value!r}") from exc
    return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])


@functools.cache
def _default_limits() -> np.ndarray:
    # Limits grow by 10% from 1e-12 to 1e20, mirrored for negatives, with 0 in the middle
    # and +-DBL_MAX at the ends: TensorFlow's default histogram buckets.
    positive = []
    v = 1.0e-12
    while v < 1.0e20:
        positive.append(v)
        v *= 1.1
    positive.append(_DBL_MAX)
    limits = np.array([-x for x in reversed(positive)] + [0.0] + positive, dtype=np.float64)
    limits.setflags(write=False)
    return limits


def default_bucket_limits() -> np.ndarray:
    """TensorFlow's default histogram bucket limits (read-only float64 array)."""
    return _default_limits()


def histogram_proto(values, bucket_limits=None) -> summary_pb2.HistogramProto:
    """A HistogramProto of `values`, bucketed as TensorFlow does.

    Bucket i counts values v with limit[i-1] <= v < limit[i]; runs of empty buckets are
    merged into one entry (ending at the run's last limit), as TensorFlow encodes them.
    """
    limits = _check_limits(bucket_limits)
    flat = np.asarray(values, dtype=np.float64).ravel()
    if flat.size and not np.all(np.isfinite(flat)):
        raise ValueError(f"histogram values must be finite; got {flat[~np.isfinite(flat)][:3]}")
    index = np.minimum(np.searchsorted(limits, flat, side="right"), len(limits) - 1)
    counts = np.bincount(index, minlength=len(limits)).astype(np.float64)
    nonzero = counts > 0
    ends_run = np.append(nonzero[1:], True)
    keep = nonzero | ends_run
    empty = flat.size == 0
    return summary_pb2.HistogramProto(
        min=float(limits[-1]) if empty else float(flat.min()),
        max=-_DBL_MAX if empty else float(flat.max()),
        num=float(flat.size),
        sum=float(flat.sum()),
        sum_squares=float(flat.dot(flat)),
        bucket_limit=limits[keep].tolist(),
        bucket=counts[keep].tolist(),
    )


def _check_limits(bucket_limits) -> np.ndarray:
    if bucket_limits is None:
        return _default_limits()
    limits = np.asarray(bucket_limits, dtype=np.float64).ravel()
    if limits.size == 0 or np.any(np.diff(limits) <= 0):
        raise ValueError("bucket_limits must be a non-empty, strictly increasing sequence")
    return limits


def histogram(tag: str, values, bucket_limits=None) -> summary_pb2.Summary:
    """A summary with one histogram (see `histogram_proto`)."""
    histo = histogram_proto(values, bucket_limits)
    return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, histo=histo)])


def _to_uint8_image(array, what: str) -> np.ndarray:
    a = np.asarray(array)
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3 or a.shape[2] not in _PNG_COLOR_TYPES or 0 in a.shape:
        raise ValueError(f"{what}: expected an HxWxC image with C in 1..4 and H, W > 0, "
                         f"got shape {a.shape}")
    if a.dtype == np.uint8:
        return a
    if np.issubdtype(a.dtype, np.floating):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{what}: image values must be finite")
        return np.clip(np.rint(a * 255.0), 0, 255).astype(np.uint8)
    if np.issubdtype(a.dtype, np.integer) or a.dtype == np.bool_:
        return np.clip(a, 0, 255).astype(np.uint8)
    raise ValueError(f"{what}: unsupported image dtype {a.dtype}")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode_png(array, compress_level: int = 6) -> bytes:
    """PNG bytes of an HxWxC image (C = 1, 2, 3 or 4; uint8, or float in [0, 1])."""
    pixels = _to_uint8_image(array, "encode_png")
    height, width, channels = pixels.shape
    rows = pixels.reshape(height, width * channels)
    # Filter type 2 ("Up"): each row minus the row above, which compresses photos and
    # gradients far better than raw rows and costs one vectorised subtraction.
    filtered = np.empty((height, 1 + width * channels), dtype=np.uint8)
    filtered[:, 0] = 2
    filtered[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])
    header = struct.pack(">IIBBBBB", width, height, 8, _PNG_COLOR_TYPES[channels], 0, 0, 0)
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        _png_chunk(b"IHDR", header),
        _png_chunk(b"IDAT", zlib.compress(filtered.tobytes(), compress_level)),
        _png_chunk(b"IEND", b""),
    ))


def image(tag: str, array) -> summary_pb2.Summary:
    """A summary with one PNG image from an HxWxC array (see `encode_png`)."""
    pixels = _to_uint8_image(array, f"image summary {tag!r}")
    height, width, channels = pixels.shape
    img = summary_pb2.Summary.Image(height=height, width=width, colorspace=channels,
                                    encoded_image_string=encode_png(pixels))
    return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, image=img)])


def _to_pcm16(samples, what: str) -> np.ndarray:
    a = np.asarray(samples)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[1] == 0:
        raise ValueError(f"{what}: expected samples shaped (frames,) or (frames, channels), "
                         f"got {a.shape}")
    if a.dtype == np.int16:
        return a
    if not np.issubdtype(a.dtype, np.floating):
        raise ValueError(f"{what}: samples must be float in [-1, 1] or int16, not {a.dtype}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{what}: samples must be finite")
    scaled = np.clip(a, -1.0, 1.0) * 32767.0
    # Halves round away from zero, as TensorFlow's WAV encoder (std::round) does.
    return (np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)).astype(np.int16)


def encode_wav(samples, sample_rate: int) -> bytes:
    """16-bit PCM WAV bytes of float samples in [-1, 1] (or int16), (frames[, channels])."""
    pcm = _to_pcm16(samples, "encode_wav")
    rate = int(sample_rate)
    if rate <= 0:
        raise ValueError(f"encode_wav: sample_rate must be positive, got {sample_rate}")
    channels = pcm.shape[1]
    data = pcm.astype("<i2").tobytes()
    block = channels * 2
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, 16)
    return b"".join((
        b"RIFF", struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)), b"WAVE",
        b"fmt ", struct.pack("<I", len(fmt)), fmt,
        b"data", struct.pack("<I", len(data)), data,
    ))


def audio(tag: str, samples, sample_rate: int) -> summary_pb2.Summary:
    """A summary with one WAV clip (see `encode_wav`)."""
    pcm = _to_pcm16(samples, f"audio summary {tag!r}")
    clip = summary_pb2.Summary.Audio(
        sample_rate=float(sample_rate), num_channels=pcm.shape[1], length_frames=pcm.shape[0],
        encoded_audio_string=encode_wav(pcm, sample_rate), content_type="audio/wav")
    return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, audio=clip)])


def text(tag: str, strings) -> summary_pb2.Summary:
    """A string-tensor summary tagged for TensorBoard's text plugin.

    `strings` is one string or an array-like of them (any shape).
    """
    a = np.asarray(strings, dtype=object)
    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING)
    for dim in a.shape:
        tensor.tensor_shape.dim.add(size=dim)
    tensor.string_val.extend(s.encode() if isinstance(s, str) else bytes(s) for s in a.ravel())
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text", content=b""))
    value = summary_pb2.Summary.Value(tag=tag, metadata=metadata, tensor=tensor)
    return summary_pb2.Summary(value=[value])
