"""`python -m scopeflow.tools.inspect_checkpoint`, run as a real subprocess."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from scopeflow.train import checkpoint_bundle


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scopeflow.tools.inspect_checkpoint", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )


def _checkpoint(tmp_path) -> str:
    prefix = str(tmp_path / "model.ckpt-3")
    checkpoint_bundle.write_bundle(prefix, {
        "hidden1/weights": np.arange(6, dtype=np.float32).reshape(2, 3),
        "global_step": np.array(3, np.int32),
    })
    return prefix


def test_lists_names_dtypes_and_shapes(tmp_path):
    result = _run(_checkpoint(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "global_step (DT_INT32) []",
        "hidden1/weights (DT_FLOAT) [2,3]",
    ]


def test_all_prints_values(tmp_path):
    result = _run(_checkpoint(tmp_path), "--all")
    assert result.returncode == 0, result.stderr
    assert "tensor_name:  hidden1/weights" in result.stdout
    assert "[[0. 1. 2.]\n [3. 4. 5.]]" in result.stdout


def test_one_tensor_by_name(tmp_path):
    result = _run("--file_name", _checkpoint(tmp_path), "--tensor_name", "global_step")
    assert result.stdout.splitlines() == ["tensor_name:  global_step", "3"]


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    result = _run(str(tmp_path / "nope"))
    assert result.returncode == 1
    assert "nope" in result.stderr and "Traceback" not in result.stderr
