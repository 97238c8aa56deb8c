"""tf.gradients: symbolic reverse-mode differentiation over the graph.

The gradient graph is built from the per-op-type functions registered with
`@RegisterGradient` (math_grad, array_grad, nn_grad), under a `gradients/` name scope
with one `<op name>_grad/` scope per differentiated op, as TensorFlow 0.6 lays it out.

A gradient may be an IndexedSlices (Gather's): it flows unchanged into gradient functions
(Identity's passes it on; ops that need a Tensor densify it through the registered
conversion) and comes out of tf.gradients as it is.
"""

from __future__ import annotations

import collections

from scopeflow.framework import dtypes, ops, registry
from scopeflow.framework.indexed_slices import IndexedSlices
from scopeflow.ops import (  # noqa: F401 - the *_grad modules register the gradients
    array_grad,
    array_ops,
    math_grad,
    math_ops,
    nn_grad,
)

__all__ = ["gradients"]


def _as_list(values):
    return list(values) if isinstance(values, (list, tuple)) else [values]


def _reachable_forward(from_ops):
    reached, stack = set(from_ops), list(from_ops)
    while stack:
        for t in stack.pop().outputs:
            for consumer in t.consumers():
                if consumer not in reached:
                    reached.add(consumer)
                    stack.append(consumer)
    return reached


def _between(to_ops, reached):
    """Ops on some path from an x to a y: reached from xs and leading to ys."""
    between, stack = set(), [op for op in to_ops if op in reached]
    while stack:
        op = stack.pop()
        if op in between:
            continue
        between.add(op)
        stack.extend(t.op for t in op.inputs if t.op in reached and t.op not in between)
    return between


def _pending_counts(between):
    pending = collections.Counter()
    for op in between:
        for t in op.inputs:
            if t.op in between:
                pending[t.op] += 1
    return pending


def _initial_grad(y, grad_y):
    if grad_y is not None:
        return ops.convert_to_tensor(grad_y, dtype=y.dtype.base_dtype)
    from scopeflow.ops import constant_op

    return constant_op.fill(array_ops.shape(y), constant_op.constant(1, dtype=y.dtype.base_dtype))


def _aggregate(grad_list):
    """Tensors add up (AddN); with any IndexedSlices among them, TensorFlow 0.6 turns each
    Tensor into slices of all its rows and concatenates values and indices."""
    if not grad_list:
        return None
    if len(grad_list) == 1:
        return grad_list[0]
    if not any(isinstance(g, IndexedSlices) for g in grad_list):
        return math_ops.add_n(grad_list)
    slices = _same_index_dtype([_flatten_nested(_as_indexed_slices(g)) for g in grad_list])
    return IndexedSlices(array_ops.concat(0, [s.values for s in slices]),
                         array_ops.concat(0, [s.indices for s in slices]),
                         slices[0].dense_shape)


def _as_indexed_slices(grad):
    if isinstance(grad, IndexedSlices):
        return grad
    shape = array_ops.shape(grad)
    rows = array_ops.slice(shape, [0], [1])[0]
    return IndexedSlices(grad, math_ops.range(0, rows), shape)


def _flatten_nested(grad):
    """Slices of slices (values themselves an IndexedSlices) as one level of slices."""
    if not isinstance(grad.values, IndexedSlices):
        return grad
    inner = _flatten_nested(grad.values)
    return IndexedSlices(inner.values, array_ops.gather(grad.indices, inner.indices),
                         inner.dense_shape)


def _same_index_dtype(slices):
    """Concat needs one index dtype: int32 indices become int64 when any are int64."""
    if all(s.indices.dtype.base_dtype == dtypes.int32 for s in slices):
        return slices
    return [IndexedSlices(s.values, math_ops.cast(s.indices, dtypes.int64), s.dense_shape)
            if s.indices.dtype.base_dtype == dtypes.int32 else s for s in slices]


def _output_grads(op, grads):
    """The summed gradient of each output of `op` (None where none arrived)."""
    out_grads = []
    for t in op.outputs:
        g = _aggregate(grads.get(t))
        if g is not None:
            grads[t] = [g]
        out_grads.append(g)
    return out_grads


def _zeros_for_missing(op, out_grads):
    """Gradient functions get zeros for float outputs nobody differentiated, as in TF."""
    from scopeflow.ops import constant_op

    return [constant_op.zeros_like(t) if g is None and t.dtype.base_dtype.is_floating else g
            for t, g in zip(op.outputs, out_grads)]


def _input_grads(op, out_grads):
    spec = registry.get_spec(op.type)
    if spec.not_differentiable:
        return [None] * len(op.inputs)
    if spec.grad is None:
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: {op.type})")
    with ops.name_scope(op.name + "_grad"):
        in_grads = spec.grad(op, *_zeros_for_missing(op, out_grads))
    in_grads = list(in_grads) if isinstance(in_grads, (list, tuple)) else [in_grads]
    if len(in_grads) != len(op.inputs):
        raise ValueError(f"Num gradients {len(in_grads)} generated for op {op.node_def.name} "
                         f"do not match num inputs {len(op.inputs)}")
    return in_grads


def _backprop_op(op, grads, stop_ops, colocate):
    """Runs the gradient function of `op` and files the gradients of its inputs."""
    out_grads = _output_grads(op, grads)
    if op in stop_ops or all(g is None for g in out_grads):
        return
    device = ops.device(op.device) if colocate and op.device else _no_scope()
    with device:
        in_grads = _input_grads(op, out_grads)
    for t, g in zip(op.inputs, in_grads):
        if g is not None:
            if not isinstance(g, IndexedSlices):
                g = ops.convert_to_tensor(g)
            grads.setdefault(t, []).append(g)


class _no_scope:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None):
    """Symbolic d(sum ys)/d(x) for each x in xs: one Tensor per x, None where unconnected.

    grad_ys, one per y, weights each y's gradient (ones by default). Paths through
    tf.stop_gradient, comparisons and other non-differentiable ops contribute nothing.
    """
    del gate_gradients, aggregation_method  # accepted for TensorFlow compatibility
    ys = [ops.convert_to_tensor(y) for y in _as_list(ys)]
    xs = [ops.convert_to_tensor(x) for x in _as_list(xs)]
    grad_ys = [None] * len(ys) if grad_ys is None else _as_list(grad_ys)
    if len(grad_ys) != len(ys):
        raise ValueError(f"Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    with ops.op_scope(ys + xs, name, "gradients"):
        reached = _reachable_forward({x.op for x in xs})
        between = _between([y.op for y in ys], reached)
        pending = _pending_counts(between)
        # Ops none of whose inputs depend on an x: their gradient functions are not needed.
        stop_ops = {op for op in between if not any(t.op in between for t in op.inputs)}
        grads: dict = {}
        for y, grad_y in zip(ys, grad_ys):
            grads.setdefault(y, []).append(_initial_grad(y, grad_y))
        queue = collections.deque(dict.fromkeys(y.op for y in ys if pending[y.op] == 0))
        while queue:
            op = queue.popleft()
            if op in between:
                _backprop_op(op, grads, stop_ops, colocate_gradients_with_ops)
            for t in op.inputs:
                if t.op in between:
                    pending[t.op] -= 1
                    if pending[t.op] == 0:
                        queue.append(t.op)
        return [_aggregate(grads.get(x)) for x in xs]
