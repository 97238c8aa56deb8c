"""tf.python_io: write and read TFRecord files outside a graph.

The framing (length, masked CRC32C, payload, masked CRC32C) is board.records', the same code
that writes and reads event files, so these files are byte-compatible with TensorFlow's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Self

from board import records

from scopeflow import errors

__all__ = ["TFRecordWriter", "tf_record_iterator"]


def _as_bytes(record) -> bytes:
    if isinstance(record, str):
        return record.encode("utf-8")
    return bytes(record)


class TFRecordWriter:
    """Writes records to a new TFRecord file at `path` (replacing any file there)."""

    def __init__(self, path, options=None):
        if options is not None:
            raise errors.UnimplementedError(
                None, None, "TFRecordWriter options (compression) are not supported")
        try:
            self._writer = records.TFRecordWriter(path)
        except OSError as e:
            raise errors.NotFoundError(None, None, f"{path}: {e.strerror}") from e

    def write(self, record) -> None:
        """Appends one record (bytes; a str is written as UTF-8)."""
        self._writer.write(_as_bytes(record))

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def tf_record_iterator(path, options=None) -> Iterator[bytes]:
    """Each record of the TFRecord file at `path`, in order.

    A missing file raises IOError, as TensorFlow 0.6 did; a corrupt or truncated record
    raises DataLossError naming the file and byte offset, as later versions do.
    """
    if options is not None:
        raise errors.UnimplementedError(
            None, None, "tf_record_iterator options (compression) are not supported")
    try:
        with open(path, "rb"):
            pass
    except OSError as e:
        raise OSError(f"Could not open {path}.") from e
    try:
        yield from records.read_records(path)
    except records.RecordError as e:
        raise errors.DataLossError(None, None, str(e)) from e
