"""Response and request schemas, for validation of bodies and for the OpenAPI docs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class RunTags(BaseModel):
    scalars: list[str]
    histograms: list[str]
    images: list[str]
    text: list[str]


class RunInfo(BaseModel):
    run: str = Field(examples=["mnist/lr_0.01"])
    tags: RunTags
    graph: bool
    last_step: int | None = Field(examples=[1200])
    last_wall_time: float | None = Field(examples=[1764322800.5])


class ScalarSeriesOut(BaseModel):
    run: str = Field(examples=["train"])
    tag: str = Field(examples=["loss"])
    step: list[int] = Field(examples=[[0, 1, 2]])
    wall_time: list[float] = Field(examples=[[1764322800.0, 1764322800.5, 1764322801.0]])
    value: list[float | None] = Field(examples=[[2.3, 1.9, 1.7]])
    smoothed: list[float | None] | None = Field(
        None, description="only with smoothing=w: debiased EMA over the full series")
    downsampled: bool
    total: int = Field(description="points the tag holds in all")


class SeriesRef(BaseModel):
    run: str
    tag: str


class ScalarBatchRequest(BaseModel):
    items: list[SeriesRef] = Field(examples=[[{"run": "train", "tag": "loss"}]])
    points: int | None = Field(None, ge=1, description="M4 buckets; omit for every point")
    x: Literal["step", "wall_time"] = "step"
    start: float | None = None
    end: float | None = None
    smoothing: float | None = Field(None, ge=0.0, lt=1.0)


class Histogram(BaseModel):
    wall_time: float
    step: int
    min: float
    max: float
    num: float
    sum: float
    sum_squares: float
    bucket_limit: list[float]
    bucket: list[float]


class HistogramsOut(BaseModel):
    run: str
    tag: str
    histograms: list[Histogram]


class ImageMeta(BaseModel):
    index: int
    wall_time: float
    step: int
    width: int
    height: int
    content_type: str


class ImagesOut(BaseModel):
    run: str
    tag: str
    images: list[ImageMeta]


class TextEntry(BaseModel):
    wall_time: float
    step: int
    strings: list[str]
    shape: list[int]


class TextOut(BaseModel):
    run: str
    tag: str
    text: list[TextEntry]


class GraphNode(BaseModel):
    name: str
    op: str
    input: list[str]
    device: str
    attr: dict[str, object]


class GraphOut(BaseModel):
    run: str
    nodes: list[GraphNode]


class Status(BaseModel):
    loaded: bool = Field(description="the first pass over the logdir has finished")
    reloads: int
    last_reload_seconds: float | None
    runs: int
