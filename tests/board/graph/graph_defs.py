"""GraphDefs built by hand for the graph view's tests (the board never imports scopeflow)."""

from __future__ import annotations

from board.proto import graph_pb2, node_def_pb2


def graph(*nodes: tuple) -> bytes:
    """`graph(("x", "Placeholder"), ("a/y", "Relu", ["x"], "/gpu:0"), ...)` serialized."""
    defs = []
    for name, op, *rest in nodes:
        inputs = rest[0] if rest else []
        device = rest[1] if len(rest) > 1 else ""
        defs.append(node_def_pb2.NodeDef(name=name, op=op, input=inputs, device=device))
    return graph_pb2.GraphDef(node=defs).SerializeToString()


def dense(scope: str, x: str, device: str = "/gpu:0", suffix: str = "") -> list[tuple]:
    """A fully connected layer as TF 0.6 names it; `suffix` renames its ops (MatMul_1...)
    without changing its structure."""
    return [
        (f"{scope}/weights", "Variable", [], device),
        (f"{scope}/biases", "Variable", [], device),
        (f"{scope}/MatMul{suffix}", "MatMul", [x, f"{scope}/weights"], device),
        (f"{scope}/add{suffix}", "Add", [f"{scope}/MatMul{suffix}", f"{scope}/biases"], device),
        (f"{scope}/Relu{suffix}", "Relu", [f"{scope}/add{suffix}"], device),
    ]


def model() -> bytes:
    """Two identical layers, a third wired differently, a loss on the CPU, an optimizer
    with control edges, a nested gradients scope and an op named like its scope."""
    return graph(
        ("x", "Placeholder", [], "/cpu:0"),
        *dense("layer1", "x"),
        *dense("layer2", "layer1/Relu:0", suffix="_1"),
        ("layer3/weights", "Variable", [], "/gpu:0"),
        ("layer3/biases", "Variable", [], "/gpu:0"),
        ("layer3/MatMul", "MatMul", ["layer2/Relu_1", "layer3/weights"], "/gpu:0"),
        ("layer3/add", "Add", ["layer3/MatMul", "layer3/biases"], "/gpu:0"),
        ("layer3/Relu", "Relu", ["layer3/MatMul"], "/gpu:0"),
        ("loss", "Mean", ["layer3/Relu", "layer3/add"], "/cpu:0"),
        ("loss/grad", "Identity", ["loss"], "/cpu:0"),
        ("gradients/layer3/MatMul_grad/MatMul", "MatMul", ["loss/grad", "layer3/weights"]),
        ("gradients/layer3/MatMul_grad/MatMul_1", "MatMul", ["loss/grad", "layer2/Relu_1"]),
        ("gradients/layer3/MatMul_grad/tuple", "NoOp",
         ["^gradients/layer3/MatMul_grad/MatMul", "^gradients/layer3/MatMul_grad/MatMul_1"]),
        ("train/update", "ApplyGradientDescent",
         ["layer3/weights", "gradients/layer3/MatMul_grad/MatMul_1", "^loss"], "/gpu:0"),
        ("train/step", "NoOp", ["^train/update"]),
        ("init", "NoOp", ["^layer1/weights", "^layer1/biases", "^layer2/weights",
                          "^layer2/biases", "^layer3/weights", "^layer3/biases"]),
    )


def scaled(scopes: int = 50, ops_per_scope: int = 40) -> bytes:
    """scopes x ops_per_scope ops: a chain per scope running down into two nested
    sub-scopes, each scope reading the one before it and waiting on the one before that
    (a DAG at every level)."""
    nodes = []
    third = ops_per_scope // 3

    def name(s: int, i: int) -> str:
        sub = "" if i < third else "inner/" if i < 2 * third else "inner/deep/"
        return f"block{s}/{sub}op{i}"

    for s in range(scopes):
        for i in range(ops_per_scope):
            inputs = [name(s, i - 1)] if i else []
            if i == 0 and s > 0:
                inputs.append(name(s - 1, ops_per_scope - 1))
            if i == 1 and s > 1:
                inputs.append(f"^{name(s - 2, 0)}")
            nodes.append((name(s, i), ("MatMul", "Add", "Relu")[i % 3], inputs,
                          f"/gpu:{s % 2}"))
    return graph(*nodes)
