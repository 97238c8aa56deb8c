"""Writing test logdirs with our writer and with the real tensorboard package's."""

from __future__ import annotations

import numpy as np
from board.events import EventFileWriter
from board.proto import event_pb2
from board.summary import histogram, image, text


def write_ours(run_dir, tag="loss", steps=range(1, 101), value=lambda s: 1.0 / s):
    with EventFileWriter(str(run_dir)) as w:
        for s in steps:
            w.add_scalar(tag, value(s), step=s, wall_time=1_700_000_000.0 + s)


def write_media(run_dir):
    with EventFileWriter(str(run_dir)) as w:
        for s in (1, 2):
            w.add_event(event_pb2.Event(wall_time=10.0 + s, step=s,
                                        summary=histogram("weights", np.arange(10.0) * s)))
            pixels = np.full((2, 3, 3), 40 * s, np.uint8)
            w.add_event(event_pb2.Event(wall_time=10.0 + s, step=s,
                                        summary=image("sample", pixels)))
            w.add_event(event_pb2.Event(wall_time=10.0 + s, step=s,
                                        summary=text("note", [f"step {s}"])))


def write_tensorboard(run_dir, tag="tb_loss", steps=range(50)):
    """With tensorboard's own EventFileWriter and protos (not ours)."""
    from tensorboard.compat.proto import event_pb2 as tb_event
    from tensorboard.compat.proto import summary_pb2 as tb_summary
    from tensorboard.summary.writer.event_file_writer import EventFileWriter as TBWriter

    writer = TBWriter(str(run_dir))
    for s in steps:
        value = tb_summary.Summary.Value(tag=tag, simple_value=s * 0.25 - 3.0)
        writer.add_event(tb_event.Event(wall_time=1_600_000_000.5 + s, step=s,
                                        summary=tb_summary.Summary(value=[value])))
    writer.close()
