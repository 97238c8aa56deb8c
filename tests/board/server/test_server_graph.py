"""GET /api/graph/layout: the graph view's nested layout over HTTP."""

from __future__ import annotations

import pytest
from board.events import EventFileWriter
from board.graph import cache
from board.proto import event_pb2, graph_pb2, node_def_pb2
from board.server.app import create_app
from board.server.deps import get_store
from board.server.settings import Settings
from board.store import Store
from board_process import BoardProcess
from fastapi.testclient import TestClient


def graph_def() -> bytes:
    def node(name, op, *inputs, device=""):
        return node_def_pb2.NodeDef(name=name, op=op, input=inputs, device=device)

    return graph_pb2.GraphDef(node=[
        node("x", "Placeholder", device="/cpu:0"),
        node("layer/w", "Variable", device="/gpu:0"),
        node("layer/MatMul", "MatMul", "x", "layer/w", device="/gpu:0"),
        node("layer/act/Relu", "Relu", "layer/MatMul:0", device="/gpu:0"),
        node("loss", "Mean", "layer/act/Relu", "^layer/w"),
    ]).SerializeToString()


@pytest.fixture
def client():
    cache.clear()
    store = Store()
    store.ensure_run("train").graph_def = graph_def()
    store.ensure_run("scalars_only")
    app = create_app(Settings([]), start_reloader=False)
    app.dependency_overrides[get_store] = lambda: store
    with TestClient(app) as c:
        yield c


def layout(client, **params):
    response = client.get("/api/graph/layout", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_collapsed_layout_lists_top_level_nodes_and_aggregated_edges(client):
    body = layout(client, run="train")
    assert body["run"] == "train" and body["root"]["name"] == ""
    nodes = {n["name"]: n for n in body["root"]["nodes"]}
    assert set(nodes) == {"x", "layer", "loss"}
    assert nodes["layer"]["kind"] == "scope" and nodes["layer"]["op_count"] == 3
    assert nodes["layer"]["device"] == "/gpu:0" and nodes["layer"]["group"] is None
    edges = {(e["source"], e["target"]): (e["count"], e["control"])
             for e in body["root"]["edges"]}
    assert edges == {("x", "layer"): (1, False), ("layer", "loss"): (2, False)}


def test_repeated_expanded_parameters_open_nested_scopes(client):
    body = layout(client, run="train", expanded=["layer", "layer/act"])
    layer = next(n for n in body["root"]["nodes"] if n["name"] == "layer")
    assert layer["expanded"] is True
    inner = {n["name"]: n for n in layer["group"]["nodes"]}
    assert set(inner) == {"layer/w", "layer/MatMul", "layer/act"}
    assert inner["layer/act"]["expanded"] is True
    assert [n["name"] for n in inner["layer/act"]["group"]["nodes"]] == ["layer/act/Relu"]


def test_stale_expanded_names_are_ignored(client):
    assert layout(client, run="train", expanded=["gone", "layer/act"]) == layout(
        client, run="train")


def test_unknown_run_is_404_naming_it(client):
    response = client.get("/api/graph/layout", params={"run": "nope"})
    assert response.status_code == 404 and "'nope'" in response.json()["detail"]


def test_run_without_graph_is_404_saying_so(client):
    response = client.get("/api/graph/layout", params={"run": "scalars_only"})
    assert response.status_code == 404
    assert response.json()["detail"] == "run 'scalars_only' has no graph"


def test_run_is_required(client):
    assert client.get("/api/graph/layout").status_code == 422


def test_repeated_requests_are_served_from_the_cache(client, monkeypatch):
    calls = []
    real = cache.layout
    monkeypatch.setattr(cache, "layout", lambda *a: calls.append(a) or real(*a))
    first = client.get("/api/graph/layout", params={"run": "train", "expanded": "layer"})
    again = client.get("/api/graph/layout",
                       params={"run": "train", "expanded": ["layer", "stale"]})
    assert first.content == again.content and len(calls) == 1


def test_graph_from_a_logdir_is_laid_out_by_the_real_server(tmp_path):
    with EventFileWriter(str(tmp_path / "run")) as w:
        w.add_event(event_pb2.Event(wall_time=1.0, graph_def=graph_def()))
    board = BoardProcess(str(tmp_path))
    try:
        body = board.get("/api/graph/layout", run="run", expanded="layer").json()
        assert {n["name"] for n in body["root"]["nodes"]} == {"x", "layer", "loss"}
        assert board.get("/api/graph/layout", run="other").status_code == 404
    finally:
        board.stop()


def test_openapi_documents_the_layout_with_an_example(client):
    route = client.get("/openapi.json").json()["paths"]["/api/graph/layout"]["get"]
    assert {p["name"] for p in route["parameters"]} == {"run", "expanded"}
    example = route["responses"]["200"]["content"]["application/json"]["example"]
    assert example["root"]["nodes"][0]["kind"] == "scope"
