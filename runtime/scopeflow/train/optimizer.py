"""Optimizer: the base of tf.train's optimizers (TensorFlow 0.6's interface).

`minimize` = `compute_gradients` (symbolic, through tf.gradients) + `apply_gradients`.
`apply_gradients` creates each variable's slots once (named `<var>/<OptimizerName>`, then
`_1`, ... as TensorFlow names them), then adds ONE fused update op for all variables under
the optimizer's name scope, then (with a global_step) an AssignAdd named after the
optimizer that runs after the update, as TensorFlow's train op does.

A gradient that is an IndexedSlices (Gather's, an embedding's) goes to `_apply_sparse`,
which updates only the gathered rows under `update_<var>/` (SparseApplyMomentum, ...); an
optimizer without one (its dense rule moves every row anyway) densifies it into the fused op.
"""

from __future__ import annotations

from scopeflow.framework import dtypes, ops
from scopeflow.framework.indexed_slices import IndexedSlices, densify
from scopeflow.ops import constant_op, control_flow_ops, training_ops

__all__ = ["Optimizer"]


def _variables():
    from scopeflow.ops import variables

    return variables


class Optimizer:
    """Subclasses set `_op_type` (the Apply* op), `_slot_inits` (one initial value per slot,
    a float: the slot starts as that constant in the variable's shape), `_slot_names` (the
    names get_slot knows them by), and `_hyper()`; `_finish()` when `_has_finish`."""

    GATE_NONE, GATE_OP, GATE_GRAPH = 0, 1, 2
    _op_type = ""
    _slot_inits: tuple[float, ...] = ()
    _slot_names: tuple[str, ...] = ()
    _has_finish = False

    def __init__(self, use_locking: bool, name: str):
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        # slot index -> {variable: slot variable}
        self._slots: list[dict] = [{} for _ in self._slot_inits]

    def get_name(self) -> str:
        return self._name

    # -- gradients ------------------------------------------------------------------------
    def compute_gradients(self, loss, var_list=None, gate_gradients=GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None):
        """[(gradient or None, variable)] of `loss` for `var_list` (default: trainables)."""
        from scopeflow.ops import gradients

        if var_list is None:
            var_list = _variables().trainable_variables()
        var_list = list(var_list)
        if not var_list:
            raise ValueError("No variables to optimize")
        for var in var_list:
            if not isinstance(var, _variables().Variable):
                raise TypeError(f"Argument is not a Variable: {var!r}")
        grad_ys = None if grad_loss is None else [grad_loss]
        grads = gradients.gradients(loss, var_list, grad_ys=grad_ys)
        return list(zip(grads, var_list, strict=True))

    # -- updates --------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """The op that applies the gradients (and increments `global_step` once, if given)."""
        grads_and_vars = tuple(grads_and_vars)
        pairs = self._check_pairs(grads_and_vars)
        var_list = [v for _, v in pairs]
        with ops.control_dependencies(None):
            self._create_slots(var_list)
        with ops.op_scope([], name, self._name) as scope:
            # Without a global step or a finishing op, the update op is the train op and
            # takes the optimizer's name, as TensorFlow's final op does.
            alone = global_step is None and not self._has_finish
            update = self._updates(pairs, scope if alone else "update")
            if alone:
                return update
            finish = self._finish(update, "update_finish" if global_step is not None else scope)
            if global_step is None:
                return finish
            from scopeflow.ops import state_ops

            with ops.control_dependencies([finish]):
                return state_ops.assign_add(global_step, 1, name=scope).op

    def _updates(self, pairs, name: str):
        """The fused dense update, plus one sparse update per IndexedSlices gradient."""
        hyper = self._hyper()
        if not any(isinstance(g, IndexedSlices) for g, _ in pairs):
            return self._fused_updates(pairs, hyper, name)
        # Updates are in place and a gradient may read another variable (d(w*v)/dw = v):
        # with several update ops, none may start before every gradient is computed.
        with ops.control_dependencies(_gradient_ops(pairs)):
            dense, sparse = [], []
            for grad, var in pairs:
                if not isinstance(grad, IndexedSlices):
                    dense.append((grad, var))
                    continue
                with ops.name_scope("update_" + var.op.name), ops.device(var.device):
                    update = self._apply_sparse(grad, var, hyper)
                    if update is None:
                        dense.append((densify(grad), var))
                    else:
                        sparse.append(update)
            if not sparse:
                return self._fused_updates(dense, hyper, name)
            if dense:
                sparse.insert(0, self._fused_updates(dense, hyper, "update"))
        return control_flow_ops.group(*sparse, name=name)

    def _apply_sparse(self, grad, var, hyper):
        """The op updating the rows of `var` that `grad` (an IndexedSlices) names, or None
        to densify `grad` into the fused update. `hyper` is `_hyper()`'s list."""
        del grad, var, hyper

    def _fused_updates(self, pairs, hyper, name: str):
        """One fused update op per device the variables ask for (one, as a rule)."""
        by_device: dict[str, list] = {}
        for grad, var in pairs:
            by_device.setdefault(var.device, []).append((grad, var))
        updates = []
        for device, group in by_device.items():
            rows = [[var, *(slots[var] for slots in self._slots)] for _, var in group]
            grads = [ops.convert_to_tensor(g) for g, _ in group]
            with ops.device(device):
                updates.append(training_ops.fused_apply(
                    self._op_type, rows, hyper, grads,
                    name=name if len(by_device) == 1 else "update"))
        if len(updates) == 1:
            return updates[0]
        return control_flow_ops.group(*updates, name=name)

    def minimize(self, loss, global_step=None, var_list=None, gate_gradients=GATE_OP,
                 aggregation_method=None, colocate_gradients_with_ops=False, name=None):
        """compute_gradients then apply_gradients; raises when no variable gets a gradient."""
        grads_and_vars = self.compute_gradients(loss, var_list=var_list)
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def _check_pairs(self, grads_and_vars):
        variables = _variables()
        pairs = []
        for grad, var in grads_and_vars:
            if not isinstance(var, variables.Variable):
                raise TypeError(f"Variable must be a tf.Variable: {var!r}")
            if grad is None:
                continue
            if not isinstance(grad, (ops.Tensor, IndexedSlices)):
                raise TypeError(f"Gradient must be a Tensor, IndexedSlices, or None: {grad!r}")
            if grad.dtype.base_dtype != var.dtype.base_dtype:
                raise ValueError(
                    f"Gradient dtype {grad.dtype.name} does not match variable "
                    f"'{var.op.name}' of dtype {var.dtype.base_dtype.name}"
                )
            if not var.dtype.base_dtype.is_floating:
                raise ValueError(f"Invalid type {var.dtype.name} for {var.op.name}, expected "
                                 "a floating type")
            pairs.append((grad, var))
        if not pairs:
            raise ValueError(
                "No gradients provided for any variable: "
                f"{[v.op.name for _, v in grads_and_vars]}"
            )
        return pairs

    # -- slots ----------------------------------------------------------------------------
    def get_slot_names(self) -> list[str]:
        return list(self._slot_names)

    def get_slot(self, var, name: str):
        """The slot variable `name` ('m', 'v', 'momentum', ... see get_slot_names) of `var`."""
        names = self.get_slot_names()
        if name not in names:
            return None
        return self._slots[names.index(name)].get(var)

    def _create_slots(self, var_list) -> None:
        graph = ops.get_default_graph()
        for var in var_list:
            for index, init in enumerate(self._slot_inits):
                if var not in self._slots[index]:
                    self._slots[index][var] = self._make_slot(graph, var, init)

    def _make_slot(self, graph, var, init: float):
        # A fresh scope at the root: `<var>/<Name>`, then `_1`, ... for the next slot.
        with graph.name_scope(None), graph.name_scope(f"{var.op.name}/{self._name}") as scope, \
                ops.device(var.device):
            value = constant_op.fill(
                _shape_of(var), constant_op.constant(init, dtype=var.dtype.base_dtype))
            return _variables().Variable(value, name=scope, trainable=False)

    def _hyper(self) -> list:
        raise NotImplementedError

    def _finish(self, update, name: str):
        """Ops to run after the update (Adam's beta powers); returns the op that ends it."""
        return update

    def _constant(self, value, name: str):
        if isinstance(value, ops.Tensor):
            return value
        return constant_op.constant(value, dtype=dtypes.float32, name=name)


def _gradient_ops(pairs):
    tensors = []
    for grad, _ in pairs:
        if isinstance(grad, IndexedSlices):
            tensors += [grad.values, grad.indices]
        else:
            tensors.append(grad)
    return list(dict.fromkeys(t.op for t in tensors))


def _shape_of(var):
    shape = var.get_shape()
    if shape.is_fully_defined():
        return shape.as_list()
    from scopeflow.ops import array_ops

    return array_ops.shape(var.initialized_value())
