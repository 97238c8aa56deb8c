"""tf.train.exponential_decay: a learning rate that shrinks with the global step."""

from __future__ import annotations

from scopeflow.framework import ops
from scopeflow.ops import math_ops

__all__ = ["exponential_decay"]

def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """learning_rate * decay_rate ^ (global_step / decay_steps), the exponent floored when
    `staircase` so the rate drops in steps."""
    with ops.op_scope([learning_rate, global_step, decay_steps, decay_rate], name,
                      "ExponentialDecay") as scope:
        learning_rate = ops.convert_to_tensor(learning_rate, name="learning_rate")
        dtype = learning_rate.dtype.base_dtype
        step = math_ops.cast(global_step, dtype)
        decay_steps = math_ops.cast(decay_steps, dtype)
        decay_rate = math_ops.cast(decay_rate, dtype)
        p = math_ops.div(step, decay_steps)
        if staircase:
            p = math_ops.floor(p)
        return math_ops.mul(learning_rate, math_ops.pow(decay_rate, p), name=scope)
