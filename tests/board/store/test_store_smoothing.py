"""The debiased EMA against a direct transcription of TensorBoard's per-point loop."""

import math

import numpy as np
import pytest
from board.store.smoothing import ema_debiased


def reference(values, w):
    if all(v == values[0] for v in values):
        return list(values)
    last, k, out = 0.0, 0, []
    for v in values:
        if not math.isfinite(v):
            out.append(v)
            continue
        last = last * w + (1 - w) * v
        k += 1
        out.append(last / (1 - w ** k))
    return out


@pytest.mark.parametrize("w", [0.0, 0.3, 0.6, 0.95, 0.999])
def test_matches_tensorboard_formula_over_many_blocks(w):
    rng = np.random.default_rng(1)
    values = rng.normal(size=2000).cumsum()
    got = ema_debiased(values, w)
    np.testing.assert_allclose(got, reference(values.tolist(), w), rtol=1e-9, atol=1e-9)


def test_long_series_crossing_several_block_levels():
    values = np.random.default_rng(2).normal(size=10_000)
    np.testing.assert_allclose(ema_debiased(values, 0.97), reference(values.tolist(), 0.97),
                               rtol=1e-9, atol=1e-9)


def test_non_finite_values_pass_through_and_do_not_count():
    values = np.array([1.0, np.nan, 3.0, np.inf, 5.0, -np.inf, 2.0])
    got = ema_debiased(values, 0.6)
    expected = reference(values.tolist(), 0.6)
    assert np.isnan(got[1]) and got[3] == np.inf and got[5] == -np.inf
    finite = np.isfinite(values)
    np.testing.assert_allclose(got[finite], np.array(expected)[finite], rtol=1e-12)


def test_constant_series_is_unchanged():
    assert ema_debiased(np.full(10, 4.5), 0.9).tolist() == [4.5] * 10


def test_first_point_is_unbiased():
    assert ema_debiased(np.array([10.0, 0.0]), 0.9)[0] == pytest.approx(10.0)


@pytest.mark.parametrize("w", [-0.1, 1.0, 2.0])
def test_weight_outside_unit_interval_raises(w):
    with pytest.raises(ValueError, match="smoothing weight"):
        ema_debiased(np.arange(3.0), w)


@pytest.mark.parametrize("w", [1e-12, 0.01, 0.5, 0.9999])
def test_extreme_weights_and_lengths_around_block_edges_match_the_formula(w):
    # Tiny weights shrink the blocks (their powers would overflow); lengths straddle them.
    rng = np.random.default_rng(3)
    for n in (1, 2, 63, 64, 65, 4097, 4160):
        values = rng.normal(size=n) * 100 + 5
        np.testing.assert_allclose(ema_debiased(values, w), reference(values.tolist(), w),
                                   rtol=1e-9, atol=1e-9)
