"""The nested layout of a Hierarchy for a set of expanded scopes (/api/graph/layout).

Each group (the root, or an expanded scope) is laid out on its own, children first so an
expanded child's box is known before its parent places it. igraph's Sugiyama layout assigns
layers and the order within each layer (crossing reduction), with a dummy point wherever an
edge spans layers; coordinates are ours, because boxes differ in size: a layer is as tall as
its tallest box, and boxes in a layer keep igraph's order with their widths and a gap
between them. Edges are polylines through their dummy points, so they pass between boxes.
Top to bottom: inputs above outputs, as in TensorBoard.
"""

from __future__ import annotations

import igraph

from board.graph.hierarchy import GroupEdge, Hierarchy, HNode
from board.graph.routing import ports, route

CHAR_W = 7.0  # px per character of an 11px monospace-ish label
OP_H = 24.0
SCOPE_H = 36.0
MIN_W, MAX_LABEL_CHARS = 48.0, 40
PAD = 16.0  # inside a group, around its content
TITLE_H = 28.0  # an expanded scope's title bar
HGAP, VGAP = 24.0, 40.0
DUMMY_W = 8.0  # room an edge passing through a layer takes in it


def visible_expanded(hierarchy: Hierarchy, expanded) -> frozenset[str]:
    """The expanded names that change the picture: scopes whose ancestors are all expanded
    (unknown names and scopes hidden inside collapsed ones are dropped, so a stale URL
    still works and equal views share a cache entry)."""
    wanted = {name for name in expanded if name in hierarchy.scopes and name}
    out = set()
    for name in wanted:
        scope = hierarchy.scopes[name].parent
        while scope is not hierarchy.root and scope.name in wanted:
            scope = scope.parent
        if scope is hierarchy.root:
            out.add(name)
    return frozenset(out)


def layout(hierarchy: Hierarchy, expanded) -> dict:
    """The root Group (see /work/HELPERS2.md's contract) with `expanded` scopes opened."""
    return _group(hierarchy, hierarchy.root, visible_expanded(hierarchy, expanded))


def _collapsed_size(node: HNode) -> tuple[float, float]:
    chars = min(len(node.label), MAX_LABEL_CHARS)
    if node.kind == "op":
        return max(MIN_W, chars * CHAR_W + 16.0), OP_H
    # A scope's box also shows its op count, and is a little larger than an op's.
    chars += len(str(node.op_count)) + 2
    return _round4(max(MIN_W + 16.0, chars * CHAR_W + 28.0)), SCOPE_H


