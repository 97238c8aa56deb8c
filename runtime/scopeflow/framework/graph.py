"""Graph: the container of Operations, with naming, scopes, devices, control deps, collections."""

from __future__ import annotations

import contextlib
import re
import threading

from scopeflow.framework import device_spec
from scopeflow.framework.operation import Operation, Tensor

_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\-/]*$")


class GraphKeys:
    """Standard collection names."""

    VARIABLES = "variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    LOCAL_VARIABLES = "local_variables"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    REGULARIZATION_LOSSES = "regularization_losses"
    LOSSES = "losses"
    GLOBAL_STEP = "global_step"
    SAVERS = "savers"
    INIT_OP = "init_op"
    UPDATE_OPS = "update_ops"


class _ControlDependencies:
    """One `control_dependencies` block: its control ops and the ops created inside it."""

    def __init__(self, control_ops):
        self.control_ops = list(control_ops)
        self.created: set[Operation] = set()


class Graph:
    """A TensorFlow computation: Operations connected by Tensors."""

    def __init__(self):
        self._lock = threading.Lock()
        self._ops_by_name: dict[str, Operation] = {}
        self._ops: list[Operation] = []
        self._last_id = 0
        self._names_in_use: dict[str, int] = {}
        self._name_stack = ""
        self._device_functions: list = []
        self._control_stack: list[_ControlDependencies] = []
        self._collections: dict[str, list] = {}
        self._finalized = False
        self._seed = None
        self._version = 0

    # -- construction -------------------------------------------------------------------
    def _next_id(self) -> int:
        self._last_id += 1
        return self._last_id

    def _check_not_finalized(self) -> None:
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    def create_op(self, op_type, inputs, spec, attrs=None, name=None,
                  control_inputs=()) -> Operation:
        """Adds an op whose outputs `spec.infer(op)` gives; a failing inference adds nothing."""
        self._check_not_finalized()
        name = name or op_type
        if name.endswith("/"):  # a name scope string: use it exactly
            name = name[:-1]
        else:
            name = self.unique_name(name)
        if not _VALID_OP_NAME.match(name):
            raise ValueError(f"'{name}' is not a valid node name (op type {op_type})")
        control = list(control_inputs) + self._control_dependencies_for(inputs)
        op = Operation(self, op_type, name, inputs, attrs, _dedupe(control), spec)
        op._set_outputs(spec.infer(op))
        with self._lock:
            if name in self._ops_by_name:
                raise ValueError(f"Duplicate node name in graph: '{name}'")
            op._id = self._next_id()
            op._register_consumers()
            self._ops_by_name[name] = op
            self._ops.append(op)
            self._version += 1
        self._apply_device_functions(op)
        for block in self._control_stack:
            block.created.add(op)
        return op

    def unique_name(self, name: str) -> str:
        """`name` under the current name scope, suffixed _1, _2... when already taken."""
        if self._name_stack:
            name = f"{self._name_stack}/{name}"
        count = self._names_in_use.get(name, 0)
        self._names_in_use[name] = count + 1
        if count > 0:
            base = name
            while name in self._names_in_use:
                name = f"{base}_{count}"
                count += 1
            self._names_in_use[name] = 1
        return name

    @contextlib.contextmanager
    def name_scope(self, name):
        """Opens a name scope; yields the scope string ('outer/name/'). '' or None resets it."""
        old = self._name_stack
        if name and not _VALID_SCOPE_NAME.match(name):
            raise ValueError(f"'{name}' is not a valid scope name")
        if not name:
            new = ""
        elif name.endswith("/"):
            new = name[:-1]
        else:
            new = self.unique_name(name)
        self._name_stack = new
        try:
            yield new + "/" if new else ""
        finally:
            self._name_stack = old

    def get_name_scope(self) -> str:
        return self._name_stack

    # -- devices ------------------------------------------------------------------------
    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """Ops created inside get this device; nested specs fill what inner ones leave unset."""
        if device_name_or_function is not None and not callable(device_name_or_function):
            device_name_or_function = device_spec.merge_device(device_name_or_function)
        self._device_functions.append(device_name_or_function)
        try:
            yield
        finally:
            self._device_functions.pop()

    def _apply_device_functions(self, op: Operation) -> None:
        # The innermost function decides first; outer ones fill what it left unset.
        for fn in reversed(self._device_functions):
            if fn is None:
                break
            op._set_device(fn(op))

    # -- control dependencies ------------------------------------------------------------
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run after `control_inputs`; None clears the outer blocks."""
        if control_inputs is None:
            saved, self._control_stack = self._control_stack, []
            try:
                yield
            finally:
                self._control_stack = saved
            return
        block = _ControlDependencies(self._as_control_op(c) for c in control_inputs)
        self._control_stack.append(block)
        try:
            yield
        finally:
            self._control_stack.remove(block)

    def _as_control_op(self, value) -> Operation:
        element = self.as_graph_element(value)
        return element.op if isinstance(element, Tensor) else element

    def _control_dependencies_for(self, inputs) -> list[Operation]:
        input_ops = {t.op for t in inputs}
        out: list[Operation] = []
        for block in self._control_stack:
            # An input made inside this block already runs after its control ops.
            if any(op in block.created for op in input_ops):
                continue
            out.extend(c for c in block.control_ops if c not in input_ops)
        return out

    # -- lookups ------------------------------------------------------------------------
    def get_operations(self) -> list[Operation]:
        return list(self._ops)

    def get_operation_by_name(self, name: str) -> Operation:
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        try:
            return self._ops_by_name[name]
        except KeyError:
            raise KeyError(
                f"The name '{name}' refers to an Operation not in the graph."
            ) from None

    def get_tensor_by_name(self, name: str) -> Tensor:
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        match = re.fullmatch(r"(.+):(\d+)", name)
        if match is None:
            raise ValueError(
                f"The name '{name}' looks like an (invalid) Operation name, not a Tensor. "
                "Tensor names must be of the form \"<op_name>:<output_index>\"."
            )
        op_name, index = match.group(1), int(match.group(2))
        op = self._ops_by_name.get(op_name)
        if op is None:
            raise KeyError(
                f"The name '{name}' refers to a Tensor which does not exist. The operation, "
                f"'{op_name}', does not exist in the graph."
            )
        if index >= len(op.outputs):
            raise KeyError(
                f"The name '{name}' refers to a Tensor which does not exist. The operation, "
                f"'{op_name}', exists but only has {len(op.outputs)} outputs."
            )
        return op.outputs[index]

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """Resolves a Tensor, Operation, name string or Variable-like object in this graph."""
        if hasattr(obj, "_as_graph_element"):
            obj = obj._as_graph_element()
        if isinstance(obj, str):
            if ":" in obj and allow_tensor:
                return self.get_tensor_by_name(obj)
            if ":" not in obj and allow_operation:
                return self.get_operation_by_name(obj)
            raise ValueError(f"Can not convert '{obj}' to a graph element of the expected kind.")
        if isinstance(obj, (Tensor, Operation)):
            if obj.graph is not self:
                raise ValueError(f"{type(obj).__name__} {obj!r} is not an element of this graph.")
            if isinstance(obj, Tensor) and not allow_tensor:
                raise ValueError(f"Can not convert a Tensor into an Operation: {obj!r}")
            if isinstance(obj, Operation) and not allow_operation:
                raise ValueError(f"Can not convert an Operation into a Tensor: {obj!r}")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a graph element.")

    # -- collections --------------------------------------------------------------------
    def add_to_collection(self, name: str, value) -> None:
        self._check_not_finalized()
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value) -> None:
        names = (names,) if isinstance(names, str) else set(names)
        for name in names:
            self.add_to_collection(name, value)

    def get_collection_ref(self, name: str) -> list:
        return self._collections.setdefault(name, [])

    def get_collection(self, name: str, scope=None) -> list:
        """A copy of the collection; with `scope`, only items whose name matches it."""
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        return [i for i in items if hasattr(i, "name") and re.match(scope, i.name)]

    def get_all_collection_keys(self) -> list[str]:
        return [k for k, v in self._collections.items() if v]

    def clear_collection(self, name: str) -> None:
        self._collections.pop(name, None)

    # -- misc ---------------------------------------------------------------------------
    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, value) -> None:
        self._seed = value

    @property
    def version(self) -> int:
        return self._version

    @property
    def finalized(self) -> bool:
        return self._finalized

    def finalize(self) -> None:
        self._finalized = True

    def as_graph_def(self, from_version=None, add_shapes=False):
        from scopeflow.framework import graph_def

        return graph_def.graph_to_proto(self, from_version, add_shapes)

    def as_default(self):
        from scopeflow.framework import ops

        return ops.default_graph_context(self)

    def __repr__(self) -> str:
        return f"<tf.Graph with {len(self._ops)} ops>"

    def __str__(self) -> str:
        """One line per op: `name = Type(inputs) ^control @device`."""
        lines = []
        for op in self._ops:
            args = ", ".join(t.name for t in op.inputs)
            ctrl = "".join(f" ^{c.name}" for c in op.control_inputs)
            dev = f" @{op.device}" if op.device else ""
            lines.append(f"{op.name} = {op.type}({args}){ctrl}{dev}")
        return "\n".join(lines)


def _dedupe(ops: list[Operation]) -> list[Operation]:
    seen: list[Operation] = []
    for op in ops:
        if op not in seen:
            seen.append(op)
    return seen
