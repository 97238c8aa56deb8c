"""DType: TensorFlow's data types, with their numpy and torch counterparts.

The enum values are those of types.proto, so a DType converts to and from GraphDef attrs
without a table. Reference types (`float32_ref`) are the value types plus 100.
"""

from __future__ import annotations

import numpy as np
import torch

_REF_OFFSET = 100


class DType:
    """One TensorFlow data type, e.g. `tf.float32`."""

    __slots__ = ("_enum",)

    def __init__(self, type_enum: int):
        if type_enum not in _NAMES:
            raise TypeError(f"{type_enum!r} is not a valid DataType enum value")
        self._enum = type_enum

    @property
    def name(self) -> str:
        return _NAMES[self._enum]

    @property
    def as_datatype_enum(self) -> int:
        return self._enum

    @property
    def _is_ref_dtype(self) -> bool:
        return self._enum > _REF_OFFSET

    @property
    def _as_ref(self) -> DType:
        return self if self._is_ref_dtype else _BY_ENUM[self._enum + _REF_OFFSET]

    @property
    def base_dtype(self) -> DType:
        return _BY_ENUM[self._enum - _REF_OFFSET] if self._is_ref_dtype else self

    @property
    def real_dtype(self) -> DType:
        return {complex64: float32, complex128: float64}.get(self.base_dtype, self.base_dtype)

    @property
    def as_numpy_dtype(self):
        return _NUMPY[self.base_dtype._enum]

    @property
    def as_torch(self):
        """The torch dtype, or None where torch has none (string, quantized types)."""
        return _TORCH.get(self.base_dtype._enum)

    @property
    def is_floating(self) -> bool:
        return self.base_dtype in (float16, float32, float64, bfloat16)

    @property
    def is_integer(self) -> bool:
        return self.base_dtype in (int8, int16, int32, int64, uint8, uint16)

    @property
    def is_complex(self) -> bool:
        return self.base_dtype in (complex64, complex128)

    @property
    def is_quantized(self) -> bool:
        return self.base_dtype in (qint8, quint8, qint32, qint16, quint16)

    @property
    def is_unsigned(self) -> bool:
        return self.base_dtype in (uint8, uint16, quint8, quint16)

    @property
    def is_numeric(self) -> bool:
        return self.base_dtype not in (string, bool)

    @property
    def min(self):
        return self._limits()[0]

    @property
    def max(self):
        return self._limits()[1]

    def _limits(self):
        np_type = self.as_numpy_dtype
        if self.is_floating and self.base_dtype != bfloat16:
            info = np.finfo(np_type)
            return info.min, info.max
        if self.is_integer:
            info = np.iinfo(np_type)
            return info.min, info.max
        if self.base_dtype == bool:
            return False, True
        raise TypeError(f"Cannot find minimum/maximum value of {self.name}.")

    def is_compatible_with(self, other) -> bool:
        other = as_dtype(other)
        return self._enum in (other._enum, other.base_dtype._enum)

    def __eq__(self, other) -> bool:
        if isinstance(other, DType):
            return self._enum == other._enum
        try:
            return self._enum == as_dtype(other)._enum
        except TypeError:
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return self._enum

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: {self.name!r}>"

    def __reduce__(self):
        return as_dtype, (self.name,)


_VALUE_TYPES = [
    # enum, name, numpy type, torch dtype
    (1, "float32", np.float32, torch.float32),
    (2, "float64", np.float64, torch.float64),
    (3, "int32", np.int32, torch.int32),
    (4, "uint8", np.uint8, torch.uint8),
    (5, "int16", np.int16, torch.int16),
    (6, "int8", np.int8, torch.int8),
    (7, "string", np.object_, None),
    (8, "complex64", np.complex64, torch.complex64),
    (9, "int64", np.int64, torch.int64),
    (10, "bool", np.bool_, torch.bool),
    (11, "qint8", np.int8, None),
    (12, "quint8", np.uint8, None),
    (13, "qint32", np.int32, None),
    (14, "bfloat16", np.float32, torch.bfloat16),
    (15, "qint16", np.int16, None),
    (16, "quint16", np.uint16, None),
    (17, "uint16", np.uint16, torch.uint16),
    (18, "complex128", np.complex128, torch.complex128),
    (19, "float16", np.float16, torch.float16),
]

_NAMES: dict[int, str] = {}
_NUMPY: dict[int, object] = {}
_TORCH: dict[int, torch.dtype] = {}
for _enum, _name, _np, _torch in _VALUE_TYPES:
    _NAMES[_enum] = _name
    _NAMES[_enum + _REF_OFFSET] = _name + "_ref"
    _NUMPY[_enum] = _np
    if _torch is not None:
        _TORCH[_enum] = _torch

_BY_ENUM: dict[int, DType] = {e: DType(e) for e in _NAMES}
_BY_NAME: dict[str, DType] = {d.name: d for d in _BY_ENUM.values()}
_BY_NAME.update(half=_BY_ENUM[19], float=_BY_ENUM[1], double=_BY_ENUM[2])

float16 = half = _BY_NAME["float16"]
float32 = _BY_NAME["float32"]
float64 = double = _BY_NAME["float64"]
bfloat16 = _BY_NAME["bfloat16"]
int8 = _BY_NAME["int8"]
int16 = _BY_NAME["int16"]
int32 = _BY_NAME["int32"]
int64 = _BY_NAME["int64"]
uint8 = _BY_NAME["uint8"]
uint16 = _BY_NAME["uint16"]
bool = _BY_NAME["bool"]
string = _BY_NAME["string"]
complex64 = _BY_NAME["complex64"]
complex128 = _BY_NAME["complex128"]
qint8 = _BY_NAME["qint8"]
quint8 = _BY_NAME["quint8"]
qint16 = _BY_NAME["qint16"]
quint16 = _BY_NAME["quint16"]
qint32 = _BY_NAME["qint32"]
for _d in list(_BY_ENUM.values()):
    if _d._is_ref_dtype:
        globals()[_d.name] = _d

_FROM_NUMPY = {np.dtype(n): _BY_ENUM[e] for e, _, n, _ in _VALUE_TYPES if e < 11 or e > 16}
_FROM_NUMPY[np.dtype(np.uint16)] = uint16
_FROM_TORCH = {t: _BY_ENUM[e] for e, _, _, t in _VALUE_TYPES if t is not None}


def as_dtype(type_value) -> DType:
    """Converts a DType, enum, name, numpy dtype or torch dtype to a DType."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, int) and type_value is not True and type_value is not False:
        if type_value in _BY_ENUM:
            return _BY_ENUM[type_value]
    elif isinstance(type_value, str):
        if type_value in _BY_NAME:
            return _BY_NAME[type_value]
    elif isinstance(type_value, torch.dtype):
        if type_value in _FROM_TORCH:
            return _FROM_TORCH[type_value]
    else:
        try:
            np_dtype = np.dtype(type_value)
        except TypeError:
            np_dtype = None
        if np_dtype is not None:
            if np_dtype.kind in "SUO":
                return string
            if np_dtype in _FROM_NUMPY:
                return _FROM_NUMPY[np_dtype]
    raise TypeError(f"Cannot convert value {type_value!r} to a TensorFlow DType.")


QUANTIZED_DTYPES = frozenset([qint8, quint8, qint16, quint16, qint32])
