"""`python -m scopeflow.tools.inspect_checkpoint`: its output, in-process and as a module."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from scopeflow.tools import inspect_checkpoint
from scopeflow.train import checkpoint_bundle, checkpoint_state


def _checkpoint(tmp_path) -> str:
    prefix = str(tmp_path / "model.ckpt-3")
    checkpoint_bundle.write_bundle(prefix, {
        "hidden1/weights": np.arange(6, dtype=np.float32).reshape(2, 3),
        "global_step": np.array(3, np.int32),
    })
    return prefix


def test_runs_as_a_module_and_lists_names_dtypes_and_shapes(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scopeflow.tools.inspect_checkpoint", _checkpoint(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "global_step (DT_INT32) []",
        "hidden1/weights (DT_FLOAT) [2,3]",
    ]


def test_all_prints_values(tmp_path, capsys):
    assert inspect_checkpoint.main([_checkpoint(tmp_path), "--all"]) == 0
    out = capsys.readouterr().out
    assert "tensor_name:  hidden1/weights" in out
    assert "[[0. 1. 2.]\n [3. 4. 5.]]" in out


def test_one_tensor_by_name_and_directory_path(tmp_path, capsys):
    checkpoint_state.update_checkpoint_state(str(tmp_path), _checkpoint(tmp_path))
    assert inspect_checkpoint.main(["--file_name", str(tmp_path),
                                    "--tensor_name", "global_step"]) == 0
    assert capsys.readouterr().out.splitlines() == ["tensor_name:  global_step", "3"]


def test_missing_checkpoint_is_a_clear_error(tmp_path, capsys):
    assert inspect_checkpoint.main([str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert "nope" in err and "Traceback" not in err
