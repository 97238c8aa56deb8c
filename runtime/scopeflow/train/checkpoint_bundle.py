"""TensorFlow's V2 tensor-bundle checkpoint format: `<prefix>.index` + `<prefix>.data-*`.

The `.index` file is a table (scopeflow.train.sstable) mapping the empty key to a
BundleHeaderProto and each tensor name to a BundleEntryProto (dtype, shape, shard, offset,
size, masked CRC32C of the tensor's bytes). The single data shard holds the tensors' raw
little-endian bytes; a string tensor is stored as varint64 lengths, the masked CRC32C of the
lengths (each taken as uint32 LE), then the string bytes.

Writes go to temporary files renamed into place, data shard first and index last, so a crash
mid-save leaves earlier checkpoints untouched.
"""

from __future__ import annotations

import os
import struct
import tempfile

import numpy as np
from board.proto import checkpoint_pb2, types_pb2

from scopeflow import errors
from scopeflow.train import crc, sstable

HEADER_KEY = b""
BUNDLE_VERSION = 1

_NUMPY_OF_ENUM = {
    types_pb2.DT_FLOAT: np.float32,
    types_pb2.DT_DOUBLE: np.float64,
    types_pb2.DT_HALF: np.float16,
    types_pb2.DT_INT8: np.int8,
    types_pb2.DT_INT16: np.int16,
    types_pb2.DT_INT32: np.int32,
    types_pb2.DT_INT64: np.int64,
    types_pb2.DT_UINT8: np.uint8,
    types_pb2.DT_UINT16: np.uint16,
    types_pb2.DT_UINT32: np.uint32,
    types_pb2.DT_UINT64: np.uint64,
    types_pb2.DT_BOOL: np.bool_,
    types_pb2.DT_COMPLEX64: np.complex64,
    types_pb2.DT_COMPLEX128: np.complex128,
}
_ENUM_OF_NUMPY = {np.dtype(v): k for k, v in _NUMPY_OF_ENUM.items()}


def data_filename(prefix: str, shard: int = 0, num_shards: int = 1) -> str:
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


def index_filename(prefix: str) -> str:
    return f"{prefix}.index"


def dtype_enum_of(array: np.ndarray) -> int:
    """The DataType enum for a numpy array; strings are object or bytes arrays."""
    if array.dtype.kind in "OSU":
        return types_pb2.DT_STRING
    try:
        return _ENUM_OF_NUMPY[array.dtype]
    except KeyError:
        raise TypeError(f"no checkpoint dtype for numpy dtype {array.dtype}") from None


def is_numeric(enum: int) -> bool:
    """Whether tensors of DataType `enum` read as numeric numpy arrays."""
    return enum in _NUMPY_OF_ENUM


def dtype_name(enum: int) -> str:
    return types_pb2.DataType.Name(enum).removeprefix("DT_").lower()


def _encode_strings(array: np.ndarray) -> tuple[bytes, int]:
    """Serialize a string tensor; return (bytes, unmasked crc32c over them as TF defines it)."""
    items = [s.encode() if isinstance(s, str) else bytes(s) for s in array.reshape(-1)]
    lengths = b"".join(sstable.put_varint(len(s)) for s in items)
    checksum = 0
    for s in items:
        fmt = "<I" if len(s) <= 0xFFFFFFFF else "<Q"
        checksum = crc.crc32c(struct.pack(fmt, len(s)), checksum)
    length_crc = struct.pack("<I", crc.mask(checksum))
    checksum = crc.crc32c(length_crc, checksum)
    body = b"".join(items)
    checksum = crc.crc32c(body, checksum)
    return lengths + length_crc + body, checksum


def _encode_tensor(array: np.ndarray) -> tuple[bytes, int, int]:
    enum = dtype_enum_of(array)
    if enum == types_pb2.DT_STRING:
        raw, checksum = _encode_strings(array)
        return raw, checksum, enum
    raw = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()
    return raw, crc.crc32c(raw), enum