def _round4(value: float) -> float:
    return float(-(-value // 4) * 4)


def _group(hierarchy: Hierarchy, scope: HNode, expanded: frozenset[str]) -> dict:
    nodes = []
    for child in scope.children:
        inner = None
        if child.kind == "scope" and child.name in expanded:
            inner = _group(hierarchy, child, expanded)
            width, height = inner["width"], inner["height"]
        else:
            width, height = _collapsed_size(child)
        nodes.append(_node_json(child, width, height, inner))
    edges = hierarchy.visible_edges(scope)
    content_w, content_h, edge_points = _place(nodes, edges, scope.children)
    top = TITLE_H if scope.parent is not None else 0.0
    for node in nodes:
        node["x"] = round(node["x"] + PAD, 1)
        node["y"] = round(node["y"] + PAD + top, 1)
    edges_json = [{
        "source": edge.source.name, "target": edge.target.name, "count": edge.count,
        "control": edge.control,
        "points": [[round(x + PAD, 1), round(y + PAD + top, 1)] for x, y in points],
    } for edge, points in zip(edges, edge_points, strict=True)]
    min_w = (len(scope.label) + 8) * CHAR_W  # the title bar stays readable
    return {"name": scope.name,
            "width": round(max(content_w, min_w) + 2 * PAD, 1),
            "height": round(content_h + 2 * PAD + top, 1),
            "nodes": nodes, "edges": edges_json}


def _node_json(child: HNode, width: float, height: float, inner: dict | None) -> dict:
    return {
        "name": child.name, "label": child.label, "kind": child.kind, "op": child.op,
        "op_count": child.op_count,
        "device": child.device if child.kind == "op" else child.shared_device,
        "devices": dict(child.devices), "structure": child.structure,
        "x": 0.0, "y": 0.0, "width": width, "height": height,
        "expanded": inner is not None, "group": inner,
    }


def _place(nodes: list[dict], edges: list[GroupEdge], children: list[HNode]
           ) -> tuple[float, float, list[list[tuple[float, float]]]]:
    """Sets each node's x, y (content coordinates); returns the content size and each
    edge's polyline."""
    if not nodes:
        return 0.0, 0.0, []
    index = {child: i for i, child in enumerate(children)}
    pairs = [(index[e.source], index[e.target]) for e in edges]
    graph = igraph.Graph(n=len(nodes), edges=pairs, directed=True)
    sugiyama = graph.layout_sugiyama(weights=[e.count for e in edges] or None)
    node_layer = [round(y) for _, y in sugiyama.coords[:len(nodes)]]
    layers = _layer_items(nodes, node_layer, sugiyama)
    centre = _centres(layers, DUMMY_W + HGAP)
    left = min(centre[key] - width / 2 for items in layers.values() for _, width, key in items)
    bands = _bands(nodes, layers)
    for layer, items in layers.items():
        top, height = bands[layer]
        for _, width, key in items:
            if key[0] == "node":
                node = nodes[key[1]]
                node["x"] = centre[key] - width / 2 - left
                node["y"] = top + (height - node["height"]) / 2
    dummies = [[(centre[("dummy", e, k)] - left, bands[round(y)])
                for k, (_, y) in enumerate(points)]
               for e, points in enumerate(sugiyama.edge_routing)]
    attach = ports(nodes, pairs, node_layer, dummies)
    polylines = [route(nodes[s], nodes[t], attach[e], node_layer[s] <= node_layer[t],
                       dummies[e])
                 for e, (s, t) in enumerate(pairs)]
    width = max([n["x"] + n["width"] for n in nodes]
                + [x + DUMMY_W / 2 for bends in dummies for x, _ in bends])
    height = max(n["y"] + n["height"] for n in nodes)
    return width, height, polylines


Item = tuple[float, float, tuple]  # igraph's x, our width, ("node", i) | ("dummy", edge, k)


def _layer_items(nodes: list[dict], node_layer: list[int], sugiyama) -> dict[int, list[Item]]:
    """Per layer, its nodes and the dummy points of edges spanning it, in igraph's order."""
    layers: dict[int, list[Item]] = {}
    for i, (x, _) in enumerate(sugiyama.coords[:len(nodes)]):
        layers.setdefault(node_layer[i], []).append((x, nodes[i]["width"], ("node", i)))
    for e, points in enumerate(sugiyama.edge_routing):
        for k, (x, y) in enumerate(points):
            layers.setdefault(round(y), []).append((x, DUMMY_W, ("dummy", e, k)))
    for items in layers.values():
        items.sort(key=lambda item: item[0])
    return layers


def _centres(layers: dict[int, list[Item]], unit: float) -> dict[tuple, float]:
    return {key: x for items in layers.values()
            for key, x in zip((item[2] for item in items), _spread(items, unit), strict=True)}


def _bands(nodes: list[dict], layers: dict[int, list[Item]]) -> dict[int, tuple[float, float]]:
    """Each layer's top and height: as tall as its tallest box, below the layers above."""
    bands = {}
    y = 0.0
    for layer in sorted(layers):
        height = max((nodes[key[1]]["height"] for _, _, key in layers[layer]
                      if key[0] == "node"), default=0.0)
        bands[layer] = (y, height)
        y += height + VGAP
    return bands


def _spread(items: list[Item], unit: float) -> list[float]:
    """Centres near igraph's x (in units of a typical box), in igraph's order, with no two
    boxes closer than HGAP; shifted back so the layer sits where igraph wanted it."""
    centres = []
    for k, (x, width, _) in enumerate(items):
        want = x * unit
        if k:
            _, prev_w, _ = items[k - 1]
            want = max(want, centres[-1] + (prev_w + width) / 2 + HGAP)
        centres.append(want)
    shift = sum(c - x * unit for c, (x, _, _) in zip(centres, items, strict=True)) / len(items)
    return [c - shift for c in centres]
