"""Summary ops: each evaluates to a serialized `Summary` proto (a string scalar).

scalar_summary, histogram_summary, image_summary, audio_summary and merge_summary, as in
TensorFlow 0.6; each adds its output to the SUMMARIES collection so merge_all_summaries finds
it. The protos are built by board.summary, the same code the board's tests check against
TensorBoard.
"""

from __future__ import annotations

import numpy as np
from board import summary as board_summary
from board.proto import summary_pb2

from scopeflow import errors
from scopeflow.framework import dtypes, ops, tensor_shape
from scopeflow.framework.registry import NotDifferentiable, register_op

__all__ = [
    "audio_summary", "histogram_summary", "image_summary", "merge_all_summaries",
    "merge_summary", "scalar_summary",
]


def _string_scalar(summary: summary_pb2.Summary) -> np.ndarray:
    out = np.empty((), dtype=object)
    out[()] = summary.SerializeToString()
    return out


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _summary_infer(_op):
    return [(dtypes.string, tensor_shape.scalar())]


def _numpy(value) -> np.ndarray:
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


def _scalar_kernel(ctx, tags, values):
    tags, values = np.asarray(tags, dtype=object), _numpy(values)
    if tags.shape != values.shape:
        raise errors.InvalidArgumentError(
            None, None, f"tags and values not the same shape: {list(tags.shape)} != "
            f"{list(values.shape)} (tag '{_text(tags.ravel()[0]) if tags.size else ''}')"
        )
    summary = summary_pb2.Summary()
    for tag, value in zip(tags.ravel(), values.ravel(), strict=True):
        summary.value.add(tag=_text(tag), simple_value=float(value))
    return _string_scalar(summary)


def _histogram_kernel(ctx, tag, values):
    values = _numpy(values).astype(np.float64).ravel()
    tag = _text(np.asarray(tag, dtype=object).item())
    if not np.all(np.isfinite(values)):
        raise errors.InvalidArgumentError(None, None, f"Nan in summary histogram for: {tag}")
    return _string_scalar(board_summary.histogram(tag, values))


