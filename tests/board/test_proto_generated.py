"""The committed generated modules match what scripts/gen_protos.py makes from protos/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_generated_modules_are_current(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_protos.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    fresh = sorted((tmp_path / "board" / "proto").glob("*_pb2.py*"))
    committed_dir = ROOT / "backend" / "board" / "proto"
    assert fresh, "protoc generated nothing"
    stale = [
        p.name for p in fresh if (committed_dir / p.name).read_bytes() != p.read_bytes()
    ]
    missing = sorted(
        {p.name for p in committed_dir.glob("*_pb2.py*")} ^ {p.name for p in fresh}
    )
    assert not stale and not missing, (
        f"run `make protos`: stale {stale}, missing or extra {missing}"
    )


def test_messages_are_wire_compatible_with_tensorboards():
    from board.proto import event_pb2, graph_pb2
    from tensorboard.compat.proto import event_pb2 as tb_event_pb2
    from tensorboard.compat.proto import graph_pb2 as tb_graph_pb2

    ours = event_pb2.Event(wall_time=12.5, step=7)
    value = ours.summary.value.add(tag="loss", simple_value=0.25)
    value.metadata.plugin_data.plugin_name = "scalars"
    theirs = tb_event_pb2.Event.FromString(ours.SerializeToString())
    assert (theirs.wall_time, theirs.step) == (12.5, 7)
    assert theirs.summary.value[0].tag == "loss"
    assert theirs.summary.value[0].simple_value == 0.25
    assert theirs.summary.value[0].metadata.plugin_data.plugin_name == "scalars"

    tb_graph = tb_graph_pb2.GraphDef()
    node = tb_graph.node.add(name="a/MatMul", op="MatMul", device="/cpu:0")
    node.input.extend(["a/x", "^a/init"])
    node.attr["T"].type = 1
    node.attr["transpose_a"].b = True
    node.attr["value"].tensor.tensor_shape.dim.add(size=3)
    node.attr["value"].tensor.float_val.extend([1.0, 2.0, 3.0])
    tb_graph.versions.producer = 27
    back = graph_pb2.GraphDef.FromString(tb_graph.SerializeToString())
    # Maps (attr) serialize in no fixed order unless asked to.
    assert back.SerializeToString(deterministic=True) == tb_graph.SerializeToString(
        deterministic=True
    )
    assert back.node[0].attr["transpose_a"].b is True
    assert list(back.node[0].attr["value"].tensor.float_val) == [1.0, 2.0, 3.0]


def test_proto_names_do_not_clash_with_tensorflows():
    from board.proto import event_pb2

    assert event_pb2.Event.DESCRIPTOR.full_name == "scopeflow.proto.Event"