def _write_temp(path: str, payload: bytes) -> str:
    """Write `payload` durably to a temporary file beside `path`; return its name."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def _replace_all(pairs: list[tuple[bytes, str]]) -> None:
    """Write every payload to a temporary file first, then rename them into place in order."""
    temps: list[tuple[str, str]] = []
    try:
        for payload, path in pairs:
            temps.append((_write_temp(path, payload), path))
        for tmp, path in temps:
            os.replace(tmp, path)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def write_bundle(prefix: str, tensors: dict[str, np.ndarray]) -> None:
    """Write `tensors` (name -> numpy array) as a one-shard bundle at `prefix`."""
    directory = os.path.dirname(prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    data = bytearray()
    entries = []
    for name in sorted(tensors):
        array = np.asarray(tensors[name])
        raw, checksum, enum = _encode_tensor(array)
        entry = checkpoint_pb2.BundleEntryProto(
            dtype=enum, offset=len(data), size=len(raw), crc32c=crc.mask(checksum)
        )
        for dim in array.shape:
            entry.shape.dim.add(size=dim)
        entries.append((name.encode(), entry.SerializeToString()))
        data += raw
    header = checkpoint_pb2.BundleHeaderProto(num_shards=1)
    header.version.producer = BUNDLE_VERSION
    entries.append((HEADER_KEY, header.SerializeToString()))
    index = sstable.build_table(entries)
    # Both files are complete on disk before either is renamed, and the index goes last: it is
    # what makes a checkpoint visible. A new prefix (the usual `model.ckpt-<step>`) is thus
    # all-or-nothing; overwriting a prefix leaves only the instant between two renames.
    _replace_all([(bytes(data), data_filename(prefix)), (index, index_filename(prefix))])


class BundleReader:
    """Reads a bundle; `entries` maps each tensor name to its BundleEntryProto."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        path = index_filename(prefix)
        try:
            with open(path, "rb") as f:
                table = f.read()
        except FileNotFoundError:
            raise errors.NotFoundError(
                None, None, f"Unsuccessful TensorSliceReader constructor: no checkpoint at "
                f"{prefix!r} (file {path} not found)"
            ) from None
        try:
            rows = sstable.read_table(table, path)
        except sstable.TableFormatError as exc:
            raise errors.DataLossError(None, None, str(exc)) from None
        self.header = checkpoint_pb2.BundleHeaderProto()
        self.entries: dict[str, checkpoint_pb2.BundleEntryProto] = {}
        for key, value in rows:
            if key == HEADER_KEY:
                self.header.ParseFromString(value)
                continue
            entry = checkpoint_pb2.BundleEntryProto()
            entry.ParseFromString(value)
            self.entries[key.decode()] = entry
        if self.header.endianness != checkpoint_pb2.BundleHeaderProto.LITTLE:
            raise errors.DataLossError(None, None, f"{path}: big-endian bundles are not supported")
        self._shards: dict[int, bytes] = {}

    def _shard(self, shard_id: int) -> bytes:
        if shard_id not in self._shards:
            path = data_filename(self.prefix, shard_id, max(self.header.num_shards, 1))
            try:
                with open(path, "rb") as f:
                    self._shards[shard_id] = f.read()
            except FileNotFoundError:
                raise errors.NotFoundError(
                    None, None, f"checkpoint data file {path} not found"
                ) from None
        return self._shards[shard_id]

    def shape_of(self, name: str) -> tuple[int, ...]:
        return tuple(d.size for d in self._entry(name).shape.dim)

    def dtype_of(self, name: str) -> int:
        return self._entry(name).dtype

    def _entry(self, name: str) -> checkpoint_pb2.BundleEntryProto:
        try:
            return self.entries[name]
        except KeyError:
            raise errors.NotFoundError(
                None, None, f"Key {name} not found in checkpoint {self.prefix}"
            ) from None

    def get_tensor(self, name: str) -> np.ndarray:
        """The tensor `name` as a numpy array (strings: object array of bytes)."""
        entry = self._entry(name)
        if entry.slices:
            raise errors.UnimplementedError(None, None, f"{name}: sliced tensors unsupported")
        data = self._shard(entry.shard_id)
        raw = data[entry.offset : entry.offset + entry.size]
        where = f"tensor {name!r} in {data_filename(self.prefix)} at offset {entry.offset}"
        if len(raw) != entry.size:
            raise errors.DataLossError(None, None, f"{where}: data file is truncated")
        shape = self.shape_of(name)
        if entry.dtype == types_pb2.DT_STRING:
            return self._decode_strings(raw, shape, entry, where)
        if crc.crc32c(raw) != crc.unmask(entry.crc32c):
            raise errors.DataLossError(None, None, f"{where}: checksum mismatch")
        try:
            dtype = np.dtype(_NUMPY_OF_ENUM[entry.dtype]).newbyteorder("<")
        except KeyError:
            raise errors.UnimplementedError(
                None, None, f"{where}: unsupported dtype {dtype_name(entry.dtype)}"
            ) from None
        array = np.frombuffer(raw, dtype=dtype)
        if array.size != int(np.prod(shape, dtype=np.int64)):
            raise errors.DataLossError(None, None, f"{where}: size does not match shape {shape}")
        return array.astype(dtype.newbyteorder("="), copy=True).reshape(shape)

    @staticmethod
    def _decode_strings(raw: bytes, shape, entry, where: str) -> np.ndarray:
        count = int(np.prod(shape, dtype=np.int64))
        out = np.empty(count, dtype=object)
        if entry.size == 0:
            return out.reshape(shape)
        try:
            lengths, pos = [], 0
            for _ in range(count):
                n, pos = sstable.get_varint(raw, pos)
                lengths.append(n)
            pos += 4
            for i, n in enumerate(lengths):
                out[i] = bytes(raw[pos : pos + n])
                pos += n
        except sstable.TableFormatError:
            raise errors.DataLossError(None, None, f"{where}: truncated string tensor") from None
        encoded, checksum = _encode_strings(out)
        if pos != len(raw) or encoded != raw or checksum != crc.unmask(entry.crc32c):
            raise errors.DataLossError(None, None, f"{where}: checksum mismatch")
        return out.reshape(shape)

    def has_tensor(self, name: str) -> bool:
        return name in self.entries

    def get_variable_to_shape_map(self) -> dict[str, list[int]]:
        return {name: list(self.shape_of(name)) for name in self.entries}

    def get_variable_to_dtype_map(self) -> dict:
        from scopeflow.framework import dtypes

        return {name: dtypes.as_dtype(e.dtype) for name, e in self.entries.items()}

    def read_all(self) -> dict[str, np.ndarray]:
        return {name: self.get_tensor(name) for name in self.entries}


def read_bundle(prefix: str) -> dict[str, np.ndarray]:
    return BundleReader(prefix).read_all()


def bundle_exists(prefix: str) -> bool:
    return os.path.exists(index_filename(prefix))
