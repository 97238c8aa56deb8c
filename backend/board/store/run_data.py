"""What the board keeps about one run: scalars at full resolution, histograms, images,
text, the latest GraphDef and RunMetadata."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from board.store.scalars import ScalarSeries

KINDS = ("scalars", "histograms", "images", "text")


@dataclass(frozen=True)
class HistogramPoint:
    wall_time: float
    step: int
    min: float
    max: float
    num: float
    sum: float
    sum_squares: float
    bucket_limit: np.ndarray  # right edges; bucket i counts (limit[i-1], limit[i]]
    bucket: np.ndarray


@dataclass(frozen=True)
class ImagePoint:
    wall_time: float
    step: int
    width: int
    height: int
    encoded: bytes

    @property
    def content_type(self) -> str:
        return image_content_type(self.encoded)


@dataclass(frozen=True)
class TextPoint:
    wall_time: float
    step: int
    strings: tuple[str, ...]
    shape: tuple[int, ...]


@dataclass
class TagInfo:
    display_name: str = ""
    description: str = ""


@dataclass
class RunData:
    """Mutated only by the ingest thread that owns the run, under the store's lock."""

    scalars: dict[str, ScalarSeries] = field(default_factory=dict)
    histograms: dict[str, list[HistogramPoint]] = field(default_factory=dict)
    images: dict[str, list[ImagePoint]] = field(default_factory=dict)
    text: dict[str, list[TextPoint]] = field(default_factory=dict)
    tag_info: dict[tuple[str, str], TagInfo] = field(default_factory=dict)
    graph_def: bytes | None = None
    run_metadata: dict[str, bytes] = field(default_factory=dict)
    start_wall_time: float | None = None
    _new_tags: list[tuple[str, str]] = field(default_factory=list)
    _touched: set[str] = field(default_factory=set)

    def tags(self, kind: str) -> list[str]:
        return sorted(getattr(self, kind))

    def note_wall_time(self, wall_time: float) -> None:
        if self.start_wall_time is None and wall_time:
            self.start_wall_time = wall_time

    def series(self, tag: str, value_dtype=np.float32) -> ScalarSeries:
        series = self.scalars.get(tag)
        if series is None:
            series = self.scalars[tag] = ScalarSeries(value_dtype)
            self._new_tags.append(("scalars", tag))
        self._touched.add(tag)
        return series

    def append_point(self, kind: str, tag: str, point) -> None:
        points = getattr(self, kind).setdefault(tag, [])
        if not points:
            self._new_tags.append((kind, tag))
        points.append(point)

    def purge_from_step(self, step: int) -> None:
        """A restart at `step`: forget every point with step >= it (as TensorBoard does)."""
        for tag, series in self.scalars.items():
            if series.purge_from_step(step):
                self._touched.add(tag)
        for kind in ("histograms", "images", "text"):
            data = getattr(self, kind)
            for tag, points in data.items():
                data[tag] = [p for p in points if p.step < step]

    def last_point(self) -> tuple[int | None, float | None]:
        """Step and wall time of the most recent scalar point over all tags."""
        best: tuple[int | None, float | None] = (None, None)
        for series in self.scalars.values():
            wall = series.last_wall_time()
            if wall is not None and (best[1] is None or wall > best[1]):
                best = (series.last_step(), wall)
        return best

    def take_changes(self) -> tuple[list[tuple[str, str]], list[str]]:
        """New (kind, tag) pairs and touched scalar tags since the last call."""
        new, touched = self._new_tags, sorted(self._touched)
        self._new_tags, self._touched = [], set()
        return new, touched

    def flush(self, after_each=None) -> None:
        """Move every series' appended batches into its columns, calling `after_each()`
        after each series (the loader returns freed memory to the OS there)."""
        for series in self.scalars.values():
            series.flush()
            if after_each is not None:
                after_each()

    def trim(self) -> None:
        for series in self.scalars.values():
            series.trim()


def image_content_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"
