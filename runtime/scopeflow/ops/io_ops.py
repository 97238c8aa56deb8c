"""Readers: TextLineReader, TFRecordReader, WholeFileReader, FixedLengthRecordReader,
IdentityReader, and the ops that use them (ReaderRead, ReaderNumRecordsProduced,
ReaderNumWorkUnitsCompleted, ReaderReset).

A reader op's output is a handle; the ops that use a reader take it (and ReaderRead the
queue of filenames) as ref inputs, so their kernels get op names. The reader's progress lives
in the session, `ctx.resources[<reader op name>]`, as a `ReaderState`: the current work item
(a filename dequeued from the queue), an iterator over its records, and the two counters.
When a work item runs out of records the next read dequeues another; when the queue is closed
and empty, the queue's OutOfRangeError ends the read.
"""

from __future__ import annotations

import glob
import os
import threading
from collections.abc import Callable, Iterator

import numpy as np
import torch
from board import records as board_records

from scopeflow import errors
from scopeflow.framework import dtypes, ops, tensor_shape
from scopeflow.framework.registry import NotDifferentiable, register_op
from scopeflow.ops import string_values as sv
from scopeflow.ops.queue_state import lookup_queue

__all__ = [
    "FixedLengthRecordReader", "IdentityReader", "ReaderBase", "TFRecordReader",
    "TextLineReader", "WholeFileReader", "matching_files",
]

# (key, value, at_end): at_end marks a record that also finishes its work item, as
# WholeFileReader's and IdentityReader's only record does; other readers find their end on
# the read after their last record, as TensorFlow's do.
Record = tuple[bytes, bytes, bool]


# -- record sources, one per reader type ------------------------------------------------
def _key(work: bytes, position: int) -> bytes:
    return b"%s:%d" % (work, position)


def _text_lines(op, work: bytes) -> Iterator[Record]:
    """Lines without their "\n" or "\r\n"; keys count lines from 1, skipped headers included."""
    skip = op.get_attr("skip_header_lines")
    with open(work, "rb") as f:
        for number, line in enumerate(f, 1):
            if number > skip:
                if line.endswith(b"\n"):
                    line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
                yield _key(work, number), line, False


def _tf_records(_op, work: bytes) -> Iterator[Record]:
    """Payloads of a TFRecord file, keyed by the byte offset where each record starts."""
    reader = board_records.RecordReader(os.fsdecode(work))
    while True:
        offsets: list[int] = []
        try:
            payloads = reader.read_new(offsets)
        except board_records.RecordCorruptError as e:
            raise errors.DataLossError(
                None, None, f"corrupted record at {e.offset} in {e.path}: {e.reason}") from None
        if not payloads:
            break
        for offset, payload in zip(offsets, payloads, strict=True):
            yield _key(work, offset), payload, False
    if reader.pending_bytes:
        raise errors.DataLossError(None, None,
                                   f"truncated record at {reader.offset} in {reader.name}")


def _whole_file(_op, work: bytes) -> Iterator[Record]:
    with open(work, "rb") as f:
        yield work, f.read(), True


