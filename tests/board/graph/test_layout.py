"""The nested layout: boxes inside their parents, no overlaps, edges from box to box, and
the layered order following the edges."""

from __future__ import annotations

import pytest
from board.graph import cache
from board.graph.hierarchy import Hierarchy
from board.graph.layout import TITLE_H, layout, visible_expanded
from graph_defs import graph, model, scaled


@pytest.fixture(scope="module")
def tree() -> Hierarchy:
    return Hierarchy(model())


def by_name(group: dict) -> dict[str, dict]:
    return {node["name"]: node for node in group["nodes"]}


def inside(point, box, slack=0.01) -> bool:
    x, y = point
    return (box["x"] - slack <= x <= box["x"] + box["width"] + slack
            and box["y"] - slack <= y <= box["y"] + box["height"] + slack)


def on_border(point, box) -> bool:
    x, y = point
    return inside(point, box) and min(abs(y - box["y"]), abs(y - box["y"] - box["height"]),
                                      abs(x - box["x"]),
                                      abs(x - box["x"] - box["width"])) < 0.01


def overlap(a, b) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def check_group(group: dict, acyclic: bool = True) -> int:
    """Asserts the layout's invariants on a group and every expanded group inside it;
    returns how many groups it checked."""
    nodes = by_name(group)
    frame = {"x": 0, "y": 0, "width": group["width"], "height": group["height"]}
    title = TITLE_H if group["name"] else 0.0  # an expanded scope keeps room for its name
    for node in group["nodes"]:
        assert node["width"] > 0 and node["height"] > 0 and node["y"] >= title
        corners = [(node["x"], node["y"]),
                   (node["x"] + node["width"], node["y"] + node["height"])]
        assert all(inside(c, frame) for c in corners), node["name"]
    for i, a in enumerate(group["nodes"]):
        for b in group["nodes"][i + 1:]:
            assert not overlap(a, b), (a["name"], b["name"])
    for edge in group["edges"]:
        source, target = nodes[edge["source"]], nodes[edge["target"]]
        assert on_border(edge["points"][0], source), edge
        assert on_border(edge["points"][-1], target), edge
        assert all(inside(p, frame) for p in edge["points"])
        if acyclic:
            assert source["y"] + source["height"] <= target["y"], edge
    checked = 1
    for node in group["nodes"]:
        assert node["expanded"] == (node["group"] is not None)
        if node["group"] is not None:
            inner = node["group"]
            assert inner["name"] == node["name"]
            assert (inner["width"], inner["height"]) == (node["width"], node["height"])
            checked += check_group(inner, acyclic)
    return checked


def test_collapsed_root_shows_top_level_nodes_only(tree):
    root = layout(tree, [])
    assert root["name"] == ""
    assert sorted(by_name(root)) == ["gradients", "init", "layer1", "layer2", "layer3",
                                     "loss", "train", "x"]
    assert not any(node["expanded"] for node in root["nodes"])
    assert check_group(root) == 1


def test_nodes_carry_counts_devices_and_structure(tree):
    nodes = by_name(layout(tree, []))
    assert nodes["layer1"]["kind"] == "scope" and nodes["layer1"]["op"] is None
    assert nodes["layer1"]["op_count"] == 5 and nodes["layer1"]["device"] == "/gpu:0"
    assert nodes["layer1"]["structure"] == nodes["layer2"]["structure"]
    assert nodes["train"]["device"] is None
    assert nodes["train"]["devices"] == {"/gpu:0": 1, "": 1}
    assert nodes["x"] | {"x": 0, "y": 0} == {
        "name": "x", "label": "x", "kind": "op", "op": "Placeholder", "op_count": 1,
        "device": "/cpu:0", "devices": {"/cpu:0": 1}, "structure": "Placeholder",
        "x": 0, "y": 0, "width": nodes["x"]["width"], "height": nodes["x"]["height"],
        "expanded": False, "group": None}


def test_collapsed_scope_is_bigger_than_an_op_with_the_same_label():
    nodes = by_name(layout(Hierarchy(graph(("ab", "Const"), ("cd/q", "Const"))), []))
    assert nodes["cd"]["height"] > nodes["ab"]["height"]
    assert nodes["cd"]["width"] > nodes["ab"]["width"]


