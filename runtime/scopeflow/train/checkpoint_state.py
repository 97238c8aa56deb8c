"""The text `checkpoint` file: which checkpoints of a directory exist and which is newest.

It is a CheckpointState proto in protobuf text format, as TensorFlow writes it. Paths inside
the directory are stored relative to it, so a moved directory still resolves; readers make
relative paths absolute again.
"""

from __future__ import annotations

import os
import tempfile

from board.proto import checkpoint_pb2
from google.protobuf import text_format

from scopeflow import errors
from scopeflow.train import checkpoint_bundle

__all__ = [
    "checkpoint_exists", "get_checkpoint_state", "latest_checkpoint", "update_checkpoint_state",
]

DEFAULT_FILENAME = "checkpoint"


def _relative(path: str, save_dir: str) -> str:
    if os.path.isabs(path) and os.path.dirname(path) == os.path.abspath(save_dir):
        return os.path.basename(path)
    if not os.path.isabs(path) and os.path.dirname(path) == save_dir.rstrip("/"):
        return os.path.basename(path)
    return path


def update_checkpoint_state(
    save_dir: str, model_checkpoint_path: str,
    all_model_checkpoint_paths: list[str] | None = None,
    latest_filename: str | None = None,
    all_model_checkpoint_timestamps: list[float] | None = None,
    last_preserved_timestamp: float | None = None,
) -> None:
    """Atomically rewrite `save_dir/<latest_filename>`; the newest path is listed last."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        paths = [p for p in paths if p != model_checkpoint_path] + [model_checkpoint_path]
    state = checkpoint_pb2.CheckpointState(
        model_checkpoint_path=_relative(model_checkpoint_path, save_dir),
        all_model_checkpoint_paths=[_relative(p, save_dir) for p in paths],
        all_model_checkpoint_timestamps=all_model_checkpoint_timestamps or [],
        last_preserved_timestamp=last_preserved_timestamp or 0.0,
    )
    os.makedirs(save_dir or ".", exist_ok=True)
    path = os.path.join(save_dir, latest_filename or DEFAULT_FILENAME)
    fd, tmp = tempfile.mkstemp(dir=save_dir or ".", prefix=".checkpoint.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text_format.MessageToString(state))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def get_checkpoint_state(checkpoint_dir: str, latest_filename: str | None = None):
    """The directory's CheckpointState with absolute paths, or None when there is no file."""
    path = os.path.join(checkpoint_dir, latest_filename or DEFAULT_FILENAME)
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return None
    state = checkpoint_pb2.CheckpointState()
    try:
        text_format.Merge(text, state)
    except text_format.ParseError as exc:
        raise errors.DataLossError(None, None, f"{path}: not a CheckpointState ({exc})") from None
    if not state.model_checkpoint_path:
        raise errors.DataLossError(None, None, f"{path}: has no model_checkpoint_path")

    def absolute(p: str) -> str:
        return p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)

    state.model_checkpoint_path = absolute(state.model_checkpoint_path)
    paths = [absolute(p) for p in state.all_model_checkpoint_paths]
    del state.all_model_checkpoint_paths[:]
    state.all_model_checkpoint_paths.extend(paths)
    return state


def checkpoint_exists(prefix: str) -> bool:
    return checkpoint_bundle.bundle_exists(prefix)


def latest_checkpoint(checkpoint_dir: str, latest_filename: str | None = None) -> str | None:
    """The newest checkpoint's prefix in `checkpoint_dir`, or None when none exists."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is not None and checkpoint_exists(state.model_checkpoint_path):
        return state.model_checkpoint_path
    return None
