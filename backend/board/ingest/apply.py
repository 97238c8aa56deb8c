"""Apply one parsed Event to a run's data: the full (slow) path for anything that is not a
plain scalar, including TensorFlow 2 style tensor summaries tagged by plugin name."""

from __future__ import annotations

import logging

import numpy as np

from board.proto import event_pb2, summary_pb2, tensor_pb2, types_pb2
from board.store.run_data import HistogramPoint, ImagePoint, RunData, TagInfo, TextPoint

logger = logging.getLogger(__name__)

_NUMPY = {
    types_pb2.DT_FLOAT: (np.float32, "float_val"),
    types_pb2.DT_DOUBLE: (np.float64, "double_val"),
    types_pb2.DT_INT32: (np.int32, "int_val"),
    types_pb2.DT_INT64: (np.int64, "int64_val"),
    types_pb2.DT_HALF: (np.float16, "half_val"),
    types_pb2.DT_BOOL: (np.bool_, "bool_val"),
}


def apply_event(run: RunData, event: event_pb2.Event) -> None:
    run.note_wall_time(event.wall_time)
    what = event.WhichOneof("what")
    if what == "summary":
        for value in event.summary.value:
            _apply_value(run, event, value)
    elif what == "session_log":
        if event.session_log.status == event_pb2.SessionLog.START:
            run.purge_from_step(event.step)
    elif what == "graph_def":
        run.graph_def = event.graph_def
    elif what == "tagged_run_metadata":
        run.run_metadata[event.tagged_run_metadata.tag] = event.tagged_run_metadata.run_metadata


def _apply_value(run: RunData, event, value: summary_pb2.Summary.Value) -> None:
    kind = value.WhichOneof("value")
    plugin = value.metadata.plugin_data.plugin_name if value.HasField("metadata") else ""
    wall, step, tag = event.wall_time, event.step, value.tag
    if kind == "simple_value":
        _add_scalar(run, value, wall, step, np.float32(value.simple_value))
    elif kind == "histo":
        run.append_point("histograms", tag, _histogram(wall, step, value.histo))
    elif kind == "image":
        image = value.image
        run.append_point("images", tag, ImagePoint(wall, step, image.width, image.height,
                                                   image.encoded_image_string))
    elif kind == "tensor":
        _apply_tensor(run, value, plugin, wall, step)


def _apply_tensor(run: RunData, value, plugin: str, wall: float, step: int) -> None:
    tag = value.tag
    try:
        array = tensor_to_numpy(value.tensor)
    except ValueError as err:
        logger.warning("skipping tensor summary %r at step %d: %s", tag, step, err)
        return
    if plugin == "scalars" and array.size == 1 and array.dtype.kind in "fiub":
        dtype = np.float64 if array.dtype == np.float64 else np.float32
        _add_scalar(run, value, wall, step, array.reshape(()).astype(dtype))
    elif plugin == "histograms" and array.ndim == 2 and array.shape[1] == 3:
        run.append_point("histograms", tag, _histogram_from_tensor(wall, step, array))
    elif plugin == "images" and array.dtype == object and array.size >= 3:
        flat = array.ravel()
        width, height = _int_or_zero(flat[0]), _int_or_zero(flat[1])
        # TensorBoard's image tensors hold [width, height, image, image, ...]; we keep the
        # first sample per step, as its dashboard shows by default.
        run.append_point("images", tag, ImagePoint(wall, step, width, height, bytes(flat[2])))
    elif plugin == "text" and array.dtype == object:
        strings = tuple(s.decode("utf-8", "replace") for s in array.ravel())
        run.append_point("text", tag, TextPoint(wall, step, strings, tuple(array.shape)))


def _add_scalar(run: RunData, value, wall: float, step: int, number) -> None:
    series = run.series(value.tag, number.dtype)
    series.append(step, wall, number)
    key = ("scalars", value.tag)
    if key not in run.tag_info and value.HasField("metadata"):
        run.tag_info[key] = TagInfo(value.metadata.display_name,
                                    value.metadata.summary_description)


def _histogram(wall: float, step: int, h: summary_pb2.HistogramProto) -> HistogramPoint:
    return HistogramPoint(wall, step, h.min, h.max, h.num, h.sum, h.sum_squares,
                          np.array(h.bucket_limit, np.float64), np.array(h.bucket, np.float64))


def _histogram_from_tensor(wall: float, step: int, t: np.ndarray) -> HistogramPoint:
    """TensorFlow 2 histograms are k x 3 tensors of (left edge, right edge, count)."""
    t = t.astype(np.float64)
    left, right, counts = t[:, 0], t[:, 1], t[:, 2]
    centers = (left + right) / 2
    num = float(counts.sum())
    lo = float(left[0]) if len(t) else 0.0
    hi = float(right[-1]) if len(t) else 0.0
    return HistogramPoint(wall, step, lo, hi, num, float((centers * counts).sum()),
                          float((centers ** 2 * counts).sum()), right.copy(), counts.copy())


def _int_or_zero(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


def tensor_to_numpy(t: tensor_pb2.TensorProto) -> np.ndarray:
    """A TensorProto's value as a numpy array (numbers, bools and strings)."""
    shape = tuple(d.size for d in t.tensor_shape.dim)
    count = int(np.prod(shape)) if shape else 1
    if t.dtype == types_pb2.DT_STRING:
        values = np.empty(len(t.string_val), object)
        values[:] = list(t.string_val)
        return _fill(values, shape, count)
    if t.dtype not in _NUMPY:
        raise ValueError(f"unsupported tensor dtype {types_pb2.DataType.Name(t.dtype)}")
    dtype, field = _NUMPY[t.dtype]
    if t.tensor_content:
        values = np.frombuffer(t.tensor_content, dtype)
    elif field == "half_val":
        values = np.array(t.half_val, np.uint16).view(np.float16)
    else:
        values = np.array(getattr(t, field), dtype)
    return _fill(values, shape, count)


def _fill(values: np.ndarray, shape: tuple[int, ...], count: int) -> np.ndarray:
    if len(values) == count:
        return values.reshape(shape)
    if len(values) == 0 or len(values) > count:
        raise ValueError(f"{len(values)} values for shape {list(shape)}")
    # TensorFlow repeats the last value to fill a short list.
    filled = np.concatenate([values, np.repeat(values[-1:], count - len(values))])
    return filled.reshape(shape)
