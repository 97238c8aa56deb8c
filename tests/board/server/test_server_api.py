"""The REST API of a real `python -m board` process over HTTP."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest
from board.events import EventFileWriter
from board.proto import event_pb2, graph_pb2, node_def_pb2
from board.store.smoothing import ema_debiased
from board_process import BoardProcess
from writers import write_media, write_ours, write_tensorboard


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    logdir = tmp_path_factory.mktemp("api") / "logs"
    write_ours(logdir / "ours" / "a", steps=range(1, 2001), value=lambda s: math.sin(s / 50))
    write_tensorboard(logdir / "theirs")
    write_media(logdir / "media")
    graph = graph_pb2.GraphDef(node=[
        node_def_pb2.NodeDef(name="x", op="Placeholder"),
        node_def_pb2.NodeDef(name="layer/y", op="Relu", input=["x"], device="/cpu:0")])
    with EventFileWriter(str(logdir / "media")) as w:
        w.add_event(event_pb2.Event(wall_time=1.0, graph_def=graph.SerializeToString()))
    board = BoardProcess(str(logdir))
    yield board
    board.stop()


def expected_ours():
    steps = np.arange(1, 2001)
    return steps, np.sin(steps / 50).astype(np.float32).astype(float)


def test_runs_lists_every_run_with_tags_graph_and_last_point(served):
    runs = {r["run"]: r for r in served.get("/api/runs").json()}
    assert set(runs) == {"ours/a", "theirs", "media"}
    assert runs["ours/a"]["tags"]["scalars"] == ["loss"]
    assert runs["ours/a"]["last_step"] == 2000
    assert runs["ours/a"]["last_wall_time"] == 1_700_000_000.0 + 2000
    assert runs["media"]["graph"] is True and runs["ours/a"]["graph"] is False
    assert runs["media"]["tags"] == {"scalars": [], "histograms": ["weights"],
                                     "images": ["sample"], "text": ["note"]}


def test_every_point_of_our_writer_comes_back_exactly(served):
    body = served.get("/api/scalars", run="ours/a", tag="loss").json()
    steps, values = expected_ours()
    assert body["step"] == steps.tolist()
    assert body["value"] == values.tolist()
    assert body["wall_time"] == (1_700_000_000.0 + steps).tolist()
    assert body["downsampled"] is False and body["total"] == 2000


def test_every_point_of_tensorboards_writer_comes_back_exactly(served):
    body = served.get("/api/scalars", run="theirs", tag="tb_loss").json()
    assert body["step"] == list(range(50))
    assert body["value"] == [s * 0.25 - 3.0 for s in range(50)]
    assert body["wall_time"] == [1_600_000_000.5 + s for s in range(50)]


def test_points_returns_m4_aggregate_keeping_extremes(served):
    body = served.get("/api/scalars", run="ours/a", tag="loss", points=20).json()
    _, values = expected_ours()
    assert body["downsampled"] is True and body["total"] == 2000
    assert len(body["step"]) <= 80
    assert max(body["value"]) == values.max() and min(body["value"]) == values.min()
    assert body["step"][0] == 1 and body["step"][-1] == 2000
    exact = served.get("/api/scalars", run="ours/a", tag="loss", points=5000).json()
    assert exact["downsampled"] is False and len(exact["step"]) == 2000


def test_smoothing_is_computed_on_full_series_before_downsampling(served):
    _, values = expected_ours()
    smooth = ema_debiased(values, 0.9)
    body = served.get("/api/scalars", run="ours/a", tag="loss", points=10,
                      smoothing=0.9).json()
    picked = np.array(body["step"]) - 1
    np.testing.assert_allclose(body["smoothed"], smooth[picked], rtol=1e-12)
    zoomed = served.get("/api/scalars", run="ours/a", tag="loss", start=1000, end=1010,
                        smoothing=0.9).json()
    assert zoomed["step"] == list(range(1000, 1011))
    np.testing.assert_allclose(zoomed["smoothed"], smooth[999:1010], rtol=1e-12)


def test_range_by_wall_time(served):
    body = served.get("/api/scalars", run="ours/a", tag="loss", x="wall_time",
                      start=1_700_000_000.0 + 5, end=1_700_000_000.0 + 7).json()
    assert body["step"] == [5, 6, 7]


def test_batch_returns_each_series_in_request_order(served):
    items = [{"run": "theirs", "tag": "tb_loss"}, {"run": "ours/a", "tag": "loss"}]
    body = served.client.post("/api/scalars/batch", json={"items": items, "points": 8}).json()
    assert [(b["run"], b["tag"]) for b in body] == [("theirs", "tb_loss"), ("ours/a", "loss")]
    assert body[1]["downsampled"] is True and body[0]["total"] == 50


def test_csv_and_json_downloads_hold_every_point(served):
    response = served.get("/api/scalars.csv", run="theirs", tag="tb_loss")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["wall_time", "step", "value"]
    assert [(float(w), int(s), float(v)) for w, s, v in rows[1:]] == [
        (1_600_000_000.5 + s, s, s * 0.25 - 3.0) for s in range(50)]
    table = served.get("/api/scalars.json", run="theirs", tag="tb_loss").json()
    assert table[3] == [1_600_000_003.5, 3, 3 * 0.25 - 3.0] and len(table) == 50


def test_histograms_images_text_and_graph(served):
    hist = served.get("/api/histograms", run="media", tag="weights").json()["histograms"]
    assert [h["step"] for h in hist] == [1, 2]
    assert hist[1]["num"] == 10 and hist[1]["max"] == 18.0 and sum(hist[1]["bucket"]) == 10
    images = served.get("/api/images", run="media", tag="sample").json()["images"]
    assert [(i["index"], i["step"], i["width"], i["height"]) for i in images] == [
        (0, 1, 3, 2), (1, 2, 3, 2)]
    blob = served.get("/api/images/blob", run="media", tag="sample", index=1)
    assert blob.headers["content-type"] == "image/png" and blob.content.startswith(b"\x89PNG")
    text = served.get("/api/text", run="media", tag="note").json()["text"]
    assert [t["strings"] for t in text] == [["step 1"], ["step 2"]]
    nodes = served.get("/api/graph", run="media").json()["nodes"]
    assert nodes[1] == {"name": "layer/y", "op": "Relu", "input": ["x"], "device": "/cpu:0",
                        "attr": {}}


@pytest.mark.parametrize("path, params, named", [
    ("/api/scalars", {"run": "nope", "tag": "loss"}, "'nope'"),
    ("/api/scalars", {"run": "ours/a", "tag": "nope"}, "'nope'"),
    ("/api/histograms", {"run": "media", "tag": "loss"}, "'loss'"),
    ("/api/images/blob", {"run": "media", "tag": "sample", "index": 7}, "7"),
    ("/api/graph", {"run": "ours/a"}, "'ours/a'"),
    ("/data/plugin/scalars/scalars", {"run": "x", "tag": "y"}, "'x'"),
])
def test_unknown_names_are_404_naming_them(served, path, params, named):
    response = served.get(path, **params)
    assert response.status_code == 404
    assert named in response.json()["detail"]


@pytest.mark.parametrize("params", [
    {"run": "ours/a", "tag": "loss", "points": 0},
    {"run": "ours/a", "tag": "loss", "points": "many"},
    {"run": "ours/a", "tag": "loss", "x": "epoch"},
    {"run": "ours/a", "tag": "loss", "smoothing": 1.0},
    {"run": "ours/a", "tag": "loss", "start": 10, "end": 5},
    {"run": "ours/a"},
])
def test_bad_parameters_are_422(served, params):
    response = served.get("/api/scalars", **params)
    assert response.status_code == 422, response.text
    assert served.get("/api/runs").status_code == 200  # and the server is still up


def test_bad_batch_body_is_422(served):
    bad = served.client.post("/api/scalars/batch", json={"items": [{"run": "x"}]})
    assert bad.status_code == 422
    not_json = served.client.post("/api/scalars/batch", content=b"{",
                                  headers={"content-type": "application/json"})
    assert not_json.status_code == 422


TRAVERSALS = ["../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd",
              "ours/../../../etc/passwd", "..\\..\\etc\\passwd", "%00", "\x00/etc"]


@pytest.mark.parametrize("evil", TRAVERSALS)
def test_path_traversal_in_every_parameter_reads_nothing(served, evil):
    cases = [("/api/scalars", {"run": evil, "tag": "loss"}),
             ("/api/scalars", {"run": "ours/a", "tag": evil}),
             ("/api/scalars.csv", {"run": evil, "tag": evil}),
             ("/api/scalars.json", {"run": "ours/a", "tag": evil}),
             ("/api/histograms", {"run": evil, "tag": "weights"}),
             ("/api/images", {"run": "media", "tag": evil}),
             ("/api/images/blob", {"run": "media", "tag": evil, "index": 0}),
             ("/api/images/blob", {"run": "media", "tag": "sample", "index": evil}),
             ("/api/text", {"run": evil, "tag": "note"}),
             ("/api/graph", {"run": evil}),
             ("/data/plugin/scalars/scalars", {"run": evil, "tag": evil})]
    for path, params in cases:
        response = served.get(path, **params)
        assert response.status_code in (404, 422), (path, params, response.status_code)
        assert "root:" not in response.text


@pytest.mark.parametrize("evil", ["../../../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd",
                                  "..%2f..%2f..%2fetc%2fpasswd", "/etc/passwd",
                                  "views/../../pyproject.toml", "....//....//etc/passwd"])
def test_static_files_never_leave_the_frontend_directory(served, evil):
    for url in (f"{served.url}/static/{evil}", f"{served.url}/static//{evil}"):
        response = served.client.get(url)
        assert response.status_code == 404, url
        assert "root:" not in response.text and "[project]" not in response.text


def test_index_static_files_and_vendored_plotly_are_served(served):
    index = served.get("/")
    assert index.status_code == 200 and "/static/" in index.text
    assert served.get("/static/index.html").text == index.text
    plotly = served.get("/vendor/plotly.min.js")
    assert plotly.status_code == 200 and "plotly" in plotly.text[:2000].lower()


def test_openapi_documents_every_endpoint(served):
    paths = served.get("/openapi.json").json()["paths"]
    for path in ["/api/runs", "/api/scalars", "/api/scalars/batch", "/api/scalars.csv",
                 "/api/scalars.json", "/api/histograms", "/api/images", "/api/images/blob",
                 "/api/text", "/api/graph", "/api/stream", "/data/runs",
                 "/data/plugin/scalars/tags", "/data/plugin/scalars/scalars"]:
        assert path in paths, path
    assert served.get("/docs").status_code == 200


def test_tensorboard_compatible_reads(served):
    assert set(served.get("/data/runs").json()) == {"ours/a", "theirs", "media"}
    tags = served.get("/data/plugin/scalars/tags").json()
    assert set(tags) == {"ours/a", "theirs"} and set(tags["theirs"]) == {"tb_loss"}
    rows = served.get("/data/plugin/scalars/scalars", run="theirs", tag="tb_loss").json()
    assert rows[:2] == [[1_600_000_000.5, 0, -3.0], [1_600_000_001.5, 1, -2.75]]


def test_full_resolution_json_is_valid_json(served):
    text = served.get("/api/scalars", run="ours/a", tag="loss").text
    assert json.loads(text)["total"] == 2000
