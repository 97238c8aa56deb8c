"""load_checkpoint_as_state_dict: a checkpoint as torch tensors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scopeflow import errors
from scopeflow.train import checkpoint_bundle, checkpoint_state
from scopeflow.train.state_dict import load_checkpoint_as_state_dict


def test_numeric_tensors_become_torch_tensors_strings_are_left_out(tmp_path):
    w = np.random.RandomState(0).randn(4, 2).astype(np.float32)
    prefix = str(tmp_path / "model.ckpt-7")
    checkpoint_bundle.write_bundle(prefix, {
        "layer/weights": w, "global_step": np.array(7, np.int64),
        "note": np.array([b"x"], dtype=object),
    })
    state = load_checkpoint_as_state_dict(prefix)
    assert sorted(state) == ["global_step", "layer/weights"]
    assert state["layer/weights"].dtype == torch.float32
    torch.testing.assert_close(state["layer/weights"], torch.from_numpy(w))
    assert state["global_step"].item() == 7
    # A state dict loads into a torch module once names are mapped.
    linear = torch.nn.Linear(4, 2, bias=False)
    linear.load_state_dict({"weight": state["layer/weights"].T})


def test_accepts_index_file_and_directory(tmp_path):
    prefix = str(tmp_path / "m-1")
    checkpoint_bundle.write_bundle(prefix, {"v": np.ones(2, np.float32)})
    checkpoint_state.update_checkpoint_state(str(tmp_path), prefix)
    assert list(load_checkpoint_as_state_dict(prefix + ".index")) == ["v"]
    assert list(load_checkpoint_as_state_dict(str(tmp_path))) == ["v"]


def test_empty_directory_is_not_found(tmp_path):
    with pytest.raises(errors.NotFoundError, match="no checkpoint found"):
        load_checkpoint_as_state_dict(str(tmp_path))


def test_types_numpy_lacks_are_left_out(tmp_path):
    from pathlib import Path

    from board.proto import checkpoint_pb2, types_pb2
    from scopeflow.train import sstable

    prefix = str(tmp_path / "m")
    checkpoint_bundle.write_bundle(prefix, {"w": np.ones(2, np.float32),
                                            "v": np.zeros(3, np.uint8)})
    index = Path(prefix + ".index")
    rows = []
    for key, value in sstable.read_table(index.read_bytes()):
        if key == b"v":  # relabel as a variant, as TensorFlow 2 stores some objects
            entry = checkpoint_pb2.BundleEntryProto.FromString(value)
            entry.dtype = types_pb2.DT_VARIANT
            value = entry.SerializeToString()
        rows.append((key, value))
    index.write_bytes(sstable.build_table(rows))
    assert list(load_checkpoint_as_state_dict(prefix)) == ["w"]
