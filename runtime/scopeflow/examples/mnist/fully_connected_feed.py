"""Trains and evaluates the Mechanics 101 MNIST network with feed_dict.

    python -m scopeflow.examples.mnist.fully_connected_feed [--dataset mnist|digits|auto]

Summaries go to --train_dir every 100 steps, checkpoints every 1000 steps and at the end,
each followed by the precision on the train, validation and test sets.
"""

from __future__ import annotations

import os
import sys
import time

import scopeflow as tf
from scopeflow.examples.mnist import input_data, mnist

flags = tf.app.flags
FLAGS = flags.FLAGS
flags.DEFINE_float("learning_rate", 0.01, "Initial learning rate.")
flags.DEFINE_integer("max_steps", 2000, "Number of steps to run trainer.")
flags.DEFINE_integer("hidden1", 128, "Number of units in hidden layer 1.")
flags.DEFINE_integer("hidden2", 32, "Number of units in hidden layer 2.")
flags.DEFINE_integer("batch_size", 100, "Batch size.  Must divide evenly into the dataset sizes.")
flags.DEFINE_string("train_dir", "data", "Directory to put the training data.")
flags.DEFINE_boolean("fake_data", False, "If true, uses fake data for unit testing.")
flags.DEFINE_string("dataset", "mnist", "mnist, digits (scikit-learn's 8x8 digits, offline), "
                    "or auto (MNIST files if present in train_dir, else digits).")
flags.DEFINE_integer("seed", None, "Graph-level random seed and data shuffling seed, for "
                     "repeatable runs (default: different every run).")


def placeholder_inputs(batch_size: int, image_pixels: int = mnist.IMAGE_PIXELS):
    images_placeholder = tf.placeholder(tf.float32, shape=(batch_size, image_pixels))
    labels_placeholder = tf.placeholder(tf.int32, shape=(batch_size,))
    return images_placeholder, labels_placeholder


def fill_feed_dict(data_set, images_pl, labels_pl):
    images_feed, labels_feed = data_set.next_batch(FLAGS.batch_size, FLAGS.fake_data)
    return {images_pl: images_feed, labels_pl: labels_feed}


def do_eval(sess, eval_correct, images_placeholder, labels_placeholder, data_set) -> float:
    """Runs one epoch of `data_set` in whole batches and prints the precision."""
    true_count = 0
    steps_per_epoch = data_set.num_examples // FLAGS.batch_size
    num_examples = steps_per_epoch * FLAGS.batch_size
    for _ in range(steps_per_epoch):
        feed_dict = fill_feed_dict(data_set, images_placeholder, labels_placeholder)
        true_count += int(sess.run(eval_correct, feed_dict=feed_dict))
    precision = true_count / num_examples if num_examples else 0.0
    print(f"  Num examples: {num_examples}  Num correct: {true_count}  "
          f"Precision @ 1: {precision:0.04f}")
    return precision


def run_training() -> dict:
    """Train for FLAGS.max_steps; returns the last precision per data set, the last
    checkpoint's path and the data source."""
    data_sets = input_data.read_data_sets(
        FLAGS.train_dir, FLAGS.fake_data, dataset=FLAGS.dataset, seed=FLAGS.seed
    )
    print(f"Training on {data_sets.source} ({data_sets.train.num_examples} train, "
          f"{data_sets.validation.num_examples} validation, {data_sets.test.num_examples} test)")
    pixels = data_sets.train.images.shape[1] or mnist.IMAGE_PIXELS
    result = {"precision": {}, "checkpoint": None, "source": data_sets.source}
    with tf.Graph().as_default():
        if FLAGS.seed is not None:
            tf.set_random_seed(FLAGS.seed)
        images_placeholder, labels_placeholder = placeholder_inputs(FLAGS.batch_size, pixels)
        logits = mnist.inference(images_placeholder, FLAGS.hidden1, FLAGS.hidden2)
        loss = mnist.loss(logits, labels_placeholder)
        train_op = mnist.training(loss, FLAGS.learning_rate)
        eval_correct = mnist.evaluation(logits, labels_placeholder)
        summary_op = tf.merge_all_summaries()
        saver = tf.train.Saver()
        sess = tf.Session()
        sess.run(tf.initialize_all_variables())
        summary_writer = tf.train.SummaryWriter(FLAGS.train_dir, graph_def=sess.graph_def)
        checkpoint_file = os.path.join(FLAGS.train_dir, "model.ckpt")
        for step in range(FLAGS.max_steps):
            start_time = time.time()
            feed_dict = fill_feed_dict(data_sets.train, images_placeholder, labels_placeholder)
            _, loss_value = sess.run([train_op, loss], feed_dict=feed_dict)
            duration = time.time() - start_time
            if step % 100 == 0:
                print(f"Step {step}: loss = {loss_value:.2f} ({duration:.3f} sec)")
                summary_str = sess.run(summary_op, feed_dict=feed_dict)
                summary_writer.add_summary(summary_str, step)
                # As later versions of the tutorial do: the board shows the run live.
                summary_writer.flush()
            if (step + 1) % 1000 == 0 or (step + 1) == FLAGS.max_steps:
                result["checkpoint"] = saver.save(sess, checkpoint_file, global_step=step)
                for name, data_set in (("Training", data_sets.train),
                                       ("Validation", data_sets.validation),
                                       ("Test", data_sets.test)):
                    print(f"{name} Data Eval:")
                    result["precision"][name.lower()] = do_eval(
                        sess, eval_correct, images_placeholder, labels_placeholder, data_set)
        summary_writer.close()
        sess.close()
    return result


def main(_argv) -> int:
    try:
        run_training()
    except input_data.DatasetUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    tf.app.run(main)
