"""Columnar scalar storage: growth, views, purges, memory per point."""

import numpy as np
from board.store.run_data import HistogramPoint, RunData
from board.store.scalars import ScalarSeries


def test_appended_points_come_back_in_order():
    s = ScalarSeries()
    s.append([1, 2], [10.0, 20.0], [0.5, 0.25])
    s.append(3, 30.0, 0.125)
    c = s.columns()
    assert c.step.tolist() == [1, 2, 3]
    assert c.wall_time.tolist() == [10.0, 20.0, 30.0]
    assert c.value.tolist() == [0.5, 0.25, 0.125]


def test_earlier_views_survive_growth_and_purge():
    s = ScalarSeries()
    s.append(np.arange(10), np.arange(10.0), np.arange(10.0))
    view = s.columns()
    for i in range(100):
        s.append(10 + i, 0.0, 0.0)
    s.purge_from_step(3)
    assert view.step.tolist() == list(range(10))
    assert s.columns().step.tolist() == [0, 1, 2]


def test_growth_is_geometric():
    s = ScalarSeries()
    reallocations = 0
    last = None
    for i in range(10_000):
        s.append(i, 0.0, 0.0)
        step = s.columns().step  # a read after every append: the worst case for growth
        if step.base is not last:
            reallocations += 1
            last = step.base
    assert reallocations < 30


def test_batches_appended_without_reads_end_in_exactly_sized_columns():
    s = ScalarSeries()
    for chunk in range(50):
        s.append(np.arange(1000) + chunk * 1000, np.zeros(1000), np.zeros(1000, np.float32))
    assert len(s) == 50_000
    assert s.nbytes == 20 * 50_000
    assert s.columns().step.tolist() == list(range(50_000))


def test_memory_per_point_is_at_most_24_bytes_after_trim():
    s = ScalarSeries()
    for chunk in range(10):
        s.append(np.arange(1000) + chunk * 1000, np.zeros(1000), np.zeros(1000, np.float32))
    s.trim()
    assert s.nbytes / len(s) <= 24
    assert s.value_dtype == np.float32


def test_float64_values_that_float32_cannot_hold_widen_the_column():
    s = ScalarSeries()
    s.append(1, 0.0, np.float32(0.5))
    s.append(2, 0.0, np.float64(1 / 3))
    assert s.value_dtype == np.float64
    assert s.columns().value.tolist() == [0.5, 1 / 3]


def test_purge_drops_step_at_and_after_restart_in_every_kind():
    run = RunData()
    run.series("loss").append(np.arange(10), np.zeros(10), np.zeros(10))
    hist = HistogramPoint(0.0, 7, 0, 1, 1, 0, 0, np.zeros(1), np.zeros(1))
    run.append_point("histograms", "w", hist)
    run.purge_from_step(5)
    assert run.scalars["loss"].columns().step.tolist() == [0, 1, 2, 3, 4]
    assert run.histograms["w"] == []
