"""M4 downsampling and range selection, checked against a brute-force reference."""

import numpy as np
import pytest
from board.store.downsample import m4_indices, select_range


def reference_m4(x, y, buckets, lo, hi):
    """Per bucket: first, last, argmin, argmax positions, by a plain loop over x order."""
    order = np.argsort(x, kind="stable")
    width = (hi - lo) / buckets if hi > lo else 1.0
    chosen = set()
    groups: dict[int, list[int]] = {}
    for i in order:
        b = min(int((x[i] - lo) // width), buckets - 1) if hi > lo else 0
        groups.setdefault(b, []).append(i)
    for members in groups.values():
        chosen.update([members[0], members[-1]])
        finite = [i for i in members if not np.isnan(y[i])]
        if finite:
            chosen.add(min(finite, key=lambda i: (y[i], members.index(i))))
            chosen.add(max(finite, key=lambda i: (y[i], -members.index(i))))
    return sorted(chosen, key=lambda i: (x[i], list(order).index(i)))


def test_series_no_longer_than_buckets_is_returned_whole():
    x = np.arange(5)
    assert m4_indices(x, np.ones(5), 5).tolist() == [0, 1, 2, 3, 4]


def test_single_spike_survives_heavy_downsampling():
    y = np.zeros(100_000)
    y[77_777] = 1e6
    y[12_345] = -1e6
    picked = m4_indices(np.arange(len(y)), y, 10)
    assert 77_777 in picked and 12_345 in picked
    assert len(picked) <= 40


@pytest.mark.parametrize("seed", range(5))
def test_matches_brute_force_first_last_min_max(seed):
    rng = np.random.default_rng(seed)
    n = 500
    x = np.sort(rng.integers(0, 2000, n))
    y = rng.normal(size=n)
    y[rng.integers(0, n, 20)] = np.nan
    got = m4_indices(x, y, 37).tolist()
    assert got == reference_m4(x, y, 37, x[0], x[-1])


def test_unsorted_x_is_bucketed_in_x_order():
    rng = np.random.default_rng(7)
    x = rng.permutation(1000).astype(float)
    y = rng.normal(size=1000)
    got = m4_indices(x, y, 20)
    assert np.all(np.diff(x[got]) >= 0)
    assert got.tolist() == reference_m4(x, y, 20, 0.0, 999.0)


def test_explicit_x_range_sets_bucket_edges():
    x = np.arange(100)
    y = np.arange(100.0)
    # Two buckets over [0, 200): every point falls into the first one.
    assert m4_indices(x, y, 2, (0.0, 200.0)).tolist() == [0, 99]


def test_bucket_count_must_be_positive():
    with pytest.raises(ValueError, match="buckets"):
        m4_indices(np.arange(3), np.ones(3), 0)


def test_select_range_is_inclusive_and_handles_unsorted_x():
    x = np.array([5, 1, 3, 9, 7])
    assert sorted(x[select_range(x, 3, 7)].tolist()) == [3, 5, 7]
    assert select_range(np.arange(10), None, 2).tolist() == [0, 1, 2]
    assert select_range(np.arange(10), 8, None).tolist() == [8, 9]
    assert select_range(np.arange(10), 20, 30).tolist() == []


def test_all_nan_buckets_and_repeated_extremes_match_brute_force():
    # Buckets holding only NaN keep just their first and last point; ties for the minimum
    # or maximum keep the first of them.
    x = np.arange(400)
    y = np.tile([1.0, 3.0, 1.0, 3.0, 2.0], 80)
    y[100:140] = np.nan
    got = m4_indices(x, y, 20).tolist()
    assert got == reference_m4(x, y, 20, 0, 399)
    assert set(got) >= {100, 119, 120, 139}
