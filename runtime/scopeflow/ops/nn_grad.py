"""Gradients of the tf.nn ops, mostly through the backward kernels of nn_ops (ReluGrad,
Conv2DBackpropInput, MaxPoolGrad, ...) as TensorFlow 0.6 builds them."""

from __future__ import annotations

import numpy as np

from scopeflow.framework.registry import NotDifferentiable, RegisterGradient
from scopeflow.ops import array_ops, math_ops
from scopeflow.ops import nn_ops as _nn_ops  # noqa: F401 - registers the op types
from scopeflow.ops import shape_util as su
from scopeflow.ops.math_grad import shape_of

A, M = array_ops, math_ops


def _apply(op_type, inputs, attrs=None):
    return A._apply(op_type, inputs, attrs)[0]


def _activation_grad(grad_type, use_outputs=False):
    def grad_fn(op, grad):
        other = op.outputs[0] if use_outputs else op.inputs[0]
        return _apply(grad_type, [grad, other])

    grad_fn.__doc__ = f"{grad_type}(grad, {'outputs' if use_outputs else 'features'})"
    return grad_fn


RegisterGradient("Relu")(_activation_grad("ReluGrad", use_outputs=True))
RegisterGradient("Relu6")(_activation_grad("Relu6Grad"))
RegisterGradient("Elu")(_activation_grad("EluGrad", use_outputs=True))
RegisterGradient("Softplus")(_activation_grad("SoftplusGrad"))
RegisterGradient("Softsign")(_activation_grad("SoftsignGrad"))


@RegisterGradient("ReluGrad")
def _relu_grad_grad(op, grad):
    """ReluGrad(g, x) is linear in g: d g = ReluGrad(grad, x); x gets none"""
    return _apply("ReluGrad", [grad, op.inputs[1]]), None


@RegisterGradient("Relu6Grad")
def _relu6_grad_grad(op, grad):
    """Relu6Grad(g, x) is linear in g: d g = Relu6Grad(grad, x); x gets none"""
    return _apply("Relu6Grad", [grad, op.inputs[1]]), None


def _last_axis(t):
    d = su.dims(t)
    return [len(d) - 1] if d is not None else M.sub(A.rank(t), 1)


@RegisterGradient("Softmax")
def _softmax_grad(op, grad):
    """y = softmax(x): dx = (grad - sum(grad * y, last axis)) * y"""
    y = op.outputs[0]
    dot = M.reduce_sum(M.mul(grad, y), _last_axis(y), keep_dims=True)
    return M.mul(M.sub(grad, dot), y)


@RegisterGradient("LogSoftmax")
def _log_softmax_grad(op, grad):
    """y = log_softmax(x): dx = grad - sum(grad, last axis) * exp(y)"""
    y = op.outputs[0]
    total = M.reduce_sum(grad, _last_axis(y), keep_dims=True)
    return M.sub(grad, M.mul(total, M.exp(y)))


@RegisterGradient("BiasAdd")
def _bias_add_grad(op, grad):
    """d value = grad; d bias = sum of grad over all but the last axis"""
    return grad, _apply("BiasAddGrad", [grad], {"data_format": "NHWC"})


def _window_attrs(op):
    names = ("strides", "padding", "data_format", "ksize", "use_cudnn_on_gpu")
    return {n: op.get_attr(n) for n in names if n in op.attrs}


@RegisterGradient("Conv2D")
def _conv2d_grad(op, grad):
    """dx = Conv2DBackpropInput(shape(x), f, grad); df = Conv2DBackpropFilter(x, shape(f), grad)"""
    x, f = op.inputs
    attrs = _window_attrs(op)
    return (_apply("Conv2DBackpropInput", [shape_of(x), f, grad], attrs),
            _apply("Conv2DBackpropFilter", [x, shape_of(f), grad], attrs))


@RegisterGradient("MaxPool")
def _max_pool_grad(op, grad):
    """grad routed to the position of each window's maximum: MaxPoolGrad(x, y, grad)"""
    return _apply("MaxPoolGrad", [op.inputs[0], op.outputs[0], grad], _window_attrs(op))


@RegisterGradient("AvgPool")
def _avg_pool_grad(op, grad):
    """grad spread evenly over each window: AvgPoolGrad(shape(x), grad)"""
    return _apply("AvgPoolGrad", [shape_of(op.inputs[0]), grad], _window_attrs(op))


@RegisterGradient("LRN")
def _lrn_grad(op, grad):
    """LRNGrad(grad, x, y) with the op's depth_radius, bias, alpha, beta"""
    attrs = {n: op.get_attr(n) for n in ("depth_radius", "bias", "alpha", "beta")}
    return _apply("LRNGrad", [grad, op.inputs[0], op.outputs[0]], attrs)


@RegisterGradient("L2Loss")
def _l2_loss_grad(op, grad):
    """d sum(x^2)/2 = x * grad"""
    return M.mul(op.inputs[0], grad)


@RegisterGradient("SoftmaxCrossEntropyWithLogits")
def _softmax_xent_grad(op, grad_loss, grad_backprop):
    """d logits = backprop * grad_loss (per row); d labels = -log_softmax(logits) * grad_loss"""
    per_row = A.expand_dims(grad_loss, -1)
    d_labels = M.mul(M.neg(_apply("LogSoftmax", [op.inputs[0]])), per_row)
    return M.mul(op.outputs[1], per_row), d_labels


@RegisterGradient("SparseSoftmaxCrossEntropyWithLogits")
def _sparse_softmax_xent_grad(op, grad_loss, grad_backprop):
    """d logits = backprop * grad_loss (per row); int labels get none"""
    return M.mul(op.outputs[1], A.expand_dims(grad_loss, -1)), None


@RegisterGradient("TopK")
def _top_k_grad(op, grad_values, grad_indices):
    """grad of the values scattered back to the positions they were taken from"""
    x, indices, k = op.inputs[0], op.outputs[1], op.get_attr("k")
    d = su.dims(x)
    if d is not None and None not in d:
        n, rows = d[-1], int(np.prod(d[:-1]))
        offsets = np.arange(rows, dtype=np.int32).reshape(-1, 1) * n
        flat_ids = A.reshape(M.add(A.reshape(indices, [rows, k]), offsets), [-1])
        total = np.int32(rows * n)
    else:
        n = A.reshape(A.slice(A.shape(x), A.reshape(M.sub(A.rank(x), 1), [1]), [1]), [])
        rows = M.div(A.size(x), n)
        offsets = A.expand_dims(M.mul(M.range(0, rows), n), -1)
        flat_ids = A.reshape(M.add(A.reshape(indices, [-1, k]), offsets), [-1])
        total = A.size(x)
    flat = A.unsorted_segment_sum(A.reshape(grad_values, [-1]), flat_ids, total)
    return A.reshape(flat, shape_of(x))


NotDifferentiable("InTopK")
