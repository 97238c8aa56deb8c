"""Builds the MNIST network of TensorFlow's Mechanics 101 tutorial.

inference() -> logits, loss() -> cross-entropy, training() -> the train op,
evaluation() -> the number of correct predictions in a batch. The pixel count follows the
images tensor, so the same code trains on scikit-learn's 8x8 digits.
"""

from __future__ import annotations

import math

import scopeflow as tf

NUM_CLASSES = 10
IMAGE_SIZE = 28
IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE


def _layer(inputs, in_units: int, out_units: int):
    weights = tf.Variable(
        tf.truncated_normal([in_units, out_units], stddev=1.0 / math.sqrt(float(in_units))),
        name="weights",
    )
    biases = tf.Variable(tf.zeros([out_units]), name="biases")
    return tf.matmul(inputs, weights) + biases


def inference(images, hidden1_units: int, hidden2_units: int):
    """Two ReLU hidden layers and a linear softmax layer; returns the logits."""
    pixels = images.get_shape()[1].value or IMAGE_PIXELS
    with tf.name_scope("hidden1"):
        hidden1 = tf.nn.relu(_layer(images, pixels, hidden1_units))
    with tf.name_scope("hidden2"):
        hidden2 = tf.nn.relu(_layer(hidden1, hidden1_units, hidden2_units))
    with tf.name_scope("softmax_linear"):
        logits = _layer(hidden2, hidden2_units, NUM_CLASSES)
    return logits


def loss(logits, labels):
    """Mean softmax cross-entropy of `logits` against int32 `labels` (one-hot built here)."""
    batch_size = tf.size(labels)
    labels = tf.expand_dims(labels, 1)
    indices = tf.expand_dims(tf.range(0, batch_size, 1), 1)
    concated = tf.concat(1, [indices, labels])
    onehot_labels = tf.sparse_to_dense(concated, tf.pack([batch_size, NUM_CLASSES]), 1.0, 0.0)
    cross_entropy = tf.nn.softmax_cross_entropy_with_logits(
        logits, onehot_labels, name="xentropy"
    )
    return tf.reduce_mean(cross_entropy, name="xentropy_mean")


def training(loss, learning_rate: float):
    """A scalar summary of the loss, a global step, and one gradient-descent step."""
    tf.scalar_summary(loss.op.name, loss)
    optimizer = tf.train.GradientDescentOptimizer(learning_rate)
    global_step = tf.Variable(0, name="global_step", trainable=False)
    return optimizer.minimize(loss, global_step=global_step)


def evaluation(logits, labels):
    """How many of the batch's labels are the top prediction (an int32 scalar)."""
    correct = tf.nn.in_top_k(logits, labels, 1)
    return tf.reduce_sum(tf.cast(correct, tf.int32))