def _to_uint8_images(images: np.ndarray) -> np.ndarray:
    """TensorFlow's rule: non-negative floats scale so the largest is 255; otherwise 0.0
    maps to 127 and the values scale so the smallest is 0 or the largest 255."""
    if images.dtype == np.uint8:
        return images
    images = images.astype(np.float64)
    out = np.empty(images.shape, np.uint8)
    for i, image in enumerate(images):
        finite = image[np.isfinite(image)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
        if lo >= 0:
            scale, offset = (255.0 / hi if hi > 0 else 0.0), 0.0
        else:
            scale, offset = 127.0 / max(-lo, hi), 128.0
        scaled = np.where(np.isfinite(image), image * scale + offset, 0.0)
        out[i] = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return out


def _numbered_tags(tag: str, kind: str, count: int, max_outputs: int) -> list[str]:
    if max_outputs == 1:
        return [f"{tag}/{kind}"][:count]
    return [f"{tag}/{kind}/{i}" for i in range(count)]


def _image_kernel(ctx, tag, tensor):
    images = _numpy(tensor)
    tag = _text(np.asarray(tag, dtype=object).item())
    max_images = ctx.attrs["max_images"]
    if images.ndim != 4 or images.shape[3] not in (1, 3, 4):
        raise errors.InvalidArgumentError(
            None, None, f"Tensor must be 4-D with last dim 1, 3, or 4, not {list(images.shape)}"
        )
    images = _to_uint8_images(images[:max_images])
    summary = summary_pb2.Summary()
    for name, image in zip(_numbered_tags(tag, "image", len(images), max_images), images,
                           strict=True):
        summary.value.extend(board_summary.image(name, image).value)
    return _string_scalar(summary)


def _audio_kernel(ctx, tag, tensor):
    clips = _numpy(tensor).astype(np.float32)
    tag = _text(np.asarray(tag, dtype=object).item())
    max_outputs = ctx.attrs["max_outputs"]
    if clips.ndim not in (2, 3):
        raise errors.InvalidArgumentError(
            None, None, f"Tensor must be 3-D or 2-D, got: {list(clips.shape)}"
        )
    clips = clips[:max_outputs]
    summary = summary_pb2.Summary()
    for name, clip in zip(_numbered_tags(tag, "audio", len(clips), max_outputs), clips,
                          strict=True):
        summary.value.extend(board_summary.audio(name, clip, ctx.attrs["sample_rate"]).value)
    return _string_scalar(summary)


def _merge_kernel(ctx, *inputs):
    merged, seen = summary_pb2.Summary(), set()
    for serialized in inputs:
        for data in np.asarray(serialized, dtype=object).ravel():
            part = summary_pb2.Summary()
            try:
                part.ParseFromString(bytes(data))
            except Exception:  # noqa: BLE001 - protobuf raises its own DecodeError variants
                raise errors.InvalidArgumentError(
                    None, None, "Could not parse one of the summary inputs"
                ) from None
            for value in part.value:
                if value.tag in seen:
                    raise errors.InvalidArgumentError(None, None, f"Duplicate tag {value.tag} "
                                                      "found in summary inputs")
                seen.add(value.tag)
                merged.value.add().CopyFrom(value)
    return _string_scalar(merged)


_KERNELS = {
    "ScalarSummary": _scalar_kernel, "HistogramSummary": _histogram_kernel,
    "ImageSummary": _image_kernel, "AudioSummary": _audio_kernel,
    "MergeSummary": _merge_kernel,
}
for _type, _kernel in _KERNELS.items():
    register_op(_type, infer=_summary_infer, kernel=_kernel)
    NotDifferentiable(_type)


def _collect(tensor, collections):
    for key in [ops.GraphKeys.SUMMARIES] if collections is None else collections:
        tensor.graph.add_to_collection(key, tensor)
    return tensor


def _tag_tensor(tag):
    return ops.convert_to_tensor(tag, dtype=dtypes.string)


def scalar_summary(tags, values, collections=None, name=None):
    """One `simple_value` per element of `tags` / `values` (same shape)."""
    with ops.op_scope([tags, values], name, "ScalarSummary") as scope:
        inputs = [_tag_tensor(tags), ops.convert_to_tensor(values)]
        out = ops.apply_op("ScalarSummary", inputs, name=scope).outputs[0]
    return _collect(out, collections)


def histogram_summary(tag, values, collections=None, name=None):
    """A histogram of all of `values` under `tag` (an InvalidArgument error on NaN/Inf)."""
    with ops.op_scope([tag, values], name, "HistogramSummary") as scope:
        inputs = [_tag_tensor(tag), ops.convert_to_tensor(values)]
        out = ops.apply_op("HistogramSummary", inputs, name=scope).outputs[0]
    return _collect(out, collections)


def image_summary(tag, tensor, max_images=3, collections=None, name=None):
    """PNG images from a [batch, height, width, channels] tensor, tagged `tag/image/<i>`
    (just `tag/image` when max_images is 1)."""
    with ops.op_scope([tag, tensor], name, "ImageSummary") as scope:
        inputs = [_tag_tensor(tag), ops.convert_to_tensor(tensor)]
        attrs = {"max_images": int(max_images)}
        out = ops.apply_op("ImageSummary", inputs, attrs, name=scope).outputs[0]
    return _collect(out, collections)


def audio_summary(tag, tensor, sample_rate, max_outputs=3, collections=None, name=None):
    """WAV clips from a [batch, frames(, channels)] float tensor in [-1, 1]."""
    with ops.op_scope([tag, tensor], name, "AudioSummary") as scope:
        inputs = [_tag_tensor(tag), ops.convert_to_tensor(tensor)]
        attrs = {"sample_rate": float(sample_rate), "max_outputs": int(max_outputs)}
        out = ops.apply_op("AudioSummary", inputs, attrs, name=scope).outputs[0]
    return _collect(out, collections)


def merge_summary(inputs, collections=None, name=None):
    """One Summary holding the values of all `inputs`; duplicate tags are an error."""
    with ops.op_scope(list(inputs), name, "MergeSummary") as scope:
        tensors = [ops.convert_to_tensor(x, dtype=dtypes.string) for x in inputs]
        out = ops.apply_op("MergeSummary", tensors, name=scope).outputs[0]
    return _collect(out, collections or [])


def merge_all_summaries(key=ops.GraphKeys.SUMMARIES):
    """merge_summary of every summary in collection `key`; None when there is none."""
    summaries = ops.get_collection(key)
    return merge_summary(summaries) if summaries else None
