"""Loading event files into a Store: incremental tailing, partial records, corruption,
restarts, discovery of runs (local and fsspec), TensorFlow 2 style tensor summaries."""

import logging
import os
import struct

import fsspec
import numpy as np
import pytest
from board.events import EventFileWriter, encode_scalar_event
from board.ingest import Logdir, LogdirReloader, discover, parse_logdir_spec
from board.ingest.file_loader import EventFileLoader
from board.proto import event_pb2, graph_pb2, node_def_pb2
from board.records import encode_record
from board.store import Store


def scalar_record(tag, value, step, wall=1000.0):
    return encode_record(encode_scalar_event(tag, value, step, wall + step))


def steps(store, run, tag):
    return store.get(run).scalars[tag].columns().step.tolist()


def load(path, store, run="r", loader=None):
    loader = loader or EventFileLoader(str(path))
    loader.load(store, run)
    return loader


def test_appended_records_are_read_once(tmp_path):
    path = tmp_path / "events.out.tfevents.1.h"
    path.write_bytes(b"".join(scalar_record("loss", i, i) for i in range(1, 100)))
    store = Store()
    loader = load(path, store)
    with open(path, "ab") as f:
        f.write(b"".join(scalar_record("loss", i, i) for i in range(100, 150)))
    load(path, store, loader=loader)
    load(path, store, loader=loader)
    assert steps(store, "r", "loss") == list(range(1, 150))
    assert loader.offset == os.path.getsize(path)


def test_partial_record_waits_until_complete(tmp_path):
    path = tmp_path / "events.out.tfevents.1.h"
    rec = scalar_record("loss", 9.0, 9)
    path.write_bytes(scalar_record("loss", 1.0, 1) + rec[:10])
    store = Store()
    loader = load(path, store)
    assert steps(store, "r", "loss") == [1]
    with open(path, "ab") as f:
        f.write(rec[10:])
    load(path, store, loader=loader)
    assert steps(store, "r", "loss") == [1, 9]


def test_record_longer_than_a_chunk_is_read_whole(tmp_path):
    path = tmp_path / "events.out.tfevents.1.h"
    graph = graph_pb2.GraphDef(node=[node_def_pb2.NodeDef(name=f"n{i}", op="Const")
                                     for i in range(5000)])
    event = event_pb2.Event(wall_time=1.0, step=1, graph_def=graph.SerializeToString())
    path.write_bytes(encode_record(event.SerializeToString()) + scalar_record("a", 1.0, 2))
    store = Store()
    loader = EventFileLoader(str(path), chunk_size=1024)
    loader.load(store, "r")
    assert store.get("r").graph_def == graph.SerializeToString()
    assert steps(store, "r", "a") == [2]


def test_corrupt_record_is_skipped_with_warning_naming_file_and_offset(tmp_path, caplog):
    path = tmp_path / "events.out.tfevents.1.h"
    records = [scalar_record("loss", i, i) for i in range(1, 60)]
    bad_offset = sum(len(r) for r in records[:30])
    data = bytearray(b"".join(records))
    data[bad_offset + 20] ^= 0xFF  # inside record 31's payload
    path.write_bytes(bytes(data))
    store = Store()
    with caplog.at_level(logging.WARNING):
        loader = load(path, store)
    assert steps(store, "r", "loss") == [s for s in range(1, 60) if s != 31]
    assert any(str(path) in m and str(bad_offset) in m for m in caplog.messages)
    with open(path, "ab") as f:  # the file keeps being followed after the corruption
        f.write(scalar_record("loss", 99.0, 99))
    load(path, store, loader=loader)
    assert steps(store, "r", "loss")[-1] == 99


def test_garbage_length_resyncs_on_next_record(tmp_path, caplog):
    path = tmp_path / "events.out.tfevents.1.h"
    good = [scalar_record("loss", i, i) for i in range(1, 10)]
    path.write_bytes(b"".join(good[:4]) + b"\xff" * 13 + b"".join(good[4:]))
    store = Store()
    with caplog.at_level(logging.WARNING):
        load(path, store)
    assert steps(store, "r", "loss") == list(range(1, 10))
    assert any("corrupt" in m for m in caplog.messages)


def test_session_start_purges_points_at_and_after_restart_step(tmp_path):
    path = tmp_path / "events.out.tfevents.1.h"
    restart = event_pb2.Event(wall_time=5.0, step=50,
                              session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START))
    path.write_bytes(b"".join(scalar_record("loss", i, i) for i in range(1, 80))
                     + encode_record(restart.SerializeToString())
                     + b"".join(scalar_record("loss", -i, i) for i in range(50, 60)))
    store = Store()
    load(path, store)
    cols = store.get("r").scalars["loss"].columns()
    assert cols.step.tolist() == list(range(1, 60))
    assert cols.value[-10:].tolist() == [-float(i) for i in range(50, 60)]


