"""Initializers for get_variable: callables `(shape, dtype) -> Tensor`."""

from __future__ import annotations

import math

from scopeflow.framework import dtypes
from scopeflow.ops import constant_op, random_ops

__all__ = [
    "constant_initializer", "ones_initializer", "random_normal_initializer",
    "random_uniform_initializer", "truncated_normal_initializer",
    "uniform_unit_scaling_initializer", "zeros_initializer",
]


def zeros_initializer(shape, dtype=dtypes.float32):
    return constant_op.zeros(shape, dtype)


def ones_initializer(shape, dtype=dtypes.float32):
    return constant_op.ones(shape, dtype)


def constant_initializer(value=0.0):
    def _initializer(shape, dtype=dtypes.float32):
        return constant_op.constant(value, dtype=dtype, shape=shape)

    return _initializer


def random_uniform_initializer(minval=0.0, maxval=1.0, seed=None):
    def _initializer(shape, dtype=dtypes.float32):
        return random_ops.random_uniform(shape, minval, maxval, dtype, seed=seed)

    return _initializer


def random_normal_initializer(mean=0.0, stddev=1.0, seed=None):
    def _initializer(shape, dtype=dtypes.float32):
        return random_ops.random_normal(shape, mean, stddev, dtype, seed=seed)

    return _initializer


def truncated_normal_initializer(mean=0.0, stddev=1.0, seed=None):
    def _initializer(shape, dtype=dtypes.float32):
        return random_ops.truncated_normal(shape, mean, stddev, dtype, seed=seed)

    return _initializer


def uniform_unit_scaling_initializer(factor=1.0, seed=None):
    """Uniform in ±sqrt(3 / fan_in) * factor, fan_in the product of all but the last dim,
    which keeps the scale of a linear layer's output that of its input."""

    def _initializer(shape, dtype=dtypes.float32):
        input_size = 1.0
        for dim in list(shape)[:-1]:
            input_size *= float(dim)
        max_val = math.sqrt(3 / input_size) * factor
        return random_ops.random_uniform(shape, -max_val, max_val, dtype, seed=seed)

    return _initializer
