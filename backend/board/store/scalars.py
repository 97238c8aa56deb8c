"""Every point of one scalar tag, kept as three numpy columns.

A point costs 20 bytes (int64 step, float64 wall time, float32 value) or 24 with float64
values; capacity grows geometrically so appending stays amortised O(1). Readers get views
of the columns; a purge builds new arrays instead of compacting in place, so a view handed
out earlier never changes under its reader.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_GROWTH = 1.5  # small factor: the spare capacity is memory a full logdir pays for


@dataclass(frozen=True)
class ScalarColumns:
    """A consistent snapshot of a series (views; do not write to them)."""

    step: np.ndarray
    wall_time: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.step)


class ScalarSeries:
    """Append-only (except for purges) columnar storage of one tag's points."""

    def __init__(self, value_dtype=np.float32):
        self._step = np.empty(0, np.int64)
        self._wall = np.empty(0, np.float64)
        self._value = np.empty(0, value_dtype)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def value_dtype(self) -> np.dtype:
        return self._value.dtype

    @property
    def nbytes(self) -> int:
        """Bytes held by the columns, spare capacity included."""
        return self._step.nbytes + self._wall.nbytes + self._value.nbytes

    def append(self, step, wall_time, value) -> None:
        """Append points given as equal-length array-likes (or scalars)."""
        step = np.atleast_1d(np.asarray(step, np.int64))
        wall_time = np.atleast_1d(np.asarray(wall_time, np.float64))
        value = np.atleast_1d(np.asarray(value))
        n = len(step)
        if not (len(wall_time) == len(value) == n):
            raise ValueError(f"column lengths differ: {n}, {len(wall_time)}, {len(value)}")
        if value.dtype == np.float64 and self._value.dtype == np.float32 and self._is_lossy(value):
            self._value = self._value.astype(np.float64)
        end = self._size + n
        if end > len(self._step):
            self._reserve(end)
        self._step[self._size:end] = step
        self._wall[self._size:end] = wall_time
        self._value[self._size:end] = value
        self._size = end

    @staticmethod
    def _is_lossy(value: np.ndarray) -> bool:
        with np.errstate(over="ignore"):
            narrowed = value.astype(np.float32).astype(np.float64)
        return not np.array_equal(narrowed, value, equal_nan=True)

    def _reserve(self, needed: int) -> None:
        # The first batch (usually a whole file) gets an exact fit; later ones grow by 1.5x.
        capacity = needed if self._size == 0 else max(needed, int(len(self._step) * _GROWTH))
        for name in ("_step", "_wall", "_value"):
            old = getattr(self, name)
            new = np.empty(capacity, old.dtype)
            new[:self._size] = old[:self._size]
            setattr(self, name, new)

    def columns(self) -> ScalarColumns:
        n = self._size
        return ScalarColumns(self._step[:n], self._wall[:n], self._value[:n])

    def purge_from_step(self, step: int) -> int:
        """Drop every point with step >= `step` (a restarted run); returns how many."""
        n = self._size
        keep = self._step[:n] < step
        dropped = int(n - np.count_nonzero(keep))
        if dropped:
            self._step = self._step[:n][keep]
            self._wall = self._wall[:n][keep]
            self._value = self._value[:n][keep]
            self._size = len(self._step)
        return dropped

    def last_step(self) -> int | None:
        return int(self._step[self._size - 1]) if self._size else None

    def last_wall_time(self) -> float | None:
        return float(self._wall[self._size - 1]) if self._size else None

    def trim(self) -> None:
        """Release spare capacity (after a bulk load)."""
        if len(self._step) > self._size:
            n = self._size
            self._step = self._step[:n].copy()
            self._wall = self._wall[:n].copy()
            self._value = self._value[:n].copy()
