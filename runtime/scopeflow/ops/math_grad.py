"""Gradients of math_ops (TensorFlow 0.6 style: one function per op type, formula in the
docstring). Broadcasting binary ops sum their gradients back to each input's shape."""

from __future__ import annotations

import numpy as np
import torch

from scopeflow.framework import dtypes
from scopeflow.framework.registry import NotDifferentiable, RegisterGradient, register_op
from scopeflow.ops import array_ops, math_ops
from scopeflow.ops import shape_util as su

M = math_ops

# ---- shapes for gradients: constants when static, Shape ops otherwise ----------------------


def shape_of(t):
    """The shape of `t` as a graph value: a constant when fully known, else a Shape op."""
    d = su.dims(t)
    if d is not None and None not in d:
        return np.asarray(d, dtype=np.int32)
    return array_ops.shape(t)


def _broadcast_gradient_args_infer(op):
    return [(dtypes.int32, su.make_shape([None]))] * 2


def _broadcast_gradient_args(ctx, s0, s1):
    """The axes each of two broadcast input shapes was expanded over."""
    a, b = s0.tolist(), s1.tolist()
    rank = max(len(a), len(b))
    a, b = [1] * (rank - len(a)) + a, [1] * (rank - len(b)) + b
    r0 = [i for i in range(rank) if a[i] == 1 and b[i] != 1]
    r1 = [i for i in range(rank) if b[i] == 1 and a[i] != 1]
    make = lambda v: torch.tensor(v, dtype=torch.int32, device=s0.device)
    return make(r0), make(r1)


register_op("BroadcastGradientArgs", infer=_broadcast_gradient_args_infer,
            kernel=_broadcast_gradient_args)
NotDifferentiable("BroadcastGradientArgs")


def _static_reduction_axes(input_dims, output_dims):
    if input_dims is None or output_dims is None or None in input_dims or None in output_dims:
        return None
    lead = len(output_dims) - len(input_dims)
    return list(range(lead)) + [lead + i for i, v in enumerate(input_dims)
                                if v == 1 and output_dims[lead + i] != 1]


def unbroadcast(grad, x, other):
    """`grad` (shaped like broadcast(x, other)) summed down to the shape of x."""
    if grad is None:
        return None
    dx, dg = su.dims(x), su.dims(grad)
    axes = _static_reduction_axes(dx, dg)
    if axes is not None:
        if not axes:
            return grad if dx == dg else array_ops.reshape(grad, shape_of(x))
        summed = M.reduce_sum(grad, axes)
        return summed if su.dims(summed) == dx else array_ops.reshape(summed, shape_of(x))
    rx, _ = array_ops._apply("BroadcastGradientArgs",
                             [array_ops.shape(x), array_ops.shape(other)])
    return array_ops.reshape(M.reduce_sum(grad, rx), array_ops.shape(x))


def _binary(gx, gy, op):
    x, y = op.inputs
    return unbroadcast(gx, x, y), unbroadcast(gy, y, x)


# ---- unary ----------------------------------------------------------------------------------


@RegisterGradient("Neg")
def _neg_grad(op, grad):
    """d(-x) = -grad"""
    return M.neg(grad)


@RegisterGradient("Abs")
def _abs_grad(op, grad):
    """d|x| = grad * sign(x)"""
    return M.mul(grad, M.sign(op.inputs[0]))


@RegisterGradient("Sign")
def _sign_grad(op, grad):
    """d sign(x) = 0"""
    from scopeflow.ops import constant_op

    return constant_op.zeros_like(op.inputs[0])


@RegisterGradient("Square")
def _square_grad(op, grad):
    """d x^2 = grad * 2x"""
    return M.mul(grad, M.mul(op.inputs[0], 2.0))


@RegisterGradient("Sqrt")
def _sqrt_grad(op, grad):
    """d sqrt(x) = grad * 0.5 / y"""
    return M.div(M.mul(grad, 0.5), op.outputs[0])


@RegisterGradient("Rsqrt")
def _rsqrt_grad(op, grad):
    """d x^-1/2 = grad * -0.5 * y^3"""
    y = op.outputs[0]
    return M.mul(grad, M.mul(M.mul(M.square(y), y), -0.5))


@RegisterGradient("Exp")
def _exp_grad(op, grad):
    """d exp(x) = grad * y"""
    return M.mul(grad, op.outputs[0])


@RegisterGradient("Log")
def _log_grad(op, grad):
    """d log(x) = grad / x"""
    return M.mul(grad, M.inv(op.inputs[0]))


@RegisterGradient("Tanh")
def _tanh_grad(op, grad):
    """d tanh(x) = grad * (1 - y^2)"""
    return M.mul(grad, M.sub(1.0, M.square(op.outputs[0])))


@RegisterGradient("Sigmoid")
def _sigmoid_grad(op, grad):
    """d sigmoid(x) = grad * y * (1 - y)"""
    y = op.outputs[0]
    return M.mul(grad, M.mul(y, M.sub(1.0, y)))


@RegisterGradient("Inv")
def _inv_grad(op, grad):
    """d (1/x) = -grad * y^2"""
    return M.neg(M.mul(grad, M.square(op.outputs[0])))


@RegisterGradient("Sin")
def _sin_grad(op, grad):
    """d sin(x) = grad * cos(x)"""
    return M.mul(grad, M.cos(op.inputs[0]))


