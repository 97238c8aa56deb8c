"""Random tensors: random_normal, truncated_normal, random_uniform, random_shuffle.

Each random op draws from a torch.Generator kept per session and op (`ctx.generator`),
seeded from the op's (seed, seed2) attrs; see framework/random_seed.py for the rules.
"""

from __future__ import annotations

import numpy as np
import torch

from scopeflow.framework import dtypes, ops, tensor_shape, tensor_util
from scopeflow.framework.random_seed import get_seed, set_random_seed
from scopeflow.framework.registry import NotDifferentiable, register_op

__all__ = [
    "random_normal", "random_shuffle", "random_uniform", "set_random_seed",
    "truncated_normal",
]


def _shape_from_tensor(shape_tensor) -> tensor_shape.TensorShape:
    known = tensor_util.constant_value(shape_tensor)
    if known is not None:
        return tensor_shape.TensorShape(np.asarray(known).reshape(-1).tolist())
    shape_tensor.get_shape().assert_has_rank(1)
    return tensor_shape.unknown_shape(shape_tensor.get_shape()[0].value)


def _random_infer(op):
    return [(op.get_attr("dtype"), _shape_from_tensor(op.inputs[0]))]


def _dims(shape) -> tuple[int, ...]:
    return tuple(int(d) for d in shape.tolist())


def _normal_kernel(ctx, shape):
    return torch.randn(_dims(shape), generator=ctx.generator, device=ctx.device,
                       dtype=ctx.attrs["dtype"].as_torch)


def _uniform_kernel(ctx, shape):
    return torch.rand(_dims(shape), generator=ctx.generator, device=ctx.device,
                      dtype=ctx.attrs["dtype"].as_torch)


def _truncated_normal_kernel(ctx, shape):
    """Normal samples, redrawing those more than two standard deviations out."""
    gen, dtype = ctx.generator, ctx.attrs["dtype"].as_torch
    out = torch.randn(_dims(shape), generator=gen, device=ctx.device, dtype=dtype)
    bad = out.abs() > 2
    while bool(bad.any()):
        redraw = torch.randn(int(bad.sum()), generator=gen, device=ctx.device, dtype=dtype)
        out[bad] = redraw
        bad = out.abs() > 2
    return out


def _uniform_int_kernel(ctx, shape, minval, maxval):
    return torch.randint(int(minval), int(maxval), _dims(shape), generator=ctx.generator,
                         device=ctx.device, dtype=ctx.attrs["Tout"].as_torch)


def _shuffle_kernel(ctx, value):
    n = value.shape[0] if value.ndim else 0
    if n <= 1:
        return value.copy() if isinstance(value, np.ndarray) else value.clone()
    gen = ctx.generator
    perm = torch.randperm(n, generator=gen, device=gen.device)
    if isinstance(value, np.ndarray):
        return value[perm.cpu().numpy()]
    return value[perm.to(value.device)]


def _shuffle_infer(op):
    x = op.inputs[0]
    return [(x.dtype.base_dtype, x.get_shape())]


def _uniform_int_infer(op):
    return [(op.get_attr("Tout"), _shape_from_tensor(op.inputs[0]))]


register_op("RandomStandardNormal", infer=_random_infer, kernel=_normal_kernel, stateful=True)
register_op("TruncatedNormal", infer=_random_infer, kernel=_truncated_normal_kernel,
            stateful=True)
register_op("RandomUniform", infer=_random_infer, kernel=_uniform_kernel, stateful=True)
register_op("RandomUniformInt", infer=_uniform_int_infer, kernel=_uniform_int_kernel,
            stateful=True)
register_op("RandomShuffle", infer=_shuffle_infer, kernel=_shuffle_kernel, stateful=True)
for _type in ("RandomStandardNormal", "TruncatedNormal", "RandomUniform", "RandomUniformInt",
              "RandomShuffle"):
    NotDifferentiable(_type)


def _seed_attrs(seed) -> dict:
    seed1, seed2 = get_seed(seed)
    return {"seed": int(seed1 or 0), "seed2": int(seed2 or 0)}


def _shape_tensor(shape) -> ops.Tensor:
    if isinstance(shape, tensor_shape.TensorShape):
        shape = shape.as_list()
    return ops.convert_to_tensor(shape, dtype=dtypes.int32, name="shape")


def _draw(op_type, shape_tensor, dtype, seed) -> ops.Tensor:
    attrs = {"dtype": dtype, **_seed_attrs(seed)}
    return ops.apply_op(op_type, [shape_tensor], attrs).outputs[0]


def _float_dtype(dtype, what: str) -> dtypes.DType:
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"{what} needs a floating point dtype, got {dtype.name}")
    return dtype


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Samples from N(mean, stddev**2)."""
    return _scaled_normal("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype,
                          seed, name)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Normal samples with values beyond two standard deviations redrawn."""
    return _scaled_normal("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype,
                          seed, name)


def _scaled_normal(op_type, default_name, shape, mean, stddev, dtype, seed, name):
    """`mean + stddev * draw`, the draw from the standard distribution `op_type`."""
    dtype = _float_dtype(dtype, default_name)
    with ops.op_scope([shape, mean, stddev], name, default_name) as scope:
        shape_tensor = _shape_tensor(shape)
        mean = ops.convert_to_tensor(mean, dtype=dtype, name="mean")
        stddev = ops.convert_to_tensor(stddev, dtype=dtype, name="stddev")
        rnd = _draw(op_type, shape_tensor, dtype, seed)
        return _math().add(rnd * stddev, mean, name=scope)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=dtypes.float32, seed=None, name=None):
    """Uniform samples in [minval, maxval) (integers too, for an integer dtype)."""
    dtype = dtypes.as_dtype(dtype)
    with ops.op_scope([shape, minval, maxval], name, "random_uniform") as scope:
        shape_tensor = _shape_tensor(shape)
        minval = ops.convert_to_tensor(minval, dtype=dtype, name="min")
        maxval = ops.convert_to_tensor(maxval, dtype=dtype, name="max")
        if dtype.is_integer:
            attrs = {"Tout": dtype, **_seed_attrs(seed)}
            return ops.apply_op("RandomUniformInt", [shape_tensor, minval, maxval], attrs,
                                name=scope).outputs[0]
        rnd = _draw("RandomUniform", shape_tensor, _float_dtype(dtype, "random_uniform"), seed)
        return _math().add(rnd * (maxval - minval), minval, name=scope)


def random_shuffle(value, seed=None, name=None) -> ops.Tensor:
    """`value` with its first dimension randomly permuted."""
    return ops.apply_op("RandomShuffle", [value], _seed_attrs(seed), name=name).outputs[0]


def _math():
    from scopeflow.ops import math_ops

    return math_ops
