"""Routes against an in-memory Store (no logdir, no subprocess): encoding edge cases."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from board.server.app import create_app
from board.server.deps import get_store
from board.server.jsonenc import int_column
from board.server.settings import Settings
from board.store import Store
from fastapi.testclient import TestClient


@pytest.fixture
def client():
    store = Store()
    run = store.ensure_run("r")
    run.series("odd").append([1, 2, 3, 4], [10.0, 11.0, 12.0, 13.0],
                             np.array([1.0, np.nan, np.inf, -np.inf], np.float32))
    run.series("big").append(np.arange(-5, 5) * 10**12, np.zeros(10), np.zeros(10))
    app = create_app(Settings([]), start_reloader=False)
    app.dependency_overrides[get_store] = lambda: store
    with TestClient(app) as c:
        yield c


def test_non_finite_values_are_null_in_the_api_and_spelled_in_compat(client):
    body = client.get("/api/scalars", params={"run": "r", "tag": "odd"}).json()
    assert body["value"] == [1.0, None, None, None]
    rows = client.get("/data/plugin/scalars/scalars", params={"run": "r", "tag": "odd"}).json()
    assert [r[2] for r in rows] == [1.0, "NaN", "Infinity", "-Infinity"]


def test_smoothing_skips_non_finite_values(client):
    body = client.get("/api/scalars",
                      params={"run": "r", "tag": "odd", "smoothing": 0.5}).json()
    assert body["smoothed"] == [1.0, None, None, None]


def test_large_and_negative_steps_encode_exactly(client):
    body = client.get("/api/scalars", params={"run": "r", "tag": "big"}).json()
    assert body["step"] == [i * 10**12 for i in range(-5, 5)]


def test_batch_with_an_unknown_tag_names_it(client):
    response = client.post("/api/scalars/batch", json={"items": [
        {"run": "r", "tag": "odd"}, {"run": "r", "tag": "missing"}]})
    assert response.status_code == 404 and "'missing'" in response.json()["detail"]


@pytest.mark.parametrize("values", [[0], [-1, 1], [2**63 - 1, -(2**63)], list(range(-50, 50))])
def test_int_column_is_json_for_any_int64(values):
    assert json.loads(int_column(np.array(values, np.int64))) == values


def test_float_columns_round_trip_exactly():
    from board.server.jsonenc import column

    values = np.random.default_rng(0).normal(size=100) * 10.0 ** np.arange(-50, 50)
    assert json.loads(column(values)) == values.tolist()
    assert all(math.isfinite(v) for v in json.loads(column(values)))


def test_repeated_downsampled_request_is_identical_and_growth_is_not_served_stale():
    store = Store()
    series = store.ensure_run("r").series("grow")
    series.append(np.arange(100), np.arange(100) * 1.0, np.sin(np.arange(100)))
    app = create_app(Settings([]), start_reloader=False)
    app.dependency_overrides[get_store] = lambda: store
    body = {"items": [{"run": "r", "tag": "grow"}], "points": 10, "smoothing": 0.5}
    with TestClient(app) as c:
        first = c.post("/api/scalars/batch", json=body)
        assert c.post("/api/scalars/batch", json=body).content == first.content
        series.append(np.arange(100, 150), np.arange(100, 150) * 1.0, np.full(50, 9.0))
        grown = c.post("/api/scalars/batch", json=body).json()[0]
        single = c.get("/api/scalars", params={"run": "r", "tag": "grow", "points": 10,
                                               "smoothing": 0.5}).json()
    assert first.json()[0]["total"] == 100
    assert grown["total"] == 150 and grown["step"][-1] == 149 and grown["value"][-1] == 9.0
    assert single == grown
