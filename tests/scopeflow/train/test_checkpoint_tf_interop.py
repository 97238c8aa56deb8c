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


def _run_tf(script: str, *args: str) -> str:
    result = subprocess.run(
        [TF_PYTHON, "-c", script, *args], check=False, capture_output=True, text=True,
        timeout=240,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


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


_TF_V1_SAVER_WRITE = """
import sys, numpy as np, tensorflow as tf
v1 = tf.compat.v1
v1.disable_eager_execution()
with tf.Graph().as_default():
    with v1.variable_scope("hidden1"):
        w = v1.get_variable("weights", initializer=np.arange(6, dtype=np.float32).reshape(2, 3))
        b = v1.get_variable("biases", initializer=np.full(3, 0.5, np.float32))
    step = v1.get_variable("global_step", initializer=np.int32(42), trainable=False)
    saver = v1.train.Saver()
    with v1.Session() as sess:
        sess.run(v1.global_variables_initializer())
        print(saver.save(sess, sys.argv[1], global_step=step))
"""

_TF_V1_SAVER_RESTORE = """
import sys, numpy as np, tensorflow as tf
v1 = tf.compat.v1
v1.disable_eager_execution()
with tf.Graph().as_default():
    w = v1.get_variable("hidden1/weights", shape=(2, 3), dtype=tf.float32)
    step = v1.get_variable("global_step", shape=(), dtype=tf.int32)
    with v1.Session() as sess:
        v1.train.Saver([w, step]).restore(sess, v1.train.latest_checkpoint(sys.argv[1]))
        np.save(sys.argv[2], sess.run(w)); print(sess.run(step))
"""


def test_our_saver_restores_a_tensorflow_v1_saver_checkpoint(tmp_path):
    import scopeflow as tf

    _run_tf(_TF_V1_SAVER_WRITE, str(tmp_path / "model.ckpt"))
    path = tf.train.latest_checkpoint(str(tmp_path))  # TensorFlow's own `checkpoint` file
    assert path == str(tmp_path / "model.ckpt-42")
    with tf.Graph().as_default():
        w = tf.Variable(np.zeros((2, 3), np.float32), name="hidden1/weights")
        b = tf.Variable(np.zeros(3, np.float32), name="hidden1/biases")
        step = tf.Variable(0, name="global_step")
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, path)
            got_w, got_b, got_step = sess.run([w, b, step])
    np.testing.assert_array_equal(got_w, np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(got_b, np.full(3, 0.5))
    assert got_step == 42


def test_tensorflow_v1_saver_restores_our_saver_checkpoint(tmp_path):
    import scopeflow as tf

    weights = np.random.RandomState(3).randn(2, 3).astype(np.float32)
    with tf.Graph().as_default():
        tf.Variable(weights, name="hidden1/weights")
        step = tf.Variable(7, name="global_step")
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"), global_step=step)
    out = _run_tf(_TF_V1_SAVER_RESTORE, str(tmp_path), str(tmp_path / "w.npy"))
    assert out.strip().splitlines()[-1] == "7"
    np.testing.assert_array_equal(np.load(tmp_path / "w.npy"), weights)
