"""Steps per second of the MNIST MLP (784-128-32-10, batch 100, SGD, fed from numpy).

Runs, in one process and one thread, the same model and data as
  - scopeflow: the Mechanics 101 graph (mnist.inference, sparse softmax cross-entropy,
    GradientDescentOptimizer), one `sess.run([train_op, loss], feed_dict)` per step; and
    again with the tutorial's own loss (its one-hot built with sparse_to_dense);
  - torch: a stock eager loop (nn.Linear layers, torch.optim.SGD, zero_grad, backward, step);
  - TensorFlow's graph mode (tf.compat.v1), when `tensorflow` is importable here or
    SCOPEFLOW_TF_PYTHON names a Python that has it (a subprocess, one thread, timing its
    own rounds on request);
and prints steps/s and the ratios. Rounds are interleaved so drifts in machine load hit all.

    OMP_NUM_THREADS=1 python bench/mnist_step.py [--steps 500] [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch

BATCH, PIXELS, HIDDEN1, HIDDEN2, CLASSES, LR = 100, 784, 128, 32, 10, 0.01


def make_batches(count: int = 20, seed: int = 0):
    rng = np.random.RandomState(seed)
    return [(rng.rand(BATCH, PIXELS).astype(np.float32),
             rng.randint(0, CLASSES, BATCH).astype(np.int32)) for _ in range(count)]


def torch_runner(batches):
    model = torch.nn.Sequential(
        torch.nn.Linear(PIXELS, HIDDEN1), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN1, HIDDEN2), torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN2, CLASSES),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()

    def run(steps: int) -> float:
        for i in range(steps):
            images, labels = batches[i % len(batches)]
            x, y = torch.from_numpy(images), torch.from_numpy(labels).long()
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        return loss.item()

    return run


def scopeflow_runner(batches, tutorial_loss: bool = False):
    """The Mechanics 101 inference graph; the loss is sparse softmax cross-entropy (what
    the torch and TensorFlow loops compute) or, with `tutorial_loss`, the tutorial's own
    one-hot construction (size, range, concat, sparse_to_dense, softmax cross-entropy)."""
    import scopeflow as tf
    from scopeflow.examples.mnist import mnist

    graph = tf.Graph()
    with graph.as_default():
        images_pl = tf.placeholder(tf.float32, shape=(BATCH, PIXELS))
        labels_pl = tf.placeholder(tf.int32, shape=(BATCH,))
        logits = mnist.inference(images_pl, HIDDEN1, HIDDEN2)
        if tutorial_loss:
            loss = mnist.loss(logits, labels_pl)
        else:
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(logits, labels_pl))
        train_op = tf.train.GradientDescentOptimizer(LR).minimize(loss)
        sess = tf.Session()
        sess.run(tf.initialize_all_variables())

    def run(steps: int) -> float:
        loss_value = None
        for i in range(steps):
            images, labels = batches[i % len(batches)]
            _, loss_value = sess.run([train_op, loss], {images_pl: images, labels_pl: labels})
        return float(loss_value)

    return run


_TF_SCRIPT = r"""
import os, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
import numpy as np, tensorflow as tf
tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)
tf.compat.v1.disable_eager_execution()
v1 = tf.compat.v1
rng = np.random.RandomState(0)
batches = [(rng.rand(100, 784).astype(np.float32), rng.randint(0, 10, 100).astype(np.int32))
           for _ in range(20)]
x = v1.placeholder(tf.float32, (100, 784)); y = v1.placeholder(tf.int32, (100,))
def layer(h, n_in, n_out, act):
    w = tf.Variable(v1.truncated_normal([n_in, n_out], stddev=n_in ** -0.5))
    b = tf.Variable(tf.zeros([n_out]))
    out = tf.matmul(h, w) + b
    return tf.nn.relu(out) if act else out
logits = layer(layer(layer(x, 784, 128, True), 128, 32, True), 32, 10, False)
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
train = v1.train.GradientDescentOptimizer(0.01).minimize(loss)
config = v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
sess = v1.Session(config=config); sess.run(v1.global_variables_initializer())
def run(n):
    for i in range(n):
        a, b = batches[i % 20]
        sess.run([train, loss], {x: a, y: b})
run(50)
# One line per timed round: the parent sends a step count, gets back steps/s.
print("ready", flush=True)
while True:
    line = sys.stdin.readline()
    if not line:
        break
    n = int(line)
    t = time.perf_counter(); run(n)
    print(n / (time.perf_counter() - t), flush=True)
"""


def _tf_python() -> str | None:
    if importlib.util.find_spec("tensorflow") is not None:
        return sys.executable
    return os.environ.get("SCOPEFLOW_TF_PYTHON") or None


def tensorflow_runner():
    """A `run(steps)` that times steps in a TensorFlow subprocess; None without tensorflow."""
    python = _tf_python()
    if python is None:
        return None
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    child = subprocess.Popen([python, "-c", _TF_SCRIPT], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env)
    if child.stdout.readline().strip() != "ready":
        print("tensorflow did not start; leaving it out", file=sys.stderr)
        child.kill()
        return None
    last_rate = [0.0]

    def run(steps: int) -> None:
        child.stdin.write(f"{steps}\n")
        child.stdin.flush()
        last_rate[0] = float(child.stdout.readline())

    run.last_rate = last_rate
    run.close = lambda: (child.stdin.close(), child.wait(timeout=60))
    return run


def measure(runners: dict, steps: int, rounds: int) -> dict[str, list[float]]:
    """Interleaved rounds; a runner with `last_rate` (a subprocess) reports its own timing."""
    for run in runners.values():
        run(50)  # warm-up: plan compilation, allocator, caches
    rates: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(rounds):
        for name, run in runners.items():
            start = time.perf_counter()
            run(steps)
            elapsed = time.perf_counter() - start
            own = getattr(run, "last_rate", None)
            rates[name].append(own[0] if own else steps / elapsed)
    return rates


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500, help="steps per timed round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    batches = make_batches()
    runners = {"scopeflow": scopeflow_runner(batches), "torch": torch_runner(batches),
               "scopeflow_tutorial_loss": scopeflow_runner(batches, tutorial_loss=True)}
    tf_run = tensorflow_runner()
    if tf_run is not None:
        runners["tensorflow"] = tf_run
    rates = measure(runners, args.steps, args.rounds)
    if tf_run is not None:
        tf_run.close()
    best = {name: float(np.median(r)) for name, r in rates.items()}
    report = {
        "steps_per_s": best,
        "ratio_scopeflow_over_torch": best["scopeflow"] / best["torch"],
        "ratio_scopeflow_tutorial_loss_over_torch":
            best["scopeflow_tutorial_loss"] / best["torch"],
        "target_ratio": 1.2,
    }
    if "tensorflow" in best:
        report["ratio_tensorflow_over_torch"] = best["tensorflow"] / best["torch"]
        report["ratio_scopeflow_over_tensorflow"] = best["scopeflow"] / best["tensorflow"]
    if args.json:
        print(json.dumps(report))
    else:
        print(f"MNIST MLP 784-128-32-10, batch {BATCH}, SGD, one thread, median of "
              f"{args.rounds} rounds x {args.steps} steps")
        for name, value in best.items():
            print(f"  {name:<24} {value:9.1f} steps/s")
        for key, value in report.items():
            if key.startswith("ratio"):
                print(f"  {key:<40} {value:.2f}x")
    return report


if __name__ == "__main__":
    main()
