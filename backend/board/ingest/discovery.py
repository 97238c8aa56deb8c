"""Finding runs: every directory, at any depth, that holds event files.

A logdir is a local path or any fsspec URL (``s3://bucket/prefix``, ``memory://x``). Runs
are named by their directory relative to the logdir ("." for the logdir itself) and, when
the logdir came with a name (``name:path`` in a logdir spec), prefixed by that name.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from typing import Any

import fsspec


@dataclass(frozen=True)
class Logdir:
    url: str
    name: str | None = None  # run-name prefix from a "name:path" spec

    def filesystem(self) -> tuple[Any, str]:
        """(fsspec filesystem or None for a local path, root path on it)."""
        if is_url(self.url):
            fs, root = fsspec.core.url_to_fs(self.url)
            return fs, root.rstrip("/") or "/"
        return None, os.path.abspath(self.url)


def is_url(path: str) -> bool:
    return "://" in path


def is_event_file(name: str) -> bool:
    return "tfevents" in name


def parse_logdir_spec(spec: str) -> list[Logdir]:
    """``DIR`` or ``name1:path1,name2:path2`` (TensorBoard's --logdir_spec form)."""
    parts = [p for p in spec.split(",") if p]
    if len(parts) == 1 and not _named(parts[0]):
        return [Logdir(parts[0])]
    out = []
    for part in parts:
        if _named(part):
            name, path = part.split(":", 1)
            out.append(Logdir(path, name))
        else:
            out.append(Logdir(part))
    return out


def _named(part: str) -> bool:
    """'name:path' but not a URL ('s3://...') nor a Windows drive ('C:\\...')."""
    head, sep, tail = part.partition(":")
    drive = os.name == "nt" and len(head) == 1
    return bool(sep) and bool(head) and not tail.startswith("//") and not drive


def discover(logdir: Logdir) -> dict[str, dict[str, int]]:
    """{run name: {event file path: size}} for every run under `logdir`."""
    fs, root = logdir.filesystem()
    found: dict[str, dict[str, int]] = {}
    for path, size in _event_files(fs, root):
        rel = _relative(posixpath if fs is not None else os.path, root, path)
        run = _run_name(logdir.name, rel)
        found.setdefault(run, {})[path] = size
    return found


def _event_files(fs, root: str):
    if fs is None:
        for dirpath, _, files in os.walk(root):
            for name in files:
                if is_event_file(name):
                    path = os.path.join(dirpath, name)
                    try:
                        yield path, os.path.getsize(path)
                    except OSError:  # deleted between listing and stat
                        continue
        return
    fs.invalidate_cache()
    try:
        listing = fs.find(root, detail=True)
    except FileNotFoundError:
        return
    for path, info in listing.items():
        if info.get("type", "file") == "file" and is_event_file(posixpath.basename(path)):
            yield path, int(info.get("size") or 0)


def _relative(pathmod, root: str, path: str) -> str:
    rel = pathmod.relpath(pathmod.dirname(path), root)
    return rel.replace(os.sep, "/") if pathmod is os.path else rel


def _run_name(prefix: str | None, rel: str) -> str:
    if prefix is None:
        return rel
    return prefix if rel == "." else f"{prefix}/{rel}"
