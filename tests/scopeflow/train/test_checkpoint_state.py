"""The text `checkpoint` state file and latest_checkpoint / get_checkpoint_state."""

from __future__ import annotations

import numpy as np
import pytest
from scopeflow import errors
from scopeflow.train import checkpoint_bundle, checkpoint_state


def test_state_file_is_text_with_relative_paths_newest_last(tmp_path):
    d = str(tmp_path)
    checkpoint_state.update_checkpoint_state(
        d, f"{d}/model.ckpt-2", [f"{d}/model.ckpt-1", f"{d}/model.ckpt-2"]
    )
    text = (tmp_path / "checkpoint").read_text()
    assert text.splitlines() == [
        'model_checkpoint_path: "model.ckpt-2"',
        'all_model_checkpoint_paths: "model.ckpt-1"',
        'all_model_checkpoint_paths: "model.ckpt-2"',
    ]
    state = checkpoint_state.get_checkpoint_state(d)
    assert state.model_checkpoint_path == f"{d}/model.ckpt-2"
    assert list(state.all_model_checkpoint_paths) == [f"{d}/model.ckpt-1", f"{d}/model.ckpt-2"]


def test_latest_checkpoint_needs_the_bundle_to_exist(tmp_path):
    d = str(tmp_path)
    assert checkpoint_state.latest_checkpoint(d) is None
    checkpoint_state.update_checkpoint_state(d, f"{d}/m-5")
    assert checkpoint_state.latest_checkpoint(d) is None
    checkpoint_bundle.write_bundle(f"{d}/m-5", {"v": np.ones(1, np.float32)})
    assert checkpoint_state.latest_checkpoint(d) == f"{d}/m-5"


def test_custom_latest_filename_and_paths_outside_the_dir(tmp_path):
    d = str(tmp_path / "a")
    elsewhere = str(tmp_path / "b" / "x-1")
    checkpoint_state.update_checkpoint_state(d, elsewhere, latest_filename="mine")
    assert checkpoint_state.get_checkpoint_state(d) is None
    assert checkpoint_state.get_checkpoint_state(d, "mine").model_checkpoint_path == elsewhere


def test_garbage_state_file_is_data_loss_naming_it(tmp_path):
    (tmp_path / "checkpoint").write_text("this is { not a proto")
    with pytest.raises(errors.DataLossError, match="checkpoint"):
        checkpoint_state.get_checkpoint_state(str(tmp_path))
