"""tf.train.SummaryWriter: Summary, graph and session-log events into an event file.

Writes through board.events.EventFileWriter, so files are TensorFlow's format and the real
TensorBoard reads them. The graph written carries name scopes (in node names) and each node's
device: the one it requested, else the one a Session placed it on.
"""

from __future__ import annotations

import time

from board.events import EventFileWriter
from board.proto import event_pb2, graph_pb2, summary_pb2
from google.protobuf.message import DecodeError

from scopeflow import errors

__all__ = ["SummaryWriter", "graph_def_with_devices"]


def graph_def_with_devices(graph, graph_def=None) -> graph_pb2.GraphDef:
    """`graph`'s GraphDef (or the given one) where every node of `graph` names the device
    it runs on, in full (`/job:localhost/replica:0/task:0/cpu:0`).

    Nodes a Session already placed carry that device; the others get the device the default
    placement rules give them (the first GPU for ops with a GPU kernel when one is visible,
    else the CPU; variable writers beside their variable), which is where a Session with the
    default config runs them.
    """
    from scopeflow.client.placement import Placer

    if graph_def is None:
        graph_def = graph.as_graph_def()
    placer = None
    for node in graph_def.node:
        try:
            op = graph.get_operation_by_name(node.name)
        except (KeyError, ValueError):
            continue
        if op.type != node.op:
            continue
        if op.assigned_device:
            node.device = op.assigned_device
            continue
        placer = placer or Placer(None, log=False)
        try:
            node.device = placer.place(op)[1]
        except errors.OpError:
            pass  # pinned to a device this process lacks: the node keeps its request
    return graph_def


class SummaryWriter:
    """Writes events for TensorBoard into a new event file in `logdir`.

    `graph` (or the older `graph_def`) given here is written at once, as with `add_graph`.
    Events are queued and written by a background thread; `flush()` makes them durable.
    """

    def __init__(self, logdir: str, graph_def=None, max_queue: int = 10,
                 flush_secs: float = 120, graph=None) -> None:
        self._writer = EventFileWriter(logdir, max_queue=max_queue, flush_secs=flush_secs)
        self._closed = False
        if graph is None and graph_def is not None and not isinstance(graph_def,
                                                                      graph_pb2.GraphDef):
            # Later TensorFlow releases take a Graph as the second positional argument.
            graph, graph_def = graph_def, None
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def get_logdir(self) -> str:
        return self._writer.logdir

    @property
    def path(self) -> str:
        """The event file being written."""
        return self._writer.path

    def add_event(self, event: event_pb2.Event) -> None:
        if self._closed:
            raise ValueError(f"SummaryWriter for {self.path} is closed")
        if not event.wall_time:
            event.wall_time = time.time()
        self._writer.add_event(event)

    def add_summary(self, summary, global_step: int | None = None) -> None:
        """Add a Summary proto, or its serialized bytes as a summary op's run returns them."""
        event = event_pb2.Event(wall_time=time.time())
        if isinstance(summary, summary_pb2.Summary):
            event.summary.CopyFrom(summary)
        elif isinstance(summary, (bytes, bytearray)) or hasattr(summary, "item"):
            data = summary.item() if hasattr(summary, "item") else summary
            try:
                event.summary.ParseFromString(bytes(data))
            except DecodeError as exc:
                raise ValueError(f"add_summary: bytes are not a Summary proto ({exc})") from None
        else:
            raise TypeError(
                f"add_summary expects a Summary proto or its serialized bytes, "
                f"got {type(summary).__name__}"
            )
        if global_step is not None:
            event.step = int(global_step)
        self.add_event(event)

    def add_session_log(self, session_log, global_step: int | None = None) -> None:
        event = event_pb2.Event(wall_time=time.time(), session_log=session_log)
        if global_step is not None:
            event.step = int(global_step)
        self.add_event(event)

    def add_graph(self, graph=None, global_step: int | None = None, graph_def=None) -> None:
        """Write a Graph or a GraphDef, each node with its device (see graph_def_with_devices).

        A bare GraphDef is matched by node name against the default graph, which is where
        `sess.graph_def` in the tutorials comes from.
        """
        if graph is None and graph_def is None:
            raise ValueError("add_graph needs a graph or a graph_def")
        if graph is None:
            from scopeflow.framework import ops

            graph = ops.get_default_graph()
            graph_def_copy = graph_pb2.GraphDef()
            graph_def_copy.CopyFrom(graph_def)
            graph_def = graph_def_copy
        graph_def = graph_def_with_devices(graph, graph_def)
        event = event_pb2.Event(wall_time=time.time(), graph_def=graph_def.SerializeToString())
        if global_step is not None:
            event.step = int(global_step)
        self.add_event(event)

    def add_run_metadata(self, run_metadata, tag: str, global_step: int | None = None) -> None:
        event = event_pb2.Event(wall_time=time.time())
        event.tagged_run_metadata.tag = tag
        event.tagged_run_metadata.run_metadata = run_metadata.SerializeToString()
        if global_step is not None:
            event.step = int(global_step)
        self.add_event(event)

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        if not self._closed:
            self._writer.close()
            self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
