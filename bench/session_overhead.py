"""Session.run overhead: scopeflow against eager torch (and TensorFlow, when importable).

In one run, one thread:
  (a) sess.run of a trivial graph, placeholder + 1, with a feed;
  (b) sess.run of a chain of 50 small adds (a [16] float32 placeholder fed each run);
  (c) the same 50 adds as eager torch calls on the same values;
  (d) TensorFlow's own (a), only when `tensorflow` is importable (skipped otherwise).
Prints microseconds per run and the ratios (targets: (a) under 25 us, (b)/(c) at most 1.3).

    OMP_NUM_THREADS=1 python bench/session_overhead.py [--seconds S]
"""

from __future__ import annotations

import argparse
import os
import timeit

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch

CHAIN = 50


def per_call_us(fn, seconds: float) -> float:
    """Best of 5 repeats of a loop sized to take about `seconds` / 5, in microseconds."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, int(number * seconds / 5 / 0.2))
    return min(timer.repeat(repeat=5, number=number)) / number * 1e6


def bench_trivial(seconds: float) -> float:
    import scopeflow as tf

    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [])
        y = x + 1.0
        with tf.Session() as sess:
            feed = np.float32(2.0)
            assert sess.run(y, {x: feed}) == 3.0
            return per_call_us(lambda: sess.run(y, {x: feed}), seconds)


def bench_chain(seconds: float, values: np.ndarray) -> tuple[float, np.ndarray]:
    import scopeflow as tf

    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [values.size])
        y = x
        for i in range(CHAIN):
            y = y + float(i)
        with tf.Session() as sess:
            result = sess.run(y, {x: values})
            return per_call_us(lambda: sess.run(y, {x: values}), seconds), result


def bench_eager(seconds: float, values: np.ndarray) -> tuple[float, np.ndarray]:
    consts = [torch.tensor(float(i)) for i in range(CHAIN)]

    def run():
        t = torch.from_numpy(values)
        for c in consts:
            t = torch.add(t, c)
        return t.numpy()

    return per_call_us(run, seconds), run()


def bench_tensorflow(seconds: float):
    try:
        import tensorflow.compat.v1 as tfv1
    except ImportError:
        return None
    tfv1.disable_eager_execution()
    graph = tfv1.Graph()
    with graph.as_default():
        x = tfv1.placeholder(tfv1.float32, [])
        y = x + 1.0
        sess = tfv1.Session(graph=graph)
        feed = np.float32(2.0)
        return per_call_us(lambda: sess.run(y, {x: feed}), seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time budget per case")
    args = parser.parse_args()
    torch.set_num_threads(1)
    values = np.arange(16, dtype=np.float32)

    trivial = bench_trivial(args.seconds)
    chain, chain_result = bench_chain(args.seconds, values)
    eager, eager_result = bench_eager(args.seconds, values)
    np.testing.assert_allclose(chain_result, eager_result)
    tf_trivial = bench_tensorflow(args.seconds)

    print(f"(a) scopeflow sess.run(placeholder + 1, feed): {trivial:8.2f} us/run "
          f"(target < 25 us)")
    print(f"(b) scopeflow sess.run(chain of {CHAIN} adds):      {chain:8.2f} us/run")
    print(f"(c) eager torch, same {CHAIN} adds:                 {eager:8.2f} us/run "
          f"({eager / CHAIN:.2f} us/op)")
    print(f"    ratio (b)/(c): {chain / eager:.2f} (target <= 1.3)")
    if tf_trivial is None:
        print("(d) TensorFlow not importable: skipped")
    else:
        print(f"(d) TensorFlow sess.run(placeholder + 1, feed):  {tf_trivial:8.2f} us/run")
        print(f"    ratio (a)/(d): {trivial / tf_trivial:.2f}")


if __name__ == "__main__":
    main()
