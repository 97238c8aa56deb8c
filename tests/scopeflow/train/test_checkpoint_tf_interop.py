"""TensorFlow's own bundle reader loads our checkpoints, and we load TensorFlow's.

TensorFlow runs in a subprocess (it and torch do not share a process well): the Python of
this venv when tensorflow is importable here, else the one named by SCOPEFLOW_TF_PYTHON
(e.g. a separate venv with tensorflow-cpu). Skipped when neither has it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest
from scopeflow.train import checkpoint_bundle as cb


def _tf_python() -> str | None:
    if importlib.util.find_spec("tensorflow") is not None:
        return sys.executable
    return os.environ.get("SCOPEFLOW_TF_PYTHON") or None


TF_PYTHON = _tf_python()
pytestmark = pytest.mark.skipif(TF_PYTHON is None, reason="tensorflow is not installed")

_TF_READ = """
import sys, numpy as np, tensorflow as tf
reader = tf.train.load_checkpoint(sys.argv[1])
legacy = tf.compat.v1.train.NewCheckpointReader(sys.argv[1])
assert legacy.get_variable_to_shape_map() == reader.get_variable_to_shape_map()
out = {}
for name, dtype in reader.get_variable_to_dtype_map().items():
    out[name] = reader.get_tensor(name)
    out[name + ":dtype"] = np.array(dtype.name)
np.savez(sys.argv[2], **{k.replace('/', '|'): v for k, v in out.items()})
"""

_TF_WRITE = """
import sys, numpy as np, tensorflow as tf
tensors = {
    "hidden1/weights": tf.constant(np.arange(12, dtype=np.float32).reshape(3, 4)),
    "global_step": tf.constant(1234, tf.int64),
    "d": tf.constant([1.5, -2.0], tf.float64),
    "i": tf.constant([[1, 2], [3, 4]], tf.int32),
    "b": tf.constant([True, False, True]),
    "s": tf.constant([b"alpha", b"", b"gamma" * 30]),
    "h": tf.constant([0.5, 2.0], tf.float16),
}
names = sorted(tensors)
tf.raw_ops.SaveV2(prefix=sys.argv[1], tensor_names=names, shape_and_slices=[""] * len(names),
                  tensors=[tensors[n] for n in names])
"""


def _run_tf(script: str, *args: str) -> None:
    result = subprocess.run(
        [TF_PYTHON, "-c", script, *args], check=False, capture_output=True, text=True,
        timeout=240,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""},
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_tensorflow_reads_our_checkpoint(tmp_path):
    ours = {
        "hidden1/weights": np.random.RandomState(0).randn(5, 3).astype(np.float32),
        "hidden1/biases": np.zeros(3, np.float32),
        "global_step": np.array(1000, np.int64),
        "ints": np.arange(6, dtype=np.int32).reshape(2, 3),
        "mask": np.array([True, False]),
        "halves": np.array([1.5, -3.0], np.float16),
        "names": np.array([b"a", b"", b"x" * 300], dtype=object),
        "big": np.random.RandomState(1).randn(300, 300),
    }
    prefix = str(tmp_path / "model.ckpt-1000")
    cb.write_bundle(prefix, ours)
    _run_tf(_TF_READ, prefix, str(tmp_path / "read.npz"))
    with np.load(tmp_path / "read.npz", allow_pickle=True) as got:
        seen = {k.replace("|", "/"): got[k] for k in got.files}
    expected_dtypes = {"float32": "float32", "int64": "int64", "int32": "int32", "bool": "bool",
                       "float16": "float16", "object": "string", "float64": "float64"}
    for name, value in ours.items():
        assert str(seen[name + ":dtype"]) == expected_dtypes[value.dtype.name], name
        np.testing.assert_array_equal(seen[name].astype(value.dtype), value)


def test_we_read_tensorflows_checkpoint(tmp_path):
    prefix = str(tmp_path / "tf_ckpt")
    _run_tf(_TF_WRITE, prefix)
    got = cb.read_bundle(prefix)
    np.testing.assert_array_equal(
        got["hidden1/weights"], np.arange(12, dtype=np.float32).reshape(3, 4)
    )
    assert got["global_step"].dtype == np.int64 and got["global_step"] == 1234
    np.testing.assert_array_equal(got["d"], [1.5, -2.0])
    np.testing.assert_array_equal(got["i"], [[1, 2], [3, 4]])
    np.testing.assert_array_equal(got["b"], [True, False, True])
    assert list(got["s"]) == [b"alpha", b"", b"gamma" * 30]
    assert got["h"].dtype == np.float16
