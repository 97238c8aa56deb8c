"""Session.run overhead: scopeflow against eager torch (and TensorFlow, when importable).

In one run, one thread:
  (a) sess.run of a trivial graph, placeholder + 1, with a feed;
  (b) sess.run of a chain of 50 small adds (a [16] float32 placeholder fed each run);
  (c) the same 50 adds as eager torch calls on the same values;
  (d) TensorFlow's own (a), only when `tensorflow` is importable (skipped otherwise).
Prints microseconds per run and the ratios (targets: (a) under 25 us, (b)/(c) at most 1.3).
Times are the process's CPU time (all its threads, so TensorFlow's thread pool counts too),
not wall-clock time, so other processes loading the machine do not skew the ratios.

    OMP_NUM_THREADS=1 python bench/session_overhead.py [--seconds S]
"""

from __future__ import annotations

import argparse
import os
import time
import timeit

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch

CHAIN = 50


ROUNDS = 15


def per_call_us(cases: dict, seconds: float) -> dict:
    """CPU microseconds per call of each function: the best of ROUNDS rounds.

    The cases take turns within each round, so whatever else the machine is doing (cache
    pressure from other processes) affects all of them alike.
    """
    timers = {name: timeit.Timer(fn, timer=time.process_time) for name, fn in cases.items()}
    numbers = {}
    for name, timer in timers.items():
        number, took = timer.autorange()
        numbers[name] = max(1, int(number * seconds / ROUNDS / max(took, 1e-3)))
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(ROUNDS):
        for name, timer in timers.items():
            best[name] = min(best[name], timer.timeit(numbers[name]) / numbers[name] * 1e6)
    return best


def trivial_case():
    """(a): sess.run(placeholder + 1) with a feed."""
    import scopeflow as tf

    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [])
        y = x + 1.0
    sess = tf.Session(graph=graph)
    feed = np.float32(2.0)
    assert sess.run(y, {x: feed}) == 3.0
    return lambda: sess.run(y, {x: feed})


def chain_case(values: np.ndarray):
    """(b): a chain of CHAIN adds of scalar constants to a fed vector."""
    import scopeflow as tf

    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [values.size])
        y = x
        for i in range(CHAIN):
            y = y + float(i)
    sess = tf.Session(graph=graph)
    return lambda: sess.run(y, {x: values})


def eager_case(values: np.ndarray):
    """(c): the same adds as eager torch calls, numpy in and out as a session run does."""
    consts = [torch.tensor(float(i)) for i in range(CHAIN)]

    def run():
        t = torch.from_numpy(values)
        for c in consts:
            t = torch.add(t, c)
        return t.numpy()

    return run


def tensorflow_case():
    """(d): TensorFlow's own (a), or None when tensorflow is not importable."""
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
    return lambda: sess.run(y, {x: feed})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time budget per case")
    args = parser.parse_args()
    torch.set_num_threads(1)
    values = np.arange(16, dtype=np.float32)

    cases = {"a": trivial_case(), "b": chain_case(values), "c": eager_case(values)}
    np.testing.assert_allclose(cases["b"](), cases["c"]())
    tf_case = tensorflow_case()
    if tf_case is not None:
        cases["d"] = tf_case
    times = per_call_us(cases, args.seconds * len(cases))
    trivial, chain, eager = times["a"], times["b"], times["c"]
    tf_trivial = times.get("d")

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
