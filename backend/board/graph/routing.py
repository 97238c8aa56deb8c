"""Edge polylines of a layered group: where edges leave and enter boxes, and their bends.

An edge leaves its source's bottom and enters its target's top (or the other way round for
an edge that Sugiyama reversed to break a cycle). Several edges on one side of a box are
spread along it in the order of where they head, so they do not cross at the box.
"""

from __future__ import annotations

Band = tuple[float, float]  # a layer's top and height
Dummy = tuple[float, Band]  # an edge's bend point: x, and the layer it passes through


def ports(nodes: list[dict], pairs: list[tuple[int, int]], node_layer: list[int],
          dummies: list[list[Dummy]]) -> list[tuple[float, float]]:
    """For each edge, the x where it leaves its source and where it enters its target."""
    sides: dict[tuple[int, str], list[tuple[float, int, int]]] = {}
    for e, (s, t) in enumerate(pairs):
        down = node_layer[s] <= node_layer[t]
        bends = _ordered(dummies[e], down)
        after_source = bends[0][0] if bends else _centre(nodes[t])
        before_target = bends[-1][0] if bends else _centre(nodes[s])
        sides.setdefault((s, "bottom" if down else "top"), []).append((after_source, e, 0))
        sides.setdefault((t, "top" if down else "bottom"), []).append((before_target, e, 1))
    attach = [[0.0, 0.0] for _ in pairs]
    for (i, _), ends in sides.items():
        ends.sort()
        node = nodes[i]
        for k, (_, e, end) in enumerate(ends):
            attach[e][end] = node["x"] + node["width"] * (0.2 + 0.6 * (k + 1) / (len(ends) + 1))
    return [(a, b) for a, b in attach]


def route(source: dict, target: dict, attach: tuple[float, float], down: bool,
          bends: list[Dummy]) -> list[tuple[float, float]]:
    """The polyline from the source's box to the target's box through the edge's bends,
    crossing each intermediate layer vertically so it never cuts a box of that layer."""
    if down:
        points = [(attach[0], source["y"] + source["height"])]
        for x, (top, height) in _ordered(bends, down):
            points.extend(_through(x, top, top + height))
        points.append((attach[1], target["y"]))
    else:
        points = [(attach[0], source["y"])]
        for x, (top, height) in _ordered(bends, down):
            points.extend(_through(x, top + height, top))
        points.append((attach[1], target["y"] + target["height"]))
    return points


def _through(x: float, first: float, second: float) -> list[tuple[float, float]]:
    return [(x, first)] if first == second else [(x, first), (x, second)]


def _ordered(bends: list[Dummy], down: bool) -> list[Dummy]:
    return sorted(bends, key=lambda b: b[1][0], reverse=not down)


def _centre(node: dict) -> float:
    return node["x"] + node["width"] / 2
