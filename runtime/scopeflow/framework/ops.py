"""The graph-building API: default graph, apply_op, convert_to_tensor, scopes, collections.

Graph, Operation and Tensor live in their own modules and are re-exported here, so that
`from scopeflow.framework import ops; ops.Tensor` works as in TensorFlow.
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

from scopeflow.framework import dtypes, registry
from scopeflow.framework.graph import Graph, GraphKeys
from scopeflow.framework.kernel_context import KernelContext
from scopeflow.framework.operation import Operation, Tensor

__all__ = [
    "Graph",
    "GraphKeys",
    "IndexedSlices",
    "IndexedSlicesValue",
    "KernelContext",
    "Operation",
    "Tensor",
    "add_to_collection",
    "apply_op",
    "control_dependencies",
    "convert_n_to_tensor",
    "convert_to_tensor",
    "default_graph_context",
    "device",
    "get_collection",
    "get_collection_ref",
    "get_default_graph",
    "name_scope",
    "op_scope",
    "register_tensor_conversion_function",
    "reset_default_graph",
]


class _GraphStack(threading.local):
    def __init__(self):
        self.stack: list[Graph] = []


_graph_stack = _GraphStack()
_global_graph: Graph | None = None
_global_lock = threading.Lock()


def get_default_graph() -> Graph:
    """The innermost `as_default()` graph of this thread, else the process-wide one."""
    stack = _graph_stack.stack
    if stack:
        return stack[-1]
    global _global_graph
    if _global_graph is None:
        with _global_lock:
            if _global_graph is None:
                _global_graph = Graph()
    return _global_graph


def reset_default_graph() -> None:
    """Replaces the process-wide default graph with a new, empty one."""
    global _global_graph
    if _graph_stack.stack:
        raise AssertionError("Do not use tf.reset_default_graph() inside a graph.as_default().")
    _global_graph = Graph()


@contextlib.contextmanager
def default_graph_context(graph: Graph):
    _graph_stack.stack.append(graph)
    try:
        yield graph
    finally:
        _graph_stack.stack.pop()


# -- conversion ---------------------------------------------------------------------------
_conversion_functions: list[tuple[int, type, object]] = []


def register_tensor_conversion_function(base_type, conversion_func, priority=100) -> None:
    """`conversion_func(value, dtype=None, name=None, as_ref=False) -> Tensor` for base_type."""
    _conversion_functions.append((priority, base_type, conversion_func))
    _conversion_functions.sort(key=lambda item: item[0])


def convert_to_tensor(value, dtype=None, name=None, as_ref=False) -> Tensor:
    """A Tensor for `value`: itself, a registered conversion (Variable), or a constant."""
    if isinstance(value, Tensor):
        return _check_tensor_dtype(value, dtype)
    for _, base_type, fn in _conversion_functions:
        if isinstance(value, base_type):
            return _check_tensor_dtype(fn(value, dtype=dtype, name=name, as_ref=as_ref), dtype)
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation '{value.name}' to Tensor (target dtype="
                        f"{dtype}, name={name!r}, as_ref={as_ref})")
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        from scopeflow.ops import array_ops

        return array_ops.pack(list(value), name=name or "packed")
    from scopeflow.ops import constant_op

    return constant_op.constant(value, dtype=dtype, name=name or "Const")


def convert_n_to_tensor(values, dtype=None, name=None) -> list[Tensor]:
    return [
        convert_to_tensor(v, dtype=dtype, name=None if name is None else f"{name}_{i}")
        for i, v in enumerate(values)
    ]


def _contains_tensor(values) -> bool:
    for v in values:
        if isinstance(v, (list, tuple)):
            if _contains_tensor(v):
                return True
        elif not isinstance(v, (int, float, complex, bool, str, bytes, np.generic, np.ndarray)):
            return True
    return False


def _check_tensor_dtype(tensor: Tensor, dtype) -> Tensor:
    if dtype is not None and not dtypes.as_dtype(dtype).is_compatible_with(tensor.dtype):
        raise ValueError(
            f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for Tensor with "
            f"dtype {tensor.dtype.name}: {tensor!r}"
        )
    return tensor


# -- ops ----------------------------------------------------------------------------------
def _graph_of(values, default: Graph | None = None) -> Graph:
    """The graph the Tensors/Operations among `values` live in; ValueError when they differ."""
    graph = None
    for v in values:
        g = getattr(v, "graph", None)
        if g is None or not isinstance(g, Graph):
            continue
        if graph is None:
            graph = g
        elif g is not graph:
            raise ValueError(f"{v!r} must be from the same graph as {values[0]!r}.")
    return graph or default or get_default_graph()


def apply_op(op_type: str, inputs, attrs=None, name=None) -> Operation:
    """Adds an `op_type` op: converts inputs, applies scope/device/control deps, infers outputs.

    Inputs that are not Tensors become constants named under the op's own scope
    (`add/Const`). A `name` ending in '/' is used exactly (it is a name scope string).
    """
    spec = registry.get_spec(op_type)
    graph = _graph_of(inputs)
    with default_graph_context(graph), graph.name_scope(name or op_type) as scope:
        tensors = [convert_to_tensor(x) for x in inputs]
        for t in tensors:
            if t.graph is not graph:
                raise ValueError(f"{t!r} must be from the same graph as the other inputs "
                                 f"of op '{scope[:-1]}'.")
        return graph.create_op(op_type, tensors, spec, attrs, name=scope)


# -- scopes and collections on the default graph -----------------------------------------
def name_scope(name):
    return get_default_graph().name_scope(name)


@contextlib.contextmanager
def op_scope(values, name, default_name=None):
    """Opens `name` (or `default_name`) as a name scope in the graph that `values` live in."""
    graph = _graph_of(values or [])
    with default_graph_context(graph), graph.name_scope(name or default_name) as scope:
        yield scope


def control_dependencies(control_inputs):
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function):
    return get_default_graph().device(device_name_or_function)


def add_to_collection(name, value) -> None:
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value) -> None:
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None) -> list:
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key) -> list:
    return get_default_graph().get_collection_ref(key)


def get_all_collection_keys() -> list[str]:
    return get_default_graph().get_all_collection_keys()


# IndexedSlices (Gather's gradient) densify where an op needs a Tensor; registered here so
# that `ops.IndexedSlices` exists wherever `ops` is imported, as in TensorFlow.
from scopeflow.framework.indexed_slices import (
    IndexedSlices,
    IndexedSlicesValue,
    indexed_slices_to_tensor,
)

register_tensor_conversion_function(IndexedSlices, indexed_slices_to_tensor)