def test_longer_labels_get_wider_boxes():
    nodes = by_name(layout(Hierarchy(graph(("a", "Const"), ("a_much_longer_name", "Const"))),
                           []))
    assert nodes["a_much_longer_name"]["width"] > nodes["a"]["width"]


def test_expanding_nests_children_inside_the_parent_box(tree):
    root = layout(tree, ["layer1", "gradients", "gradients/layer3", "loss"])
    assert check_group(root) == 5
    layer1 = by_name(root)["layer1"]
    assert layer1["expanded"] and sorted(by_name(layer1["group"])) == [
        "layer1/MatMul", "layer1/Relu", "layer1/add", "layer1/biases", "layer1/weights"]
    collapsed = by_name(layout(tree, []))["layer1"]
    assert layer1["width"] > collapsed["width"] and layer1["height"] > collapsed["height"]
    grad = by_name(by_name(root)["gradients"]["group"])["gradients/layer3"]
    assert grad["expanded"]
    assert not by_name(grad["group"])["gradients/layer3/MatMul_grad"]["expanded"]


def test_inner_edges_keep_their_counts_and_control_flags(tree):
    root = layout(tree, ["train", "layer3"])
    edges = {(e["source"], e["target"]): e for e in root["edges"]}
    assert edges[("layer3", "loss")]["count"] == 2
    assert edges[("loss", "train")]["control"] is True
    assert edges[("layer3", "loss")]["control"] is False
    train = by_name(root)["train"]["group"]
    assert [(e["source"], e["target"], e["count"], e["control"]) for e in train["edges"]] == [
        ("train/update", "train/step", 1, True)]


def test_unknown_and_hidden_expanded_names_are_ignored(tree):
    plain = layout(tree, [])
    assert layout(tree, ["nope", "layer1/MatMul", "gradients/layer3"]) == plain
    assert visible_expanded(tree, ["gradients/layer3", "gradients", "x", ""]) == frozenset(
        {"gradients", "gradients/layer3"})


def test_layers_follow_edges_in_a_long_chain():
    chain = [("n0", "Const")] + [(f"n{i}", "Identity", [f"n{i - 1}"]) for i in range(1, 8)]
    skip = [("far", "Add", ["n0", "n7"])]  # spans every layer: bends around the chain
    root = layout(Hierarchy(graph(*chain, *skip)), [])
    check_group(root)
    ys = [by_name(root)[f"n{i}"]["y"] for i in range(8)]
    assert ys == sorted(ys) and len(set(ys)) == 8
    long_edge = next(e for e in root["edges"] if e["source"] == "n0" and e["target"] == "far")
    assert len(long_edge["points"]) > 2


def test_a_cycle_still_lays_out_with_edges_from_box_to_box():
    loop = graph(("a/x", "Merge", ["b/y"]), ("b/y", "NextIteration", ["a/x"]))
    check_group(layout(Hierarchy(loop), ["a", "b"]), acyclic=False)


def test_empty_graph_is_an_empty_root():
    root = layout(Hierarchy(graph()), [])
    assert root["nodes"] == [] and root["edges"] == [] and root["width"] > 0


def test_two_thousand_ops_in_fifty_scopes_lay_out_root_and_an_expanded_scope():
    tree = Hierarchy(scaled(scopes=50, ops_per_scope=40))
    assert tree.root.op_count == 2000 and len(tree.root.children) == 50
    root = layout(tree, [])
    check_group(root)
    assert len(root["edges"]) == 49 + 48
    opened = layout(tree, ["block7", "block7/inner"])
    assert check_group(opened) == 3
    block7 = by_name(opened)["block7"]["group"]
    assert sum(n["op_count"] for n in block7["nodes"]) == 40


def test_cache_serves_equal_views_from_one_entry(monkeypatch):
    cache.clear()
    calls = []
    real = cache.layout
    monkeypatch.setattr(cache, "layout", lambda *a: calls.append(a) or real(*a))
    serialized = model()
    first = cache.layout_json(serialized, ["layer1"])
    assert cache.layout_json(serialized, ["layer1", "unknown"]) is first
    assert cache.layout_json(bytes(serialized), ["layer1"]) is first  # same graph, new bytes
    assert len(calls) == 1
    cache.layout_json(serialized, [])
    assert len(calls) == 2
