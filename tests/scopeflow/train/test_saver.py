"""tf.train.Saver: save/restore round trips, the checkpoint file, retention, restore errors."""

from __future__ import annotations

import os

import numpy as np
import pytest
import scopeflow as tf
from scopeflow.train import checkpoint_bundle

W = np.arange(6, dtype=np.float32).reshape(2, 3)


def _model():
    w = tf.Variable(W, name="hidden1/weights")
    b = tf.Variable(np.zeros(3, np.float32), name="hidden1/biases")
    step = tf.Variable(0, name="global_step", trainable=False)
    return w, b, step


def test_save_with_global_step_then_restore_into_fresh_session(tmp_path):
    with tf.Graph().as_default():
        w, b, step = _model()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            sess.run([w.assign(W * 2), step.assign(1000)])
            path = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=step)
        assert path == str(tmp_path / "model.ckpt-1000")
        assert os.path.exists(path + ".index")
        assert os.path.exists(path + ".data-00000-of-00001")
        with tf.Session() as fresh:  # no initializer run: restore assigns every variable
            saver.restore(fresh, path)
            got_w, got_b, got_step = fresh.run([w, b, step])
        np.testing.assert_array_equal(got_w, W * 2)
        np.testing.assert_array_equal(got_b, np.zeros(3))
        assert got_step == 1000


def test_checkpoint_holds_variable_names_dtypes_and_shapes(tmp_path):
    with tf.Graph().as_default():
        _model()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            path = saver.save(sess, str(tmp_path / "m"), global_step=3)
    reader = tf.train.NewCheckpointReader(path)
    assert reader.get_variable_to_shape_map() == {
        "global_step": [], "hidden1/biases": [3], "hidden1/weights": [2, 3]}
    assert reader.get_variable_to_dtype_map()["global_step"] == tf.int32
    np.testing.assert_array_equal(reader.get_tensor("hidden1/weights"), W)


def test_state_file_and_latest_checkpoint(tmp_path):
    with tf.Graph().as_default():
        _model()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            for step in (10, 20):
                saver.save(sess, str(tmp_path / "model.ckpt"), global_step=step)
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "model.ckpt-20")
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert list(state.all_model_checkpoint_paths) == [
        str(tmp_path / "model.ckpt-10"), str(tmp_path / "model.ckpt-20")]
    text = (tmp_path / "checkpoint").read_text()
    assert 'model_checkpoint_path: "model.ckpt-20"' in text


def test_max_to_keep_deletes_the_oldest(tmp_path):
    with tf.Graph().as_default():
        _model()
        saver = tf.train.Saver(max_to_keep=2)
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            for step in range(1, 6):
                saver.save(sess, str(tmp_path / "m"), global_step=step)
    kept = sorted(n for n in os.listdir(tmp_path) if n.endswith(".index"))
    assert kept == ["m-4.index", "m-5.index"]
    assert not [n for n in os.listdir(tmp_path) if n.startswith("m-1.")]
    assert saver.last_checkpoints == [str(tmp_path / "m-4"), str(tmp_path / "m-5")]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == ["m-4", "m-5"]


def test_keep_checkpoint_every_n_hours_keeps_old_ones(tmp_path):
    with tf.Graph().as_default():
        _model()
        saver = tf.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=1e-9)
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            for step in range(1, 4):
                saver.save(sess, str(tmp_path / "m"), global_step=step)
    kept = sorted(n for n in os.listdir(tmp_path) if n.endswith(".index"))
    assert kept == ["m-1.index", "m-2.index", "m-3.index"]
    assert saver.last_checkpoints == [str(tmp_path / "m-3")]


def test_var_list_dict_renames_and_list_selects(tmp_path):
    with tf.Graph().as_default():
        w, b, _ = _model()
        saver = tf.train.Saver({"renamed": w})
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            path = saver.save(sess, str(tmp_path / "d"))
        assert path == str(tmp_path / "d")
        assert sorted(checkpoint_bundle.read_bundle(path)) == ["renamed"]
        only_b = tf.train.Saver([b])
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            path = only_b.save(sess, str(tmp_path / "l"))
        assert sorted(checkpoint_bundle.read_bundle(path)) == ["hidden1/biases"]