def _fixed_length_records(op, work: bytes) -> Iterator[Record]:
    """Records of `record_bytes` after a header, up to a footer; a short tail is dropped."""
    header, footer = op.get_attr("header_bytes"), op.get_attr("footer_bytes")
    size = op.get_attr("record_bytes")
    with open(work, "rb") as f:
        limit = os.fstat(f.fileno()).st_size - footer
        f.seek(header)
        for number in range((limit - header) // size if limit > header else 0):
            yield _key(work, number), f.read(size), False


def _identity(_op, work: bytes) -> Iterator[Record]:
    yield work, work, True


_SOURCES: dict[str, Callable[..., Iterator[Record]]] = {
    "TextLineReader": _text_lines, "TFRecordReader": _tf_records,
    "WholeFileReader": _whole_file, "FixedLengthRecordReader": _fixed_length_records,
    "IdentityReader": _identity,
}


# -- session state -----------------------------------------------------------------------
class ReaderState:
    """One reader's progress in one session. Reads are serialized: a read that waits for the
    next work item holds the reader, as TensorFlow's ReaderBase does."""

    def __init__(self, op):
        self._op = op
        self._source = _SOURCES[op.type]
        self._lock = threading.Lock()
        self._records: Iterator[Record] | None = None
        self.records_produced = 0
        self.work_units_completed = 0

    def read(self, next_work: Callable[[], bytes]) -> tuple[bytes, bytes]:
        with self._lock:
            while True:
                if self._records is None:
                    work = next_work()
                    self._records = self._source(self._op, work)
                record = self._next_record()
                if record is None or record[2]:
                    self._records = None
                    self.work_units_completed += 1
                if record is not None:
                    self.records_produced += 1
                    return record[0], record[1]

    def _next_record(self) -> Record | None:
        try:
            return next(self._records, None)
        except FileNotFoundError as e:
            self._records = None
            raise errors.NotFoundError(None, None, f"{e.filename}; {e.strerror}") from None
        except OSError as e:
            self._records = None
            raise errors.UnavailableError(None, None, f"{e.filename}; {e.strerror}") from None

    def reset(self) -> None:
        with self._lock:
            self._records = None
            self.records_produced = 0
            self.work_units_completed = 0


def lookup_reader(ctx, name: str) -> ReaderState:
    """The session's state for reader op `name` (a ref input's value), made on first use."""
    return ctx.session_resource(
        name, lambda: ReaderState(ctx.op.graph.get_operation_by_name(name)))


# -- kernels ------------------------------------------------------------------------------
def _reader_kernel(ctx):
    lookup_reader(ctx, ctx.op.name)
    return np.array([b"", ctx.op.name.encode()], dtype=object)


def _read_kernel(ctx, reader_name, queue_name):
    def next_work() -> bytes:
        (work, *rest) = lookup_queue(ctx, queue_name).dequeue(ctx.blocking_timeout())
        flat = np.asarray(work, dtype=object).reshape(-1) if not rest else ()
        if len(flat) != 1 or not isinstance(flat[0], bytes):
            raise errors.InvalidArgumentError(
                None, None, "Expected to dequeue a one-element string tensor, but got "
                f"{len(rest) + 1} components")
        return flat[0]

    key, value = lookup_reader(ctx, reader_name).read(next_work)
    return sv.object_array([key], ()), sv.object_array([value], ())


def _counter_kernel(attribute: str):
    def kernel(ctx, reader_name):
        return torch.tensor(getattr(lookup_reader(ctx, reader_name), attribute),
                            dtype=torch.int64)

    return kernel


def _reset_kernel(ctx, reader_name):
    lookup_reader(ctx, reader_name).reset()


_HANDLE = [(dtypes.string._as_ref, tensor_shape.vector(2))]
_SCALAR = tensor_shape.scalar()
for _type in _SOURCES:
    register_op(_type, infer=lambda _op: _HANDLE, kernel=_reader_kernel, stateful=True)
register_op("ReaderRead", infer=lambda _op: [(dtypes.string, _SCALAR)] * 2,
            kernel=_read_kernel, stateful=True, ref_inputs=(0, 1))
register_op("ReaderNumRecordsProduced", infer=lambda _op: [(dtypes.int64, _SCALAR)],
            kernel=_counter_kernel("records_produced"), stateful=True, ref_inputs=(0,))
register_op("ReaderNumWorkUnitsCompleted", infer=lambda _op: [(dtypes.int64, _SCALAR)],
            kernel=_counter_kernel("work_units_completed"), stateful=True, ref_inputs=(0,))
register_op("ReaderReset", infer=lambda _op: [], kernel=_reset_kernel, stateful=True,
            ref_inputs=(0,))


def _matching_files_kernel(_ctx, pattern):
    pattern = np.asarray(pattern, dtype=object)
    if pattern.shape != ():
        raise errors.InvalidArgumentError(
            None, None, f"Input pattern tensor must be scalar, but had shape: {pattern.shape}")
    # Sorted: glob's order follows the directory listing, which differs between machines.
    names = sorted(glob.glob(os.fsdecode(pattern[()])))
    out = np.empty(len(names), dtype=object)
    out[:] = [os.fsencode(n) for n in names]
    return out


def _matching_files_infer(op):
    pattern = op.inputs[0].get_shape()
    if pattern.ndims not in (None, 0):
        raise ValueError(f"Shape must be rank 0 but is rank {pattern.ndims} for 'MatchingFiles'")
    return [(dtypes.string, tensor_shape.vector(None))]


register_op("MatchingFiles", infer=_matching_files_infer, kernel=_matching_files_kernel,
            stateful=True)  # the files on disk change between runs: never constant-folded
for _type in [*_SOURCES, "ReaderRead", "ReaderNumRecordsProduced",
              "ReaderNumWorkUnitsCompleted", "ReaderReset", "MatchingFiles"]:
    NotDifferentiable(_type)


# -- Python API ---------------------------------------------------------------------------
class ReaderBase:
    """Reads (key, value) records from the work items (filenames) of a queue."""

    def __init__(self, reader_ref, supports_serialize=False):
        self._reader_ref = reader_ref
        self._supports_serialize = supports_serialize

    @property
    def reader_ref(self) -> ops.Tensor:
        return self._reader_ref

    @property
    def supports_serialize(self) -> bool:
        return self._supports_serialize

    def _apply(self, op_type, inputs, name):
        return ops.apply_op(op_type, inputs, {}, name=name)

    def read(self, queue, name=None):
        """(key, value) of the next record; dequeues a filename when the current one ends."""
        queue_ref = getattr(queue, "queue_ref", queue)
        key, value = self._apply("ReaderRead", [self._reader_ref, queue_ref], name).outputs
        return key, value

    def num_records_produced(self, name=None) -> ops.Tensor:
        return self._apply("ReaderNumRecordsProduced", [self._reader_ref], name).outputs[0]

    def num_work_units_completed(self, name=None) -> ops.Tensor:
        return self._apply("ReaderNumWorkUnitsCompleted", [self._reader_ref], name).outputs[0]

    def reset(self, name=None) -> ops.Operation:
        """Back to the state of a new reader: no work item, counters at zero."""
        return self._apply("ReaderReset", [self._reader_ref], name)


def matching_files(pattern, name=None) -> ops.Tensor:
    """The names of the files matching the glob `pattern` (a scalar string), sorted."""
    return ops.apply_op("MatchingFiles", [ops.convert_to_tensor(pattern, dtypes.string)], {},
                        name=name or "MatchingFiles").outputs[0]


def _reader_op(op_type, name, **attrs) -> ops.Tensor:
    attrs.update(container="", shared_name="")
    return ops.apply_op(op_type, [], attrs, name=name or op_type).outputs[0]


class TextLineReader(ReaderBase):
    """Each line of a file, without its newline; key `filename:line_number`."""

    def __init__(self, skip_header_lines=None, name=None):
        super().__init__(_reader_op("TextLineReader", name,
                                    skip_header_lines=int(skip_header_lines or 0)))


class TFRecordReader(ReaderBase):
    """Each record of a TFRecord file; key `filename:byte_offset`."""

    def __init__(self, name=None):
        super().__init__(_reader_op("TFRecordReader", name))


class WholeFileReader(ReaderBase):
    """A whole file as one record; key `filename`."""

    def __init__(self, name=None):
        super().__init__(_reader_op("WholeFileReader", name))


class FixedLengthRecordReader(ReaderBase):
    """Records of `record_bytes` between a header and a footer; key `filename:index`."""

    def __init__(self, record_bytes, header_bytes=None, footer_bytes=None, name=None):
        if int(record_bytes) <= 0:
            raise ValueError(f"record_bytes must be positive, got {record_bytes}")
        super().__init__(_reader_op(
            "FixedLengthRecordReader", name, record_bytes=int(record_bytes),
            header_bytes=int(header_bytes or 0), footer_bytes=int(footer_bytes or 0)))


class IdentityReader(ReaderBase):
    """Each work item itself as both key and value."""

    def __init__(self, name=None):
        super().__init__(_reader_op("IdentityReader", name))
