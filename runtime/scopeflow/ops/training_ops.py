"""The optimizers' update ops: ApplyGradientDescent, ApplyMomentum, ApplyAdagrad, ApplyAdam,
ApplyRMSProp (TensorFlow's signatures: variable and slot refs first, then hyperparameters
and the gradient), and their Fused* forms, which update every variable of one
`apply_gradients` call in one kernel with torch's multi-tensor `_foreach_*` functions.

A fused op names its variables and slots in the `var_names` attr (a flat list of rows, one
per variable: the variable, then its slots) and takes the hyperparameters, then the gradients, as inputs;
the optimizer gives it control inputs on the variables so the graph shows what it updates.
Updates are in place, so every op holding the variable's tensor sees the new value.

SparseApplyMomentum and SparseApplyAdagrad (TensorFlow's signatures: var, accum, lr, grad,
indices[, momentum]) update only the rows `indices` names, slots included; duplicate indices
are summed first, so a row gets the update its dense gradient would give.
"""

from __future__ import annotations

import math

import torch

from scopeflow import errors
from scopeflow.framework import ops
from scopeflow.framework.registry import NotDifferentiable, register_op

__all__ = [
    "apply_adagrad", "apply_adam", "apply_gradient_descent", "apply_momentum", "apply_rms_prop",
    "fused_apply", "sparse_apply_adagrad", "sparse_apply_momentum",
]


def _variable_value(ctx, name: str) -> torch.Tensor:
    try:
        return ctx.resources[name]
    except KeyError:
        raise errors.FailedPreconditionError(
            None, ctx.op, f"Attempting to use uninitialized value {name}"
        ) from None


def _scalar(ctx, index: int, value) -> float:
    """A hyperparameter as a Python float; constants are read once and cached."""
    cache = ctx.cache if ctx.cache is not None else {}
    if index in cache:
        return cache[index]
    number = float(value)
    if ctx.op.inputs[index].op.type == "Const":
        cache[index] = number
        ctx.cache = cache
    return number


# -- the update rules, on lists of tensors (slots[k][i] is slot k of variable i) ----------
def _gradient_descent(variables, slots, grads, lr):
    torch._foreach_add_(variables, grads, alpha=-lr)


def _momentum(variables, slots, grads, lr, momentum):
    (accum,) = slots
    torch._foreach_mul_(accum, momentum)
    torch._foreach_add_(accum, grads)
    torch._foreach_add_(variables, accum, alpha=-lr)


def _adagrad(variables, slots, grads, lr):
    (accum,) = slots
    torch._foreach_addcmul_(accum, grads, grads)
    torch._foreach_addcdiv_(variables, grads, torch._foreach_sqrt(accum), value=-lr)


def _adam(variables, slots, grads, beta1_power, beta2_power, lr, beta1, beta2, epsilon):
    m, v = slots
    lr_t = lr * math.sqrt(1.0 - beta2_power) / (1.0 - beta1_power)
    torch._foreach_lerp_(m, grads, 1.0 - beta1)
    torch._foreach_mul_(v, beta2)
    torch._foreach_addcmul_(v, grads, grads, value=1.0 - beta2)
    denom = torch._foreach_sqrt(v)
    torch._foreach_add_(denom, epsilon)
    torch._foreach_addcdiv_(variables, m, denom, value=-lr_t)


def _rms_prop(variables, slots, grads, lr, rho, momentum, epsilon):
    ms, mom = slots
    torch._foreach_mul_(ms, rho)
    torch._foreach_addcmul_(ms, grads, grads, value=1.0 - rho)
    denom = torch._foreach_add(ms, epsilon)
    torch._foreach_sqrt_(denom)
    torch._foreach_mul_(mom, momentum)
    torch._foreach_addcdiv_(mom, grads, denom, value=lr)
    torch._foreach_sub_(variables, mom)


# op type -> (rule, number of slots, hyperparameter input names, in TensorFlow's order)
_RULES = {
    "ApplyGradientDescent": (_gradient_descent, 0, ("alpha",)),
    "ApplyMomentum": (_momentum, 1, ("lr", "momentum")),
    "ApplyAdagrad": (_adagrad, 1, ("lr",)),
    "ApplyAdam": (_adam, 2, ("beta1_power", "beta2_power", "lr", "beta1", "beta2", "epsilon")),
    "ApplyRMSProp": (_rms_prop, 2, ("lr", "rho", "momentum", "epsilon")),
}


