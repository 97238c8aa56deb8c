"""A serialized GraphDef as plain JSON nodes (name, op, inputs, device, attrs).

Attribute values use protobuf's JSON mapping; large tensor contents are summarised so a
graph with big constants stays a small response.
"""

from __future__ import annotations

from google.protobuf import json_format
from google.protobuf.message import DecodeError

from board.proto import graph_pb2

_MAX_TENSOR_BYTES = 1024


class GraphDecodeError(ValueError):
    pass


def parse_graph_def(serialized: bytes) -> graph_pb2.GraphDef:
    """The stored GraphDef, or GraphDecodeError when its bytes do not parse."""
    graph = graph_pb2.GraphDef()
    try:
        graph.ParseFromString(serialized)
    except DecodeError as err:
        raise GraphDecodeError(f"stored GraphDef does not parse: {err}") from err
    return graph


def graph_to_json(serialized: bytes) -> list[dict]:
    graph = parse_graph_def(serialized)
    return [{
        "name": node.name,
        "op": node.op,
        "input": list(node.input),
        "device": node.device,
        "attr": {key: _attr(value) for key, value in sorted(node.attr.items())},
    } for node in graph.node]


def _attr(value) -> object:
    if value.WhichOneof("value") == "tensor" and (
            len(value.tensor.tensor_content) > _MAX_TENSOR_BYTES):
        tensor = value.tensor
        dims = [d.size for d in tensor.tensor_shape.dim]
        return {"tensor": {"dtype": tensor.dtype, "shape": dims,
                           "content_bytes": len(tensor.tensor_content)}}
    return json_format.MessageToDict(value)
