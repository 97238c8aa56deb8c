import numpy as np
import pytest
import scopeflow as tf
from board.proto import graph_pb2, types_pb2
from scopeflow.framework import graph_def as graph_def_lib
from scopeflow.framework import tensor_util


@pytest.fixture(autouse=True)
def graph():
    with tf.Graph().as_default() as g:
        yield g


def test_graph_def_has_one_node_per_op_with_inputs_and_control_inputs(graph):
    a = tf.constant([1.0, 2.0], name="a")
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    with tf.control_dependencies([a]):
        tf.identity(x, name="y")
    gd = graph.as_graph_def()
    assert isinstance(gd, graph_pb2.GraphDef)
    nodes = {n.name: n for n in gd.node}
    assert [n.name for n in gd.node] == ["a", "x", "y"]
    assert list(nodes["y"].input) == ["x", "^a"]
    assert nodes["x"].attr["dtype"].type == types_pb2.DT_FLOAT
    assert [d.size for d in nodes["x"].attr["shape"].shape.dim] == [-1, 2]
    value = tensor_util.make_ndarray(nodes["a"].attr["value"].tensor)
    np.testing.assert_array_equal(value, [1.0, 2.0])
    assert gd.versions.producer > 0


def test_second_output_is_named_with_its_index():
    node = graph_def_lib.node_def
    a = tf.constant([[1, 2], [3, 4]])
    parts = tf.split(0, 2, a)
    y = tf.identity(parts[1], name="second")
    assert list(node(y.op).input) == [parts[1].op.name + ":1"]


@pytest.mark.parametrize("value, field, expected", [
    (True, "b", True), (3, "i", 3), (0.5, "f", 0.5), ("s", "s", b"s"),
    (tf.int64, "type", types_pb2.DT_INT64),
])
def test_attr_values_are_encoded_by_python_type(value, field, expected):
    encoded = graph_def_lib.attr_value(value)
    assert getattr(encoded, field) == expected


def test_list_attrs_and_shapes_are_encoded():
    assert list(graph_def_lib.attr_value([1, 2]).list.i) == [1, 2]
    assert list(graph_def_lib.attr_value(["a", "b"]).list.s) == [b"a", b"b"]
    shape = graph_def_lib.attr_value(tf.TensorShape([None, 3])).shape
    assert [d.size for d in shape.dim] == [-1, 3]
    assert graph_def_lib.attr_value([]).HasField("list")


def test_unencodable_attr_names_the_op_and_attr(graph):
    c = tf.constant(1.0, name="c")
    c.op._set_attr("weird", object())
    with pytest.raises(TypeError, match="op 'c' attr 'weird'"):
        graph.as_graph_def()


def test_string_and_numeric_tensor_protos_round_trip():
    for value in (np.arange(6, dtype=np.int64).reshape(2, 3), np.array([b"a", b"bc"], object),
                  np.array(2.5, np.float64), np.array([True, False])):
        proto = tensor_util.make_tensor_proto(value)
        back = tensor_util.make_ndarray(proto)
        assert back.shape == value.shape
        assert back.tolist() == value.tolist()
