"""A GraphDef as a name-scope tree with edges aggregated onto sibling pairs.

Ops are leaves; scopes are the prefixes of op names. As in TensorBoard, an op whose name is
also a scope (op `a/b` beside op `a/b/c`) is shown inside that scope, so every name scope is
one box. Each raw edge (data from `input`, control from `^input`) belongs to exactly one
group: the lowest scope holding both ends, between the two children of that scope that
contain them. That is computed once per graph; any expanded view then reads it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from board.graph_json import parse_graph_def

# Weisfeiler-Lehman refinement rounds for the structure signature: two see each child's
# neighbours' neighbours, enough to tell wiring apart in the blocks a model repeats.
_WL_ROUNDS = 2


@dataclass(eq=False)
class HNode:
    """An op or a scope. Compared by identity: op `a/b` and scope `a/b` may coexist."""

    kind: str  # "op" | "scope"
    name: str
    parent: HNode | None
    op: str | None = None
    device: str = ""
    children: list[HNode] = field(default_factory=list)
    op_count: int = 0
    devices: Counter = field(default_factory=Counter)
    structure: str = ""
    depth: int = 0

    @property
    def label(self) -> str:
        return self.name.rsplit("/", 1)[-1]

    @property
    def shared_device(self) -> str | None:
        return next(iter(self.devices)) if len(self.devices) == 1 else None


@dataclass
class GroupEdge:
    """Raw edges between two siblings, aggregated: `control` when all are control edges."""

    source: HNode
    target: HNode
    count: int = 0
    control: bool = True


class Hierarchy:
    """The scope tree of one GraphDef, with `edges[scope]` the aggregated sibling edges."""

    def __init__(self, serialized: bytes):
        nodes = list(parse_graph_def(serialized).node)
        self.root = HNode("scope", "", None)
        self.scopes: dict[str, HNode] = {"": self.root}
        self.ops: dict[str, HNode] = {}
        prefixes = {name[:i] for name in (n.name for n in nodes)
                    for i, ch in enumerate(name) if ch == "/"}
        for prefix in sorted(prefixes, key=lambda p: p.count("/")):
            self._scope(prefix)
        for node in nodes:
            parent = self.scopes[node.name if node.name in prefixes else _dirname(node.name)]
            op = HNode("op", node.name, parent, op=node.op, device=node.device,
                       op_count=1, devices=Counter({node.device: 1}), structure=node.op,
                       depth=parent.depth + 1)
            parent.children.append(op)
            self.ops[node.name] = op
        self.edges: dict[HNode, dict[tuple[HNode, HNode], GroupEdge]] = {}
        for node in nodes:
            for name in node.input:
                self._add_edge(name, node.name)
        self._summarise()

    def _scope(self, name: str) -> HNode:
        scope = self.scopes.get(name)
        if scope is None:
            parent = self._scope(_dirname(name))
            scope = HNode("scope", name, parent, depth=parent.depth + 1)
            parent.children.append(scope)
            self.scopes[name] = scope
        return scope

    def _add_edge(self, input_name: str, target_name: str) -> None:
        control = input_name.startswith("^")
        source = self.ops.get(input_name.lstrip("^").split(":", 1)[0])
        if source is None:  # an input the GraphDef does not define: nothing to draw
            return
        a, b = source, self.ops[target_name]
        if a is b:
            return
        while a.depth > b.depth:
            a = a.parent
        while b.depth > a.depth:
            b = b.parent
        while a.parent is not b.parent:
            a, b = a.parent, b.parent
        group = self.edges.setdefault(a.parent, {})
        edge = group.get((a, b))
        if edge is None:
            edge = group[(a, b)] = GroupEdge(a, b)
        edge.count += 1
        edge.control = edge.control and control

    def _summarise(self) -> None:
        """Op counts, devices and structure signatures, children before parents."""
        for scope in sorted(self.scopes.values(), key=lambda s: -s.depth):
            for child in scope.children:
                scope.op_count += child.op_count
                scope.devices.update(child.devices)
            scope.children.sort(key=lambda c: (c.name, c.kind))
            scope.structure = _structure(scope, self.edges.get(scope, {}))

    def visible_edges(self, scope: HNode) -> list[GroupEdge]:
        return list(self.edges.get(scope, {}).values())

    def describe(self) -> str:
        """An indented text form, one line per node, for tests and bug reports."""
        lines: list[str] = []

        def walk(node: HNode, indent: str) -> None:
            for child in node.children:
                what = child.op if child.kind == "op" else (
                    f"scope ops={child.op_count} structure={child.structure}")
                lines.append(f"{indent}{child.label} [{what}] {dict(child.devices)}")
                walk(child, indent + "  ")
            for edge in self.visible_edges(node):
                kind = " control" if edge.control else ""
                lines.append(f"{indent}{edge.source.label} -> {edge.target.label}"
                             f" x{edge.count}{kind}")

        walk(self.root, "")
        return "\n".join(lines)


def _dirname(name: str) -> str:
    return name.rsplit("/", 1)[0] if "/" in name else ""


def _structure(scope: HNode, edges: dict[tuple[HNode, HNode], GroupEdge]) -> str:
    """A name-free signature of a scope's inside: child kinds and op types (or their own
    signatures), refined by the aggregated edges between them, so `layer_1` and `layer_2`
    built by one function share it whatever their op names."""
    labels = {c: f"{c.kind}:{c.structure}" for c in scope.children}
    for _ in range(_WL_ROUNDS):
        outs: dict[HNode, list] = {c: [] for c in scope.children}
        ins: dict[HNode, list] = {c: [] for c in scope.children}
        for edge in edges.values():
            outs[edge.source].append((labels[edge.target], edge.count, edge.control))
            ins[edge.target].append((labels[edge.source], edge.count, edge.control))
        labels = {c: _hash(repr((labels[c], sorted(outs[c]), sorted(ins[c]))))
                  for c in scope.children}
    edge_terms = sorted((labels[e.source], labels[e.target], e.count, e.control)
                        for e in edges.values())
    return _hash(repr((sorted(labels.values()), edge_terms)))[:12]


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