def _single_infer(op):
    var = op.inputs[0]
    return [(var.dtype.base_dtype, var.get_shape())]


def _single_kernel(rule, n_slots, n_hyper):
    """TensorFlow's one-variable op: inputs (var, *slots, *hyper, grad); Momentum's order is
    (var, accum, lr, grad, momentum), fixed up by the caller below."""

    def kernel(ctx, *inputs):
        names, hyper, grad = inputs[: 1 + n_slots], inputs[1 + n_slots : -1], inputs[-1]
        tensors = [_variable_value(ctx, n) for n in names]
        scalars = [_scalar(ctx, 1 + n_slots + i, h) for i, h in enumerate(hyper)]
        rule([tensors[0]], [[s] for s in tensors[1:]], [grad], *scalars)
        return tensors[0]

    return kernel


def _fused_kernel(rule, n_slots, n_hyper):
    def kernel(ctx, *inputs):
        flat = [_variable_value(ctx, n) for n in ctx.attrs["var_names"]]
        width = 1 + n_slots
        rows = [flat[i : i + width] for i in range(0, len(flat), width)]
        scalars = [_scalar(ctx, i, h) for i, h in enumerate(inputs[:n_hyper])]
        grads = list(inputs[n_hyper:])
        variables = [row[0] for row in rows]
        slots = [[row[1 + k] for row in rows] for k in range(n_slots)]
        rule(variables, slots, grads, *scalars)

    return kernel


def _fused_infer(op):
    return []


def _momentum_single(ctx, var, accum, lr, grad, momentum):
    # TensorFlow's ApplyMomentum puts `grad` before `momentum`.
    tensors = [_variable_value(ctx, var), _variable_value(ctx, accum)]
    _momentum([tensors[0]], [[tensors[1]]], [grad], _scalar(ctx, 2, lr), _scalar(ctx, 4, momentum))
    return tensors[0]


for _type, (_rule, _n_slots, _hyper) in _RULES.items():
    _kernel = (_momentum_single if _type == "ApplyMomentum"
               else _single_kernel(_rule, _n_slots, len(_hyper)))
    register_op(_type, infer=_single_infer, kernel=_kernel, stateful=True,
                ref_inputs=tuple(range(1 + _n_slots)))
    register_op("Fused" + _type, infer=_fused_infer, stateful=True,
                kernel=_fused_kernel(_rule, _n_slots, len(_hyper)))
    NotDifferentiable(_type)
    NotDifferentiable("Fused" + _type)


# -- sparse updates: only the rows an IndexedSlices gradient names ------------------------
def _summed_rows(ctx, var, grad, indices):
    """(unique row ids, their summed gradient rows), after checking the ids."""
    flat = indices.reshape(-1).long()
    if grad.dim() == 0 or grad.shape[0] != flat.numel():
        raise errors.InvalidArgumentError(
            None, ctx.op, f"grad must have as many rows as indices has elements: grad shape "
            f"{tuple(grad.shape)}, indices shape {tuple(indices.shape)}")
    if flat.numel() and (int(flat.min()) < 0 or int(flat.max()) >= var.shape[0]):
        raise errors.InvalidArgumentError(
            None, ctx.op, f"indices {flat.tolist()} out of range [0, {var.shape[0]})")
    ids, inverse = torch.unique(flat, return_inverse=True)
    summed = grad.new_zeros((ids.numel(),) + tuple(grad.shape[1:]))
    return ids, summed.index_add_(0, inverse, grad)


def _sparse_momentum(ctx, var, accum, lr, grad, indices, momentum):
    var, accum = _variable_value(ctx, var), _variable_value(ctx, accum)
    ids, rows = _summed_rows(ctx, var, grad, indices)
    accum_rows = accum.index_select(0, ids).mul_(_scalar(ctx, 5, momentum)).add_(rows)
    accum.index_copy_(0, ids, accum_rows)
    var.index_add_(0, ids, accum_rows, alpha=-_scalar(ctx, 2, lr))
    return var


def _sparse_adagrad(ctx, var, accum, lr, grad, indices):
    var, accum = _variable_value(ctx, var), _variable_value(ctx, accum)
    ids, rows = _summed_rows(ctx, var, grad, indices)
    accum_rows = accum.index_select(0, ids).addcmul_(rows, rows)
    accum.index_copy_(0, ids, accum_rows)
    var.index_add_(0, ids, rows / accum_rows.sqrt(), alpha=-_scalar(ctx, 2, lr))
    return var


