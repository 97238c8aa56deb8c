"""Optimizers: update rules against TensorFlow's formulas, slots, global_step, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scopeflow as tf

TARGET = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]], np.float32)
SCALE = np.array([[1.0, 2.0, 0.5], [3.0, 1.0, 0.25]], np.float32)
START = np.zeros((2, 3), np.float32)


def _grad(w):
    return (w - TARGET) * SCALE  # of 0.5 * sum(scale * (w - target)^2)


def _reference(kind: str, steps: int, **hp) -> np.ndarray:
    """TensorFlow's update rules in float64 numpy."""
    w = START.astype(np.float64)
    a = np.full_like(w, hp.get("init", 0.0))
    b = np.zeros_like(w)
    for t in range(1, steps + 1):
        g = _grad(w)
        if kind == "sgd":
            w = w - hp["lr"] * g
        elif kind == "momentum":
            a = hp["momentum"] * a + g
            w = w - hp["lr"] * a
        elif kind == "adagrad":
            a = a + g * g
            w = w - hp["lr"] * g / np.sqrt(a)
        elif kind == "adam":
            b1, b2, eps = 0.9, 0.999, 1e-8
            lr_t = hp["lr"] * np.sqrt(1 - b2**t) / (1 - b1**t)
            a = b1 * a + (1 - b1) * g
            b = b2 * b + (1 - b2) * g * g
            w = w - lr_t * a / (np.sqrt(b) + eps)
        elif kind == "rmsprop":
            decay, mom, eps = 0.9, hp["momentum"], 1e-10
            a = decay * a + (1 - decay) * g * g
            b = mom * b + hp["lr"] * g / np.sqrt(a + eps)
            w = w - b
    return w


def _train(make_optimizer, steps: int):
    with tf.Graph().as_default():
        w = tf.Variable(START, name="weights")
        loss = 0.5 * tf.reduce_sum(SCALE * tf.square(w - TARGET))
        optimizer = make_optimizer()
        train_op = optimizer.minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            for _ in range(steps):
                sess.run(train_op)
            return sess.run(w), optimizer, w


@pytest.mark.parametrize("kind, make, hp", [
    ("sgd", lambda: tf.train.GradientDescentOptimizer(0.1), {"lr": 0.1}),
    ("momentum", lambda: tf.train.MomentumOptimizer(0.05, 0.9), {"lr": 0.05, "momentum": 0.9}),
    ("adagrad", lambda: tf.train.AdagradOptimizer(0.3), {"lr": 0.3, "init": 0.1}),
    ("adam", lambda: tf.train.AdamOptimizer(0.05), {"lr": 0.05}),
    ("rmsprop", lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5),
     {"lr": 0.01, "init": 1.0, "momentum": 0.5}),
])
def test_update_rule_matches_tensorflows_formula(kind, make, hp):
    got, _, _ = _train(make, steps=7)
    np.testing.assert_allclose(got, _reference(kind, 7, **hp), rtol=2e-5, atol=2e-6)
    assert not np.allclose(got, START)


def test_slot_variables_are_named_as_tensorflow_names_them():
    with tf.Graph().as_default():
        w = tf.Variable(START, name="weights")
        b = tf.Variable(np.zeros(3, np.float32), name="biases")
        loss = tf.reduce_sum(tf.square(w)) + tf.reduce_sum(b)
        adam = tf.train.AdamOptimizer()
        adam.minimize(loss)
        momentum = tf.train.MomentumOptimizer(0.1, 0.9)
        momentum.minimize(loss)
        names = [v.op.name for v in tf.all_variables()]
        assert names == ["weights", "biases", "beta1_power", "beta2_power",
                         "weights/Adam", "weights/Adam_1", "biases/Adam", "biases/Adam_1",
                         "weights/Momentum", "biases/Momentum"]
        assert adam.get_slot_names() == ["m", "v"]
        assert adam.get_slot(w, "v").op.name == "weights/Adam_1"
        assert adam.get_slot(w, "nope") is None
        assert [v.op.name for v in tf.trainable_variables()] == ["weights", "biases"]


def _upstream(op) -> set[str]:
    seen, todo = set(), [op]
    while todo:
        op = todo.pop()
        for dep in [t.op for t in op.inputs] + list(op.control_inputs):
            if dep.name not in seen:
                seen.add(dep.name)
                todo.append(dep)
    return seen


