"""What the board server keeps in memory: every scalar point (columnar numpy), histograms,
images, text and graphs per run, plus the pure functions that shape series for display
(M4 downsampling, debiased EMA smoothing)."""

from board.store.downsample import m4_indices, select_range
from board.store.feed import ChangeFeed
from board.store.run_data import HistogramPoint, ImagePoint, RunData, TagInfo, TextPoint
from board.store.scalars import ScalarColumns, ScalarSeries
from board.store.smoothing import ema_debiased
from board.store.store import Store

__all__ = [
    "ChangeFeed",
    "HistogramPoint",
    "ImagePoint",
    "RunData",
    "ScalarColumns",
    "ScalarSeries",
    "Store",
    "TagInfo",
    "TextPoint",
    "ema_debiased",
    "m4_indices",
    "select_range",
]
