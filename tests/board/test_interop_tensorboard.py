"""Interop with the real TensorBoard, both ways.

Files written by board.events are loaded by TensorBoard's EventAccumulator with identical
contents; files written by TensorBoard's own writer and by torch.utils.tensorboard are read
by board.events with identical contents.
"""

from __future__ import annotations

import numpy as np
import pytest
from board import summary
from board.events import EventFileReader, EventFileWriter, read_events
from board.proto import event_pb2, graph_pb2, step_stats_pb2
from google.protobuf import text_format
from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader
from tensorboard.compat.proto import config_pb2 as tb_config_pb2
from tensorboard.compat.proto import event_pb2 as tb_event_pb2
from tensorboard.compat.proto import graph_pb2 as tb_graph_pb2
from tensorboard.compat.proto import summary_pb2 as tb_summary_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter as TBEventFileWriter
from tensorboard.util import tensor_util

pytestmark = pytest.mark.timeout(120)

KEEP_ALL = {ea.SCALARS: 0, ea.HISTOGRAMS: 0, ea.IMAGES: 0, ea.AUDIO: 0, ea.TENSORS: 0,
            ea.COMPRESSED_HISTOGRAMS: 0}


def accumulate(logdir) -> ea.EventAccumulator:
    acc = ea.EventAccumulator(str(logdir), size_guidance=KEEP_ALL)
    acc.Reload()
    return acc


def summary_event(step: int, s, wall_time: float | None = None) -> event_pb2.Event:
    return event_pb2.Event(wall_time=1000.0 + step if wall_time is None else wall_time,
                           step=step, summary=s)


def small_graph() -> graph_pb2.GraphDef:
    g = graph_pb2.GraphDef()
    x = g.node.add(name="input/x", op="Placeholder", device="/cpu:0")
    x.attr["dtype"].type = 1
    w = g.node.add(name="layer/w", op="Variable")
    w.attr["shape"].shape.dim.add(size=3)
    g.node.add(name="layer/MatMul", op="MatMul", input=["input/x", "layer/w"])
    g.versions.producer = 5
    return g


# -- ours -> TensorBoard ---------------------------------------------------------------------

def test_tensorboard_loads_our_scalars_identically(tmp_path):
    rng = np.random.default_rng(0)
    values = rng.normal(size=50).astype(np.float32)
    with EventFileWriter(str(tmp_path)) as w:
        for step, v in enumerate(values):
            if step % 2:
                w.add_scalar("loss", float(v), step=step, wall_time=1000.0 + step / 7)
            else:
                w.add_event(summary_event(step, summary.scalar("loss", v), 1000.0 + step / 7))
    got = [(e.step, e.wall_time, e.value) for e in accumulate(tmp_path).Scalars("loss")]
    assert got == [(s, 1000.0 + s / 7, float(v)) for s, v in enumerate(values)]


def test_tensorboard_loads_our_histograms_identically(tmp_path):
    rng = np.random.default_rng(1)
    batches = [rng.normal(scale=s, size=300) for s in (0.1, 1.0, 30.0)]
    protos = [summary.histogram_proto(b) for b in batches]
    with EventFileWriter(str(tmp_path)) as w:
        for step, b in enumerate(batches):
            w.add_event(summary_event(step, summary.histogram("w", b)))
    events = accumulate(tmp_path).Histograms("w")
    assert [e.step for e in events] == [0, 1, 2]
    for e, p in zip(events, protos, strict=True):
        h = e.histogram_value
        assert (h.min, h.max, h.num, h.sum, h.sum_squares) == (
            p.min, p.max, p.num, p.sum, p.sum_squares)
        assert list(h.bucket_limit) == list(p.bucket_limit)
        assert list(h.bucket) == list(p.bucket)


def test_tensorboard_loads_our_images_and_audio_identically(tmp_path):
    pixels = np.random.default_rng(2).integers(0, 256, (6, 9, 3), np.uint8)
    clip = np.sin(np.arange(400) / 10.0)
    with EventFileWriter(str(tmp_path)) as w:
        w.add_event(summary_event(3, summary.image("pic", pixels)))
        w.add_event(summary_event(4, summary.audio("voice", clip, 8000)))
    acc = accumulate(tmp_path)
    [img] = acc.Images("pic")
    assert (img.step, img.width, img.height) == (3, 9, 6)
    assert img.encoded_image_string == summary.encode_png(pixels)
    [aud] = acc.Audio("voice")
    assert (aud.step, aud.sample_rate, aud.length_frames) == (4, 8000, 400)
    assert aud.content_type == "audio/wav"
    assert aud.encoded_audio_string == summary.encode_wav(clip, 8000)


def test_tensorboard_loads_our_graph_identically(tmp_path):
    graph = small_graph()
    with EventFileWriter(str(tmp_path)) as w:
        w.add_event(event_pb2.Event(wall_time=1.0, graph_def=graph.SerializeToString()))
    theirs = accumulate(tmp_path).Graph()
    assert isinstance(theirs, tb_graph_pb2.GraphDef)
    assert text_format.MessageToString(theirs) == text_format.MessageToString(graph)
    assert [n.name for n in theirs.node] == ["input/x", "layer/w", "layer/MatMul"]