def _sparse_infer(op):
    var, grad, indices = op.inputs[0], op.inputs[3], op.inputs[4]
    indices.get_shape().assert_has_rank(1)
    expected = indices.get_shape().concatenate(var.get_shape()[1:])
    if not grad.get_shape().is_compatible_with(expected):
        raise ValueError(f"Shapes {grad.get_shape()} and {expected} are incompatible: op "
                         f"'{op.name}' needs grad of shape indices.shape + var.shape[1:]")
    return [(var.dtype.base_dtype, var.get_shape())]


for _type, _kernel in (("SparseApplyMomentum", _sparse_momentum),
                       ("SparseApplyAdagrad", _sparse_adagrad)):
    register_op(_type, infer=_sparse_infer, kernel=_kernel, stateful=True, ref_inputs=(0, 1))
    NotDifferentiable(_type)


def _apply_sparse_op(op_type, refs, lr, grad, indices, extra, use_locking, name):
    from scopeflow.ops import state_ops

    refs = [state_ops.as_ref(r, op_type) for r in refs]
    dtype = refs[0].dtype.base_dtype
    lr, grad, *extra = [ops.convert_to_tensor(v, dtype=dtype) for v in (lr, grad, *extra)]
    indices = ops.convert_to_tensor(indices)
    attrs = {"T": dtype, "Tindices": indices.dtype.base_dtype, "use_locking": bool(use_locking)}
    return ops.apply_op(op_type, [*refs, lr, grad, indices, *extra], attrs, name=name).outputs[0]


def sparse_apply_momentum(var, accum, lr, grad, indices, momentum, use_locking=False,
                          name=None):
    """For the rows i in indices: accum[i] = accum[i] * momentum + grad; var[i] -= lr * accum[i]."""
    return _apply_sparse_op("SparseApplyMomentum", [var, accum], lr, grad, indices, [momentum],
                            use_locking, name)


def sparse_apply_adagrad(var, accum, lr, grad, indices, use_locking=False, name=None):
    """For the rows i in indices: accum[i] += grad^2; var[i] -= lr * grad / sqrt(accum[i])."""
    return _apply_sparse_op("SparseApplyAdagrad", [var, accum], lr, grad, indices, [],
                            use_locking, name)


def _apply(op_type, refs, values, name):
    """The op over variable refs then values (hyperparameters, gradient) of the var's dtype."""
    from scopeflow.ops import state_ops

    refs = [state_ops.as_ref(r, op_type) for r in refs]
    dtype = refs[0].dtype.base_dtype
    values = [ops.convert_to_tensor(v, dtype=dtype) for v in values]
    return ops.apply_op(op_type, [*refs, *values], name=name).outputs[0]


def apply_gradient_descent(var, alpha, delta, name=None):
    """var -= alpha * delta; returns the variable's new value."""
    return _apply("ApplyGradientDescent", [var], [alpha, delta], name)


def apply_momentum(var, accum, lr, grad, momentum, name=None):
    """accum = accum * momentum + grad; var -= lr * accum."""
    return _apply("ApplyMomentum", [var, accum], [lr, grad, momentum], name)


def apply_adagrad(var, accum, lr, grad, name=None):
    """accum += grad^2; var -= lr * grad / sqrt(accum)."""
    return _apply("ApplyAdagrad", [var, accum], [lr, grad], name)


def apply_adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, name=None):
    """Adam with the bias correction folded into the step size (TensorFlow's ApplyAdam)."""
    values = [beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad]
    return _apply("ApplyAdam", [var, m, v], values, name)


def apply_rms_prop(var, ms, mom, lr, rho, momentum, epsilon, grad, name=None):
    """ms = rho*ms + (1-rho)*grad^2; mom = momentum*mom + lr*grad/sqrt(ms+eps); var -= mom."""
    return _apply("ApplyRMSProp", [var, ms, mom], [lr, rho, momentum, epsilon, grad], name)


def fused_apply(op_type, rows, hyper, grads, name=None):
    """One Fused<op_type> op updating every row of (variable, *slots) with its gradient.

    `rows` are Variables (graph objects with `.op`); `hyper` the hyperparameter tensors in
    TensorFlow's order for `op_type`; `grads` one dense gradient per row.
    """
    names = [v.op.name for row in rows for v in row]
    graph = ops.get_default_graph()
    with graph.control_dependencies([row[0].op for row in rows]):
        return ops.apply_op("Fused" + op_type, [*hyper, *grads], {"var_names": names}, name=name)
