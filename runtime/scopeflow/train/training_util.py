"""Small tf.train helpers: global_step() and write_graph()."""

from __future__ import annotations

import os

from google.protobuf import text_format


def global_step(sess, global_step_tensor) -> int:
    """The value of the global step variable or tensor, as a Python int."""
    return int(sess.run(global_step_tensor))


def write_graph(graph_def, logdir: str, name: str, as_text: bool = True) -> str:
    """Write a GraphDef (text or binary protobuf) to `logdir/name`; returns the path."""
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    if as_text:
        with open(path, "w") as f:
            f.write(text_format.MessageToString(graph_def))
    else:
        with open(path, "wb") as f:
            f.write(graph_def.SerializeToString())
    return path
