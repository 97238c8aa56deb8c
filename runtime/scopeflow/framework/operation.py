"""Operation and Tensor: the nodes and edges of a Graph."""

from __future__ import annotations

from scopeflow.framework import dtypes, tensor_shape


class Tensor:
    """The `value_index`-th output of an Operation: a symbolic value with static dtype/shape."""

    # numpy defers to our operators (np.float32(2) * t) instead of broadcasting over us.
    __array_priority__ = 100

    __slots__ = ("__weakref__", "_consumers", "_dtype", "_op", "_shape", "_value_index")

    def __init__(self, op: Operation, value_index: int, dtype, shape=None):
        self._op = op
        self._value_index = value_index
        self._dtype = dtypes.as_dtype(dtype)
        self._shape = tensor_shape.as_shape(shape)
        self._consumers: list[Operation] = []

    @property
    def op(self) -> Operation:
        return self._op

    @property
    def value_index(self) -> int:
        return self._value_index

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def graph(self):
        return self._op.graph

    @property
    def name(self) -> str:
        return f"{self._op.name}:{self._value_index}"

    @property
    def device(self) -> str:
        return self._op.device

    def get_shape(self) -> tensor_shape.TensorShape:
        return self._shape

    @property
    def shape(self) -> tensor_shape.TensorShape:
        return self._shape

    def set_shape(self, shape) -> None:
        """Refines the static shape; ValueError when `shape` is incompatible with it."""
        self._shape = self._shape.merge_with(shape)

    def consumers(self) -> list[Operation]:
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        from scopeflow.client import session as session_lib

        return session_lib.run_with_default(self, feed_dict, session)

    def _as_node_def_input(self) -> str:
        if self._value_index == 0:
            return self._op.name
        return f"{self._op.name}:{self._value_index}"

    def __iter__(self):
        raise TypeError("'Tensor' object is not iterable.")

    def __bool__(self):
        raise TypeError(
            "Using a `tf.Tensor` as a Python `bool` is not allowed. Use `if t is not None:` "
            "instead of `if t:` to test if a tensor is defined."
        )

    def __str__(self) -> str:
        return (f'Tensor("{self.name}", shape={self._shape!r}, dtype={self._dtype.name})')

    def __repr__(self) -> str:
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"


class Operation:
    """A node: an op type applied to input Tensors, with attrs, control inputs and a device."""

    def __init__(self, graph, op_type: str, name: str, inputs, attrs, control_inputs, spec):
        self._graph = graph
        self._type = op_type
        self._name = name
        self._inputs = tuple(inputs)
        self._attrs = dict(attrs or {})
        self._control_inputs = list(control_inputs)
        self._spec = spec
        self._device = ""
        # The device the last session placed this op on, runtime form; "" until placed.
        self._assigned_device = ""
        self._id = 0
        self._outputs: tuple[Tensor, ...] = ()

    def _set_outputs(self, output_types) -> None:
        """One (dtype, shape) per output, as the op's shape function inferred them."""
        self._outputs = tuple(
            Tensor(self, i, dtype, shape) for i, (dtype, shape) in enumerate(output_types)
        )

    def _register_consumers(self) -> None:
        for t in self._inputs:
            t._consumers.append(self)

    @property
    def name(self) -> str:
        return self._name

    @property
    def type(self) -> str:
        return self._type

    @property
    def graph(self):
        return self._graph

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        return self._inputs

    @property
    def outputs(self) -> tuple[Tensor, ...]:
        return self._outputs

    def values(self) -> tuple[Tensor, ...]:
        return self._outputs

    @property
    def control_inputs(self) -> list[Operation]:
        return list(self._control_inputs)

    @property
    def device(self) -> str:
        return self._device

    @property
    def assigned_device(self) -> str:
        return self._assigned_device

    @property
    def attrs(self) -> dict:
        return self._attrs

    @property
    def spec(self):
        return self._spec

    def get_attr(self, name: str):
        try:
            return self._attrs[name]
        except KeyError:
            raise ValueError(f"No attr named '{name}' in NodeDef: {self._name}") from None

    def _set_attr(self, name: str, value) -> None:
        self._attrs[name] = value

    def _set_device(self, device) -> None:
        from scopeflow.framework import device_spec

        self._device = device_spec.canonical_name(device)

    def _add_control_input(self, op: Operation) -> None:
        if op not in self._control_inputs:
            self._control_inputs.append(op)

    @property
    def node_def(self):
        from scopeflow.framework import graph_def

        return graph_def.node_def(self)

    def run(self, feed_dict=None, session=None) -> None:
        from scopeflow.client import session as session_lib

        session_lib.run_with_default(self, feed_dict, session)

    def __repr__(self) -> str:
        return f"<tf.Operation '{self._name}' type={self._type}>"

    def __str__(self) -> str:
        return str(self.node_def)