@RegisterGradient("Cos")
def _cos_grad(op, grad):
    """d cos(x) = -grad * sin(x)"""
    return M.neg(M.mul(grad, M.sin(op.inputs[0])))


@RegisterGradient("Floor")
def _floor_grad(op, grad):
    """Piecewise constant: no gradient."""
    return [None]


@RegisterGradient("Ceil")
def _ceil_grad(op, grad):
    """Piecewise constant: no gradient."""
    return [None]


# ---- binary ---------------------------------------------------------------------------------


@RegisterGradient("Add")
def _add_grad(op, grad):
    """d(x + y) = (grad, grad), each summed over its broadcast axes"""
    return _binary(grad, grad, op)


@RegisterGradient("Sub")
def _sub_grad(op, grad):
    """d(x - y) = (grad, -grad)"""
    return _binary(grad, M.neg(grad), op)


@RegisterGradient("Mul")
def _mul_grad(op, grad):
    """d(x * y) = (grad * y, x * grad)"""
    x, y = op.inputs
    return _binary(M.mul(grad, y), M.mul(x, grad), op)


@RegisterGradient("Div")
def _div_grad(op, grad):
    """d(x / y) = (grad / y, -grad * x / y^2)"""
    x, y = op.inputs
    return _binary(M.div(grad, y), M.mul(grad, M.div(M.neg(x), M.square(y))), op)


@RegisterGradient("Mod")
def _mod_grad(op, grad):
    """fmod(x, y) = x - trunc(x / y) * y: d = (grad, -grad * trunc(x / y))"""
    x, y = op.inputs
    q = M.div(x, y)
    trunc = M.mul(M.sign(q), M.floor(M.abs(q)))
    return _binary(grad, M.neg(M.mul(grad, trunc)), op)


@RegisterGradient("Pow")
def _pow_grad(op, grad):
    """d x^y = (grad * y * x^(y-1), grad * x^y * log(x)), the latter 0 where x <= 0"""
    from scopeflow.ops import constant_op

    x, y = op.inputs
    z = op.outputs[0]
    gx = M.mul(grad, M.mul(y, M.pow(x, M.sub(y, 1))))
    positive = M.greater(x, 0)
    safe_log = M.select(positive, M.log(M.select(positive, x, constant_op.ones_like(x))),
                        constant_op.zeros_like(x))
    return _binary(gx, M.mul(grad, M.mul(z, safe_log)), op)


def _min_or_max_grad(op, grad, compare):
    from scopeflow.ops import constant_op

    x, y = op.inputs
    x_wins = compare(x, y)
    zeros = constant_op.zeros_like(grad)
    return _binary(M.select(x_wins, grad, zeros), M.select(x_wins, zeros, grad), op)


@RegisterGradient("Maximum")
def _maximum_grad(op, grad):
    """grad goes to x where x >= y, else to y"""
    return _min_or_max_grad(op, grad, M.greater_equal)


@RegisterGradient("Minimum")
def _minimum_grad(op, grad):
    """grad goes to x where x <= y, else to y"""
    return _min_or_max_grad(op, grad, M.less_equal)


@RegisterGradient("SquaredDifference")
def _squared_difference_grad(op, grad):
    """d (x - y)^2 = (2 (x - y) grad, -2 (x - y) grad)"""
    x, y = op.inputs
    gx = M.mul(grad, M.mul(M.sub(x, y), 2.0))
    return _binary(gx, M.neg(gx), op)


@RegisterGradient("AddN")
def _add_n_grad(op, grad):
    """d sum(xs) = grad for every x"""
    return [grad] * len(op.inputs)


@RegisterGradient("MatMul")
def _matmul_grad(op, grad):
    """C = A B: dA = grad B^T, dB = A^T grad (with the transposes the op applied)"""
    a, b = op.inputs
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    if not ta and not tb:
        return M.matmul(grad, b, transpose_b=True), M.matmul(a, grad, transpose_a=True)
    if not ta and tb:
        return M.matmul(grad, b), M.matmul(grad, a, transpose_a=True)
    if ta and not tb:
        return M.matmul(b, grad, transpose_b=True), M.matmul(a, grad)
    return (M.matmul(b, grad, transpose_a=True, transpose_b=True),
            M.matmul(grad, a, transpose_a=True, transpose_b=True))


@RegisterGradient("Select")
def _select_grad(op, grad):
    """grad flows to t where condition holds, to e elsewhere; none to condition"""
    from scopeflow.ops import constant_op

    cond = op.inputs[0]
    zeros = constant_op.zeros_like(grad)
    return None, M.select(cond, grad, zeros), M.select(cond, zeros, grad)


@RegisterGradient("Cast")
def _cast_grad(op, grad):
    """Cast back to the source type between floating types; no gradient otherwise"""
    src = op.inputs[0].dtype.base_dtype
    if (src.is_floating or src.is_complex) and (grad.dtype.is_floating or grad.dtype.is_complex):
        return M.cast(grad, src)
    return [None]


for _type in ("Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual",
              "LogicalAnd", "LogicalOr", "LogicalNot", "ArgMax", "ArgMin", "Range",
              "All", "Any"):
    NotDifferentiable(_type)

from scopeflow.ops import reduction_grad  # noqa: F401 - Sum, Mean, Max, Min, Prod