def test_tensorboard_text_plugin_reads_our_text(tmp_path):
    with EventFileWriter(str(tmp_path)) as w:
        w.add_event(summary_event(2, summary.text("notes", [["a", "b"], ["c", "d"]])))
    acc = accumulate(tmp_path)
    assert "notes" in acc.PluginTagToContent("text")
    [t] = acc.Tensors("notes")
    assert t.step == 2
    assert tensor_util.make_ndarray(t.tensor_proto).tolist() == [[b"a", b"b"], [b"c", b"d"]]


# -- TensorBoard / torch -> ours -------------------------------------------------------------

def assert_same_events(path):
    """board.events reads the same events as TensorBoard's loader, field for field."""
    raw = list(RawEventFileLoader(str(path)).Load())
    ours = list(read_events(str(path)))
    assert EventFileReader(str(path)).read_new_serialized() == raw
    assert len(ours) == len(raw) > 1
    for mine, data in zip(ours, raw, strict=True):
        theirs = tb_event_pb2.Event.FromString(data)
        assert text_format.MessageToString(mine) == text_format.MessageToString(theirs)
        assert mine.SerializeToString() == data  # nothing unknown, nothing lost
    return ours


def test_we_read_tensorboards_event_file_writer(tmp_path):
    tb_writer = TBEventFileWriter(str(tmp_path))
    for step in range(20):
        tb_writer.add_event(tb_event_pb2.Event(
            wall_time=500.0 + step, step=step, summary=tb_summary_pb2.Summary(value=[
                tb_summary_pb2.Summary.Value(tag="acc", simple_value=step / 3)])))
    histo = tb_summary_pb2.HistogramProto(min=-1, max=2, num=3, sum=1, sum_squares=5,
                                          bucket_limit=[0, 1, 2.5], bucket=[1, 1, 1])
    tb_writer.add_event(tb_event_pb2.Event(wall_time=9.0, step=21, summary=tb_summary_pb2.Summary(
        value=[tb_summary_pb2.Summary.Value(tag="h", histo=histo)])))
    tb_writer.add_event(tb_event_pb2.Event(wall_time=9.5, graph_def=tb_graph_pb2.GraphDef(
        node=[{"name": "a", "op": "Const"}]).SerializeToString()))
    tb_writer.close()
    [path] = tmp_path.iterdir()
    ours = assert_same_events(path)
    assert ours[0].file_version == "brain.Event:2"
    scalars = [(e.step, e.wall_time, e.summary.value[0].simple_value)
               for e in ours if e.HasField("summary") and e.summary.value[0].tag == "acc"]
    assert scalars == [(s, 500.0 + s, np.float32(s / 3)) for s in range(20)]
    assert ours[-2].summary.value[0].histo.bucket_limit == [0, 1, 2.5]
    assert graph_pb2.GraphDef.FromString(ours[-1].graph_def).node[0].name == "a"


def test_we_read_torch_summary_writer(tmp_path):
    torch = pytest.importorskip("torch")
    from torch.utils.tensorboard import SummaryWriter

    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU())
    with SummaryWriter(str(tmp_path)) as sw:
        for step in range(5):
            sw.add_scalar("train/loss", 1.0 / (step + 1), step, walltime=100.0 + step)
        sw.add_histogram("w", np.arange(10.0), 5)
        sw.add_image("img", np.ones((3, 4, 5), np.float32), 6)
        sw.add_text("note", "hello", 7)
        sw.add_audio("clip", torch.zeros(100), 8, sample_rate=8000)
        sw.add_graph(model, torch.zeros(1, 4))
    [path] = tmp_path.glob("events.out.tfevents.*")
    ours = assert_same_events(path)
    scalars = [(e.step, e.wall_time, e.summary.value[0].simple_value) for e in ours
               if e.HasField("summary") and e.summary.value[0].tag == "train/loss"]
    assert scalars == [(s, 100.0 + s, np.float32(1.0 / (s + 1))) for s in range(5)]
    by_tag = {v.tag: v for e in ours if e.HasField("summary") for v in e.summary.value}
    assert by_tag["w"].histo.num == 10
    assert by_tag["img"].image.encoded_image_string.startswith(b"\x89PNG")
    assert by_tag["note/text_summary"].tensor.string_val == [b"hello"]
    assert by_tag["clip"].audio.length_frames == 100
    # The graph and its run metadata parse with our protos exactly as with TensorBoard's.
    [graph_event] = [e for e in ours if e.graph_def]
    mine = graph_pb2.GraphDef.FromString(graph_event.graph_def)
    theirs = tb_graph_pb2.GraphDef.FromString(graph_event.graph_def)
    assert text_format.MessageToString(mine) == text_format.MessageToString(theirs)
    # Maps (attr) serialize in no fixed order unless asked to.
    assert mine.SerializeToString(deterministic=True) == theirs.SerializeToString(
        deterministic=True
    )
    assert any("Linear" in n.name for n in mine.node)
    [meta_event] = [e for e in ours if e.HasField("tagged_run_metadata")]
    data = meta_event.tagged_run_metadata.run_metadata
    assert text_format.MessageToString(step_stats_pb2.RunMetadata.FromString(data)) == (
        text_format.MessageToString(tb_config_pb2.RunMetadata.FromString(data)))
