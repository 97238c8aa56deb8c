"""GraphDef export: NodeDef for each op with its attrs encoded as AttrValue protos."""

from __future__ import annotations

import numpy as np
from board.proto import attr_value_pb2, graph_pb2, node_def_pb2

from scopeflow.framework import dtypes, tensor_shape, tensor_util

# The GraphDef version TensorFlow 0.6 wrote; consumers only check it is not in the future.
GRAPH_DEF_VERSION = 5


def attr_value(value) -> attr_value_pb2.AttrValue:
    """Encodes a Python attr value (bool, int, float, str, DType, shape, array, list)."""
    out = attr_value_pb2.AttrValue()
    if isinstance(value, attr_value_pb2.AttrValue):
        out.CopyFrom(value)
    elif isinstance(value, (list, tuple)):
        out.list.SetInParent()  # an empty list is still a list value
        _fill_list(out.list, value)
    else:
        _fill_scalar(out, value)
    return out


def _fill_scalar(out, value) -> None:
    if isinstance(value, (bool, np.bool_)):
        out.b = bool(value)
    elif isinstance(value, (int, np.integer)):
        out.i = int(value)
    elif isinstance(value, (float, np.floating)):
        out.f = float(value)
    elif isinstance(value, str):
        out.s = value.encode("utf-8")
    elif isinstance(value, bytes):
        out.s = value
    elif isinstance(value, dtypes.DType):
        out.type = value.as_datatype_enum
    elif isinstance(value, tensor_shape.TensorShape):
        out.shape.CopyFrom(value.as_proto())
    elif isinstance(value, np.ndarray):
        out.tensor.CopyFrom(tensor_util.make_tensor_proto(value))
    else:
        raise TypeError(f"Cannot encode attr value {value!r} of type {type(value).__name__}")


def _fill_list(out, values) -> None:
    for v in values:
        if isinstance(v, (bool, np.bool_)):
            out.b.append(bool(v))
        elif isinstance(v, (int, np.integer)):
            out.i.append(int(v))
        elif isinstance(v, (float, np.floating)):
            out.f.append(float(v))
        elif isinstance(v, (str, bytes)):
            out.s.append(v.encode("utf-8") if isinstance(v, str) else v)
        elif isinstance(v, dtypes.DType):
            out.type.append(v.as_datatype_enum)
        elif isinstance(v, tensor_shape.TensorShape):
            out.shape.append(v.as_proto())
        elif isinstance(v, np.ndarray):
            out.tensor.append(tensor_util.make_tensor_proto(v))
        else:
            raise TypeError(f"Cannot encode attr list value {v!r} of type {type(v).__name__}")


def node_def(op, device=None) -> node_def_pb2.NodeDef:
    """The NodeDef of `op`; its device is the placed one when the op has been placed."""
    node = node_def_pb2.NodeDef(name=op.name, op=op.type)
    node.input.extend(t._as_node_def_input() for t in op.inputs)
    node.input.extend("^" + c.name for c in op.control_inputs)
    node.device = device if device is not None else (op.assigned_device or op.device)
    for key, value in op.attrs.items():
        if value is None:
            continue
        try:
            node.attr[key].CopyFrom(attr_value(value))
        except TypeError as e:
            raise TypeError(f"op '{op.name}' attr '{key}': {e}") from None
    return node


def graph_to_proto(graph, from_version=None, add_shapes=False) -> graph_pb2.GraphDef:
    out = graph_pb2.GraphDef()
    out.versions.producer = GRAPH_DEF_VERSION
    for op in graph.get_operations():
        if from_version is not None and op._id <= from_version:
            continue
        node = out.node.add()
        node.CopyFrom(node_def(op))
        if add_shapes:
            node.attr["_output_shapes"].list.shape.extend(
                t.get_shape().as_proto() for t in op.outputs
            )
    return out