def test_tensor_summaries_of_tensorboard_plugins_are_understood(tmp_path):
    from tensorboard.compat.proto import event_pb2 as tb_event_pb2
    from tensorboard.compat.proto import summary_pb2 as tb_summary_pb2
    from tensorboard.plugins.histogram import metadata as hist_meta
    from tensorboard.plugins.scalar import metadata as scalar_meta
    from tensorboard.plugins.text import metadata as text_meta
    from tensorboard.util import tensor_util

    def event(step, tag, array, metadata):
        value = tb_summary_pb2.Summary.Value(
            tag=tag, tensor=tensor_util.make_tensor_proto(array), metadata=metadata)
        return tb_event_pb2.Event(wall_time=10.0 + step, step=step,
                                  summary=tb_summary_pb2.Summary(value=[value]))

    hist = np.array([[0.0, 1.0, 3.0], [1.0, 2.0, 5.0]])
    events = [
        event(1, "acc", np.float64(0.1), scalar_meta.create_summary_metadata("Acc", "d")),
        event(2, "acc", np.float64(0.2), scalar_meta.create_summary_metadata("Acc", "d")),
        event(1, "w", hist, hist_meta.create_summary_metadata("", "")),
        event(1, "note", np.array([b"hello"], dtype=object),
              text_meta.create_summary_metadata("", "")),
    ]
    path = tmp_path / "events.out.tfevents.1.h"
    path.write_bytes(b"".join(encode_record(e.SerializeToString()) for e in events))
    store = Store()
    load(path, store)
    run = store.get("r")
    assert run.scalars["acc"].columns().value.tolist() == [0.1, 0.2]
    assert run.tag_info[("scalars", "acc")].display_name == "Acc"
    h = run.histograms["w"][0]
    assert h.bucket_limit.tolist() == [1.0, 2.0] and h.bucket.tolist() == [3.0, 5.0]
    assert h.min == 0.0 and h.max == 2.0 and h.num == 8.0
    assert run.text["note"][0].strings == ("hello",)


def test_histograms_images_graph_and_run_metadata_are_kept(tmp_path):
    from board.summary import encode_png, histogram, image

    png = encode_png(np.zeros((4, 3, 3), np.uint8))
    with EventFileWriter(str(tmp_path / "run")) as w:
        w.add_event(event_pb2.Event(wall_time=1.0, step=1, summary=histogram("h", np.arange(10.0))))
        w.add_event(event_pb2.Event(wall_time=1.0, step=1,
                                    summary=image("im", np.zeros((4, 3, 3), np.uint8))))
        w.add_event(event_pb2.Event(wall_time=1.0, step=1, graph_def=b""))
        w.add_event(event_pb2.Event(wall_time=1.0, step=1, tagged_run_metadata=event_pb2.
                                    TaggedRunMetadata(tag="step1", run_metadata=b"\x01")))
    store = Store()
    LogdirReloader(store, [Logdir(str(tmp_path))], 0).reload()
    run = store.get("run")
    assert run.histograms["h"][0].num == 10
    assert run.images["im"][0].encoded == png and run.images["im"][0].width == 3
    assert run.graph_def == b"" and run.run_metadata == {"step1": b"\x01"}


def write_run(root, name, n=3):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "events.out.tfevents.1.host"), "wb") as f:
        f.write(b"".join(scalar_record("loss", i, i) for i in range(1, n + 1)))


def test_runs_at_any_depth_and_deleted_runs_disappear(tmp_path):
    write_run(tmp_path, ".")
    write_run(tmp_path, "a")
    write_run(tmp_path, "b/c/d")
    os.makedirs(tmp_path / "empty")
    store = Store()
    reloader = LogdirReloader(store, [Logdir(str(tmp_path))], 0)
    reloader.reload()
    assert sorted(store.run_names()) == [".", "a", "b/c/d"]
    for f in os.listdir(tmp_path / "a"):
        os.remove(tmp_path / "a" / f)
    reloader.reload()
    assert sorted(store.run_names()) == [".", "b/c/d"]


def test_files_of_a_run_are_read_in_name_order(tmp_path):
    d = tmp_path / "run"
    d.mkdir()
    (d / "events.out.tfevents.2.h").write_bytes(scalar_record("x", 2.0, 2))
    (d / "events.out.tfevents.1.h").write_bytes(scalar_record("x", 1.0, 1))
    store = Store()
    LogdirReloader(store, [Logdir(str(tmp_path))], 0).reload()
    assert steps(store, "run", "x") == [1, 2]


def test_memory_filesystem_logdir_and_named_spec():
    fs = fsspec.filesystem("memory")
    with fs.open("/ingest-test/exp/run1/events.out.tfevents.1.h", "wb") as f:
        f.write(b"".join(scalar_record("loss", i, i) for i in range(1, 5)))
    logdirs = parse_logdir_spec("first:memory://ingest-test/exp")
    assert logdirs == [Logdir("memory://ingest-test/exp", "first")]
    store = Store()
    reloader = LogdirReloader(store, logdirs, 0)
    reloader.reload()
    assert store.run_names() == ["first/run1"]
    with fs.open("/ingest-test/exp/run1/events.out.tfevents.1.h", "ab") as f:
        f.write(scalar_record("loss", 5.0, 5))
    reloader.reload()
    assert steps(store, "first/run1", "loss") == [1, 2, 3, 4, 5]
    fs.rm("/ingest-test", recursive=True)


@pytest.mark.parametrize("spec, expected", [
    ("/logs", [Logdir("/logs")]),
    ("s3://bucket/x", [Logdir("s3://bucket/x")]),
    ("a:/x,b:s3://y/z", [Logdir("/x", "a"), Logdir("s3://y/z", "b")]),
])
def test_logdir_spec_forms(spec, expected):
    assert parse_logdir_spec(spec) == expected


def test_discover_ignores_files_without_tfevents(tmp_path):
    (tmp_path / "notes.txt").write_bytes(struct.pack("<Q", 3))
    assert discover(Logdir(str(tmp_path))) == {}
