"""GraphDef -> name-scope tree: parents, aggregated edges, devices, structure signatures."""

from __future__ import annotations

import pytest
from board.graph.hierarchy import Hierarchy
from board.graph_json import GraphDecodeError
from graph_defs import dense, graph, model


@pytest.fixture(scope="module")
def tree() -> Hierarchy:
    return Hierarchy(model())


def names(node) -> list[str]:
    return [f"{c.kind}:{c.name}" for c in node.children]


def edge_map(tree, scope):
    return {(e.source.name, e.target.name): (e.count, e.control)
            for e in tree.visible_edges(tree.scopes[scope])}


def test_root_holds_top_level_scopes_and_ops_only(tree):
    assert names(tree.root) == [
        "scope:gradients", "op:init", "scope:layer1", "scope:layer2", "scope:layer3",
        "scope:loss", "scope:train", "op:x"]
    assert names(tree.scopes["gradients"]) == ["scope:gradients/layer3"]
    assert names(tree.scopes["gradients/layer3"]) == ["scope:gradients/layer3/MatMul_grad"]


def test_op_whose_name_is_a_scope_is_shown_inside_that_scope(tree):
    assert names(tree.scopes["loss"]) == ["op:loss", "op:loss/grad"]
    assert tree.ops["loss"].parent is tree.scopes["loss"]
    assert tree.scopes["loss"].op_count == 2


def test_edges_aggregate_onto_the_sibling_pair_below_the_lowest_common_scope(tree):
    assert edge_map(tree, "") == {
        ("x", "layer1"): (1, False),
        ("layer1", "layer2"): (1, False),
        ("layer2", "layer3"): (1, False),
        ("layer3", "loss"): (2, False),  # Relu and add: two tensors, one edge
        ("layer3", "gradients"): (1, False),
        ("layer2", "gradients"): (1, False),
        ("loss", "gradients"): (2, False),
        ("layer3", "train"): (1, False),
        ("gradients", "train"): (1, False),
        ("loss", "train"): (1, True),
        ("layer1", "init"): (2, True), ("layer2", "init"): (2, True),
        ("layer3", "init"): (2, True),
    }
    assert edge_map(tree, "loss") == {("loss", "loss/grad"): (1, False)}
    assert edge_map(tree, "train") == {("train/update", "train/step"): (1, True)}


def test_output_index_is_stripped_and_control_edges_flagged(tree):
    # layer2's MatMul reads "layer1/Relu:0"; the grad tuple waits on "^...MatMul".
    assert edge_map(tree, "layer2")[("layer2/MatMul_1", "layer2/add_1")] == (1, False)
    assert edge_map(tree, "gradients/layer3/MatMul_grad") == {
        ("gradients/layer3/MatMul_grad/MatMul", "gradients/layer3/MatMul_grad/tuple"):
            (1, True),
        ("gradients/layer3/MatMul_grad/MatMul_1", "gradients/layer3/MatMul_grad/tuple"):
            (1, True)}


def test_mixed_data_and_control_edges_are_not_control(tree):
    both = Hierarchy(graph(("a/x", "Const"), ("b/y", "Identity", ["a/x", "^a/x"])))
    assert edge_map(both, "") == {("a", "b"): (2, False)}


def test_identical_blocks_share_structure_whatever_their_op_names(tree):
    layer1, layer2, layer3 = (tree.scopes[f"layer{i}"] for i in (1, 2, 3))
    assert layer1.structure == layer2.structure
    # layer3 has the same op types but its Relu reads MatMul, not add.
    assert layer3.structure != layer1.structure
    assert tree.ops["layer1/MatMul"].structure == "MatMul"


def test_structure_tells_apart_edge_direction_and_nested_blocks():
    forward = Hierarchy(graph(("a/p", "Const"), ("a/q", "Identity", ["a/p"]),
                              ("b/p", "Const"), ("b/q", "Identity", ["^b/p"])))
    assert forward.scopes["a"].structure != forward.scopes["b"].structure
    nested = Hierarchy(graph(*dense("m/l1", "x"), *dense("n/l1", "x"), *dense("o/l2", "x"),
                             ("x", "Placeholder")))
    assert nested.scopes["m"].structure == nested.scopes["n"].structure
    assert nested.scopes["m"].structure == nested.scopes["o"].structure  # names don't count
    assert len(nested.scopes["m"].structure) == 12


def test_devices_are_counted_per_scope_with_empty_for_unplaced_ops(tree):
    assert dict(tree.root.devices) == {"/cpu:0": 3, "/gpu:0": 16, "": 5}
    assert tree.scopes["layer1"].shared_device == "/gpu:0"
    assert dict(tree.scopes["train"].devices) == {"/gpu:0": 1, "": 1}
    assert tree.scopes["train"].shared_device is None
    assert tree.root.op_count == 24 == len(tree.ops)


def test_inputs_the_graph_does_not_define_are_skipped():
    tree = Hierarchy(graph(("a/y", "Relu", ["missing:1", "^gone"])))
    assert tree.edges == {} and tree.scopes["a"].op_count == 1


def test_undecodable_bytes_raise_graph_decode_error():
    with pytest.raises(GraphDecodeError):
        Hierarchy(b"\xff\xff\xff")


def test_describe_prints_one_line_per_node_and_edge(tree):
    text = tree.describe()
    assert "layer1 [scope ops=5 structure=" in text
    assert "  MatMul [MatMul] {'/gpu:0': 1}" in text
    assert "loss -> train x1 control" in text
