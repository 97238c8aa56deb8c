"""The one-variable Apply* ops (TensorFlow's signatures) agree with the fused forms."""

from __future__ import annotations

import numpy as np
import pytest
import scopeflow as tf
from scopeflow.ops import training_ops

GRAD = np.array([0.5, -1.0, 2.0], np.float32)


def _run_single(build, slots_init):
    with tf.Graph().as_default():
        var = tf.Variable(np.ones(3, np.float32), name="var")
        slots = [tf.Variable(np.full(3, v, np.float32), name=f"slot{i}")
                 for i, v in enumerate(slots_init)]
        out = build(var, slots, tf.constant(GRAD))
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            returned = sess.run(out)
            final = sess.run(var)
            np.testing.assert_allclose(returned, final)
            return final


def test_apply_gradient_descent():
    got = _run_single(lambda v, s, g: training_ops.apply_gradient_descent(v, 0.5, g), [])
    np.testing.assert_allclose(got, 1.0 - 0.5 * GRAD)


def test_apply_momentum_takes_grad_before_momentum():
    got = _run_single(
        lambda v, s, g: training_ops.apply_momentum(v, s[0], 0.1, g, 0.9), [1.0])
    np.testing.assert_allclose(got, 1.0 - 0.1 * (0.9 * 1.0 + GRAD), rtol=1e-6)


def test_apply_adagrad():
    got = _run_single(lambda v, s, g: training_ops.apply_adagrad(v, s[0], 0.1, g), [0.1])
    np.testing.assert_allclose(got, 1.0 - 0.1 * GRAD / np.sqrt(0.1 + GRAD**2), rtol=1e-6)


def test_apply_adam_first_step_moves_by_about_lr():
    got = _run_single(lambda v, s, g: training_ops.apply_adam(
        v, s[0], s[1], 0.9, 0.999, 0.01, 0.9, 0.999, 1e-8, g), [0.0, 0.0])
    np.testing.assert_allclose(got, 1.0 - 0.01 * np.sign(GRAD), rtol=1e-5)


def test_apply_rms_prop():
    got = _run_single(lambda v, s, g: training_ops.apply_rms_prop(
        v, s[0], s[1], 0.01, 0.9, 0.0, 1e-10, g), [1.0, 0.0])
    ms = 0.9 + 0.1 * GRAD**2
    np.testing.assert_allclose(got, 1.0 - 0.01 * GRAD / np.sqrt(ms), rtol=1e-6)


def test_apply_op_is_stateful_and_has_no_gradient():
    with tf.Graph().as_default():
        var = tf.Variable(np.ones(3, np.float32), name="var")
        out = training_ops.apply_gradient_descent(var, 0.5, tf.constant(GRAD))
        assert out.op.type == "ApplyGradientDescent"
        assert out.op.spec.stateful
        assert tf.gradients(out, [var])[0] is None


def test_uninitialized_slot_is_failed_precondition():
    with tf.Graph().as_default():
        var = tf.Variable(np.ones(3, np.float32), name="var")
        accum = tf.Variable(np.ones(3, np.float32), name="accum")
        out = training_ops.apply_adagrad(var, accum, 0.1, tf.constant(GRAD))
        with tf.Session() as sess:
            sess.run(var.initializer)
            with pytest.raises(tf.errors.FailedPreconditionError, match="accum"):
                sess.run(out)