def test_bad_var_lists_are_rejected():
    with tf.Graph().as_default():
        w, _, _ = _model()
        with pytest.raises(ValueError, match="same name"):
            tf.train.Saver([w, w])
        with pytest.raises(TypeError, match="not a Variable"):
            tf.train.Saver([tf.constant(1.0)])
    with tf.Graph().as_default(), pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()


def _saved(tmp_path, values: dict) -> str:
    prefix = str(tmp_path / "other")
    checkpoint_bundle.write_bundle(prefix, values)
    return prefix


def _restore_into_model(path):
    with tf.Graph().as_default():
        _model()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, path)


def test_restore_missing_file_is_not_found(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="nothing"):
        _restore_into_model(str(tmp_path / "nothing"))


def test_restore_missing_variable_is_not_found(tmp_path):
    path = _saved(tmp_path, {"hidden1/weights": W, "global_step": np.array(1, np.int32)})
    with pytest.raises(tf.errors.NotFoundError, match="Key hidden1/biases not found"):
        _restore_into_model(path)


def test_restore_shape_mismatch_is_invalid_argument(tmp_path):
    path = _saved(tmp_path, {"hidden1/weights": np.zeros((3, 2), np.float32),
                             "hidden1/biases": np.zeros(3, np.float32),
                             "global_step": np.array(1, np.int32)})
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"'hidden1/weights' .* shape \[3, 2\], but the variable has "
                             r"shape \[2, 3\]"):
        _restore_into_model(path)


def test_restore_dtype_mismatch_is_invalid_argument(tmp_path):
    path = _saved(tmp_path, {"hidden1/weights": W.astype(np.float64),
                             "hidden1/biases": np.zeros(3, np.float32),
                             "global_step": np.array(1, np.int32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="dtype double.*float32"):
        _restore_into_model(path)


def test_restore_corrupt_data_is_data_loss(tmp_path):
    path = _saved(tmp_path, {"hidden1/weights": W, "hidden1/biases": np.zeros(3, np.float32),
                             "global_step": np.array(1, np.int32)})
    data_path = path + ".data-00000-of-00001"
    data = bytearray(open(data_path, "rb").read())  # noqa: SIM115
    data[-5] ^= 0xFF
    with open(data_path, "wb") as f:
        f.write(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="checksum"):
        _restore_into_model(path)


def test_failed_save_keeps_previous_checkpoint_and_state(tmp_path, monkeypatch):
    with tf.Graph().as_default():
        w, _, _ = _model()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            first = saver.save(sess, str(tmp_path / "m"), global_step=1)
            sess.run(w.assign(W + 100))
            real_replace = os.replace

            def crash(src, dst):
                if str(dst).endswith(".index"):
                    raise OSError("disk full")
                real_replace(src, dst)

            monkeypatch.setattr(os, "replace", crash)
            with pytest.raises(tf.errors.OpError, match="disk full"):
                saver.save(sess, str(tmp_path / "m"), global_step=2)
            monkeypatch.undo()
        assert tf.train.latest_checkpoint(str(tmp_path)) == first
        np.testing.assert_array_equal(checkpoint_bundle.read_bundle(first)["hidden1/weights"], W)


def test_graph_has_tensorflows_save_scope():
    with tf.Graph().as_default() as graph:
        _model()
        tf.train.Saver()
        names = {op.name: op.type for op in graph.get_operations()}
    assert names["save/Const"] == "Const"
    assert names["save/SaveV2"] == "SaveV2"
    assert names["save/RestoreV2"] == "RestoreV2"
    assert names["save/restore_all"] == "NoOp"


def test_relative_save_path_and_custom_latest_filename(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with tf.Graph().as_default():
        _model()
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            assert saver.save(sess, "model.ckpt", global_step=1) == "model.ckpt-1"
            saver.save(sess, "sub/model.ckpt", global_step=2, latest_filename="latest")
    assert (tmp_path / "checkpoint").read_text().startswith('model_checkpoint_path: "model.ckpt-1"')
    assert tf.train.latest_checkpoint(".") == "./model.ckpt-1"
    assert tf.train.latest_checkpoint("sub", latest_filename="latest") == "sub/model.ckpt-2"