def test_global_step_increments_once_per_apply_and_names_the_train_op():
    with tf.Graph().as_default():
        w = tf.Variable(START, name="w")
        step = tf.Variable(0, name="global_step", trainable=False)
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(
            tf.reduce_sum(tf.square(w)), global_step=step)
        assert train_op.name == "GradientDescent"
        assert "GradientDescent/update" in _upstream(train_op)
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            for _ in range(5):
                sess.run(train_op)
            assert sess.run(step) == 5


def test_without_global_step_the_update_is_the_train_op():
    with tf.Graph().as_default():
        w = tf.Variable(START, name="w")
        train_op = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(w))
        assert train_op.name == "GradientDescent"
        assert train_op.type == "FusedApplyGradientDescent"
        # The graph shows what the update writes.
        assert [op.name for op in train_op.control_inputs] == ["w"]


def test_var_list_limits_what_is_trained():
    with tf.Graph().as_default():
        a = tf.Variable(1.0, name="a")
        b = tf.Variable(1.0, name="b")
        train_op = tf.train.GradientDescentOptimizer(0.5).minimize(a * b, var_list=[a])
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            sess.run(train_op)
            assert sess.run([a, b]) == [0.5, 1.0]


def test_compute_gradients_gives_none_for_unconnected_and_apply_skips_it():
    with tf.Graph().as_default():
        a = tf.Variable(2.0, name="a")
        c = tf.Variable(3.0, name="c")
        optimizer = tf.train.GradientDescentOptimizer(1.0)
        pairs = optimizer.compute_gradients(tf.square(a), var_list=[a, c])
        assert pairs[1] == (None, c)
        train_op = optimizer.apply_gradients(pairs)
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            sess.run(train_op)
            assert sess.run([a, c]) == [-2.0, 3.0]


def test_no_gradient_at_all_is_a_clear_error():
    with tf.Graph().as_default():
        a = tf.Variable(2.0, name="a")
        with pytest.raises(ValueError, match=r"No gradients provided for any variable: \['a'\]"):
            tf.train.GradientDescentOptimizer(0.1).minimize(tf.constant(1.0), var_list=[a])


def test_non_variable_in_var_list_is_a_type_error():
    with tf.Graph().as_default():
        x = tf.constant(1.0)
        with pytest.raises(TypeError, match="not a Variable"):
            tf.train.GradientDescentOptimizer(0.1).compute_gradients(x, var_list=[x])


def test_uninitialized_variable_is_failed_precondition():
    with tf.Graph().as_default():
        w = tf.Variable(START, name="w")
        train_op = tf.train.MomentumOptimizer(0.1, 0.9).minimize(tf.reduce_sum(w))
        with tf.Session() as sess:
            sess.run(w.initializer)
            with pytest.raises(tf.errors.FailedPreconditionError, match="w/Momentum"):
                sess.run(train_op)


def test_learning_rate_may_be_a_fed_tensor():
    with tf.Graph().as_default():
        w = tf.Variable(1.0, name="w")
        lr = tf.placeholder(tf.float32, shape=())
        train_op = tf.train.GradientDescentOptimizer(lr).minimize(w * 2.0)
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            sess.run(train_op, {lr: 0.25})
            sess.run(train_op, {lr: 0.0})
            assert sess.run(w) == 0.5


def test_two_sessions_train_independently():
    with tf.Graph().as_default():
        w = tf.Variable(1.0, name="w")
        train_op = tf.train.GradientDescentOptimizer(0.5).minimize(w)
        first, second = tf.Session(), tf.Session()
        for sess in (first, second):
            sess.run(tf.initialize_all_variables())
        first.run(train_op)
        first.run(train_op)
        assert (first.run(w), second.run(w)) == (0.0, 1.0)


def test_variables_pinned_to_different_devices_get_one_update_each():
    with tf.Graph().as_default():
        with tf.device("/cpu:0"):
            a = tf.Variable(1.0, name="a")
        b = tf.Variable(2.0, name="b")
        train_op = tf.train.GradientDescentOptimizer(0.5).minimize(a + b)
        assert train_op.type == "NoOp"
        updates = [op for op in tf.get_default_graph().get_operations()
                   if op.type == "FusedApplyGradientDescent"]
        assert sorted(op.get_attr("var_names") for op in updates) == [["a"], ["b"]]
        with tf.Session() as sess:
            sess.run(tf.initialize_all_variables())
            sess.run(train_op)
            assert sess.run([a, b]) == [0.5, 1.5]
