"""tf.Variable and the functions that initialize, list and inspect variables."""

from __future__ import annotations

import numpy as np

from scopeflow.framework import dtypes, ops, overloads, tensor_shape
from scopeflow.framework.graph import GraphKeys
from scopeflow.framework.registry import NotDifferentiable, register_op
from scopeflow.ops import control_flow_ops, state_ops

__all__ = [
    "Variable", "all_variables", "assert_variables_initialized", "initialize_all_variables",
    "initialize_variables", "is_variable_initialized", "moving_average_variables",
    "report_uninitialized_variables", "trainable_variables",
]


class Variable:
    """A variable: a Variable op, its initializer (Assign) and a `read` snapshot (Identity).

    `initial_value` is a Tensor or anything convertible to one, or a callable returning one
    (called under the variable's name scope). The value itself lives in each Session.
    """

    def __init__(self, initial_value=None, trainable=True, collections=None,
                 validate_shape=True, name=None, dtype=None):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if collections is None:
            collections = [GraphKeys.VARIABLES]
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        init_inputs = [] if callable(initial_value) else [initial_value]
        with ops.op_scope(init_inputs, name, "Variable") as scope:
            if callable(initial_value):
                with ops.name_scope("Initializer"):
                    initial_value = initial_value()
            self._initial_value = ops.convert_to_tensor(
                initial_value, dtype=dtype, name="initial_value")
            shape = self._initial_value.get_shape()
            if validate_shape and not shape.is_fully_defined():
                raise ValueError(f"initial_value must have a shape specified: "
                                 f"{self._initial_value!r}")
            if not validate_shape:
                shape = tensor_shape.unknown_shape()
            self._variable = state_ops.variable_op(
                shape, self._initial_value.dtype.base_dtype, name=scope)
            self._initializer_op = state_ops.assign(
                self._variable, self._initial_value, validate_shape=validate_shape).op
            self._snapshot = control_flow_ops.identity(self._variable, name="read")
        for key in collections:
            ops.add_to_collection(key, self)

    # -- graph elements -------------------------------------------------------------------
    def _as_graph_element(self):
        return self._variable

    def value(self) -> ops.Tensor:
        """The variable's value (its `read` snapshot)."""
        return self._snapshot

    def ref(self) -> ops.Tensor:
        return self._variable

    @property
    def initializer(self) -> ops.Operation:
        return self._initializer_op

    @property
    def initial_value(self) -> ops.Tensor:
        return self._initial_value

    def initialized_value(self) -> ops.Tensor:
        """The value, initializing the variable first: use it to initialize another one."""
        with ops.control_dependencies(None), ops.control_dependencies([self._initializer_op]):
            return control_flow_ops.identity(self._variable)

    # -- properties -----------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._variable.name

    @property
    def op(self) -> ops.Operation:
        return self._variable.op

    @property
    def dtype(self) -> dtypes.DType:
        return self._variable.dtype

    @property
    def device(self) -> str:
        return self._variable.device

    @property
    def graph(self):
        return self._variable.graph

    def get_shape(self) -> tensor_shape.TensorShape:
        return self._variable.get_shape()

    @property
    def shape(self) -> tensor_shape.TensorShape:
        return self.get_shape()

    # -- running --------------------------------------------------------------------------
    def eval(self, session=None):
        return self._variable.eval(session=session)

    def assign(self, value, use_locking=False) -> ops.Tensor:
        return state_ops.assign(self._variable, value, use_locking=use_locking)

    def assign_add(self, delta, use_locking=False) -> ops.Tensor:
        return state_ops.assign_add(self._variable, delta, use_locking=use_locking)

    def assign_sub(self, delta, use_locking=False) -> ops.Tensor:
        return state_ops.assign_sub(self._variable, delta, use_locking=use_locking)

    def count_up_to(self, limit) -> ops.Tensor:
        return state_ops.count_up_to(self._variable, limit)

    def scatter_sub(self, sparse_delta, use_locking=False) -> ops.Tensor:
        """Subtracts an IndexedSlices (values, indices) from rows of this variable."""
        return state_ops.scatter_sub(self._variable, sparse_delta.indices,
                                     sparse_delta.values, use_locking=use_locking)

    def __iter__(self):
        raise TypeError("'Variable' object is not iterable.")

    def __repr__(self) -> str:
        return (f"<tf.Variable '{self.name}' shape={self.get_shape()} "
                f"dtype={self.dtype.name}>")


def _to_tensor(value: Variable, dtype=None, name=None, as_ref=False) -> ops.Tensor:
    return value._variable if as_ref else value.value()


ops.register_tensor_conversion_function(Variable, _to_tensor)
overloads.install(Variable)


def all_variables() -> list[Variable]:
    return ops.get_collection(GraphKeys.VARIABLES)


def trainable_variables() -> list[Variable]:
    return ops.get_collection(GraphKeys.TRAINABLE_VARIABLES)


def moving_average_variables() -> list[Variable]:
    return ops.get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES)


def initialize_variables(var_list, name="init") -> ops.Operation:
    """An op that runs the initializers of `var_list` (a NoOp when it is empty)."""
    var_list = list(var_list)
    if not var_list:
        return control_flow_ops.no_op(name=name)
    return control_flow_ops.group(*[v.initializer for v in var_list], name=name)


def initialize_all_variables() -> ops.Operation:
    return initialize_variables(all_variables())


def is_variable_initialized(variable) -> ops.Tensor:
    return state_ops.is_variable_initialized(variable)


def assert_variables_initialized(var_list=None) -> ops.Operation:
    """An op that fails with FailedPrecondition when running it finds one uninitialized."""
    var_list = all_variables() if var_list is None else list(var_list)
    with ops.op_scope([], None, "assert_variables_initialized") as scope:
        reads = [v.value().op for v in var_list]
        return control_flow_ops.group(*reads, name=scope) if reads else \
            control_flow_ops.no_op(name=scope)


# -- report_uninitialized_variables --------------------------------------------------------
def _report_infer(op):
    return [(dtypes.string, tensor_shape.unknown_shape(1))]


def _report_kernel(ctx, *initialized):
    names = ctx.attrs["var_names"]
    missing = [n.encode() for n, flag in zip(names, initialized) if not bool(flag)]
    out = np.empty(len(missing), dtype=object)
    out[:] = missing
    return out


register_op("ReportUninitializedVariables", infer=_report_infer, kernel=_report_kernel,
            stateful=True)
NotDifferentiable("ReportUninitializedVariables")


def report_uninitialized_variables(var_list=None,
                                   name="report_uninitialized_variables") -> ops.Tensor:
    """A 1-D string tensor: the op names of the variables not yet initialized."""
    var_list = all_variables() if var_list is None else list(var_list)
    with ops.op_scope([], name, "report_uninitialized_variables") as scope:
        flags = [state_ops.is_variable_initialized(v) for v in var_list]
        attrs = {"var_names": [v.op.name for v in var_list]}
        return ops.apply_op("ReportUninitializedVariables", flags, attrs, name=scope).outputs[0]
