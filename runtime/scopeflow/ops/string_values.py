"""Values of string tensors as kernels hold them (numpy object arrays of bytes), and the
small conversions the decoders share."""

from __future__ import annotations

import numpy as np
import torch

from scopeflow import errors


def invalid(message: str) -> errors.InvalidArgumentError:
    """InvalidArgumentError for bad input data; the session names the op."""
    return errors.InvalidArgumentError(None, None, message)


def text(value: bytes) -> str:
    """`value` for an error message (undecodable bytes shown as U+FFFD)."""
    return value.decode("utf-8", "replace")


def numeric_array(values: list, dtype, shape) -> torch.Tensor:
    return torch.from_numpy(np.asarray(values, dtype=dtype.as_numpy_dtype).reshape(shape))


def object_array(values: list, shape) -> np.ndarray:
    """Bytes in an object array (np.array would make fixed-width strings, dropping NULs)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(shape)


def flat_strings(value) -> list:
    return np.asarray(value, dtype=object).reshape(-1).tolist()
