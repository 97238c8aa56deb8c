"""tf.train's optimizers: GradientDescent, Momentum, Adagrad, Adam, RMSProp.

Defaults, slot names and update rules are TensorFlow 0.6's; the rules themselves are in
scopeflow.ops.training_ops.

IndexedSlices gradients: GradientDescent subtracts the scaled rows (ScatterSub), Momentum and
Adagrad apply SparseApplyMomentum / SparseApplyAdagrad to the gathered rows, as 0.6 does.
Momentum's sparse rule is TensorFlow's lazy one: rows absent from a batch keep their
momentum without decaying or moving. Adam and RMSProp densify the gradient into their fused
update: 0.6's sparse Adam decays m and v and moves every row anyway (and squared duplicate
rows one by one), and 0.6's RMSProp had no sparse update.
"""

from __future__ import annotations

from scopeflow.framework import dtypes, ops
from scopeflow.framework.indexed_slices import IndexedSlices
from scopeflow.ops import control_flow_ops, math_ops, training_ops
from scopeflow.train.optimizer import Optimizer, _variables

__all__ = [
    "AdagradOptimizer", "AdamOptimizer", "GradientDescentOptimizer", "MomentumOptimizer",
    "RMSPropOptimizer",
]


class GradientDescentOptimizer(Optimizer):
    """var -= learning_rate * grad."""

    _op_type = "ApplyGradientDescent"

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _hyper(self):
        return [self._constant(self._learning_rate, "learning_rate")]

    def _apply_sparse(self, grad, var, hyper):
        lr = _as_dtype(hyper[0], grad.dtype)
        delta = IndexedSlices(math_ops.mul(grad.values, lr), grad.indices, grad.dense_shape)
        return var.scatter_sub(delta, use_locking=self._use_locking).op


class MomentumOptimizer(Optimizer):
    """accum = momentum * accum + grad; var -= learning_rate * accum. Slot: `momentum`."""

    _op_type = "ApplyMomentum"
    _slot_inits = (0.0,)
    _slot_names = ("momentum",)

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum"):
        super().__init__(use_locking, name)
        self._learning_rate, self._momentum = learning_rate, momentum

    def _hyper(self):
        return [self._constant(self._learning_rate, "learning_rate"),
                self._constant(self._momentum, "momentum")]

    def _apply_sparse(self, grad, var, hyper):
        lr, momentum = (_as_dtype(h, var.dtype) for h in hyper)
        return training_ops.sparse_apply_momentum(
            var, self.get_slot(var, "momentum"), lr, grad.values, grad.indices, momentum,
            use_locking=self._use_locking).op


class AdagradOptimizer(Optimizer):
    """accum += grad^2; var -= learning_rate * grad / sqrt(accum). Slot: `accumulator`."""

    _op_type = "ApplyAdagrad"
    _slot_names = ("accumulator",)

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}")
        self._slot_inits = (float(initial_accumulator_value),)
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate

    def _hyper(self):
        return [self._constant(self._learning_rate, "learning_rate")]

    def _apply_sparse(self, grad, var, hyper):
        return training_ops.sparse_apply_adagrad(
            var, self.get_slot(var, "accumulator"), _as_dtype(hyper[0], var.dtype),
            grad.values, grad.indices, use_locking=self._use_locking).op


class AdamOptimizer(Optimizer):
    """Adam (Kingma & Ba) with TensorFlow's bias-corrected step size.

    Slots `m` and `v` (variables `<var>/Adam`, `<var>/Adam_1`); non-slot variables
    `beta1_power` and `beta2_power` advance once per apply, after the update.
    """

    _op_type = "ApplyAdam"
    _slot_inits = (0.0, 0.0)
    _slot_names = ("m", "v")
    _has_finish = True

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
                 use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._lr, self._beta1, self._beta2, self._epsilon = learning_rate, beta1, beta2, epsilon
        self._beta1_power = self._beta2_power = None

    def _create_slots(self, var_list) -> None:
        if self._beta1_power is None:
            Variable = _variables().Variable
            with ops.device(var_list[0].device):
                self._beta1_power = Variable(self._beta1, name="beta1_power", trainable=False,
                                             dtype=dtypes.float32)
                self._beta2_power = Variable(self._beta2, name="beta2_power", trainable=False,
                                             dtype=dtypes.float32)
        super()._create_slots(var_list)

    def _hyper(self):
        self._beta1_t = self._constant(self._beta1, "beta1")
        self._beta2_t = self._constant(self._beta2, "beta2")
        return [self._beta1_power, self._beta2_power, self._constant(self._lr, "learning_rate"),
                self._beta1_t, self._beta2_t, self._constant(self._epsilon, "epsilon")]

    def _finish(self, update, name):
        with ops.control_dependencies([update]), ops.device(self._beta1_power.device):
            update_beta1 = self._beta1_power.assign(
                math_ops.mul(self._beta1_power, self._beta1_t))
            update_beta2 = self._beta2_power.assign(
                math_ops.mul(self._beta2_power, self._beta2_t))
        return control_flow_ops.group(update, update_beta1, update_beta2, name=name)


class RMSPropOptimizer(Optimizer):
    """ms = decay*ms + (1-decay)*grad^2; mom = momentum*mom + lr*grad/sqrt(ms+epsilon);
    var -= mom. Slots `rms` (starting at 1, as in TensorFlow 0.6) and `momentum`."""

    _op_type = "ApplyRMSProp"
    _slot_inits = (1.0, 0.0)
    _slot_names = ("rms", "momentum")

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10,
                 use_locking=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._lr, self._decay, self._momentum, self._epsilon = (
            learning_rate, decay, momentum, epsilon)

    def _hyper(self):
        return [self._constant(self._lr, "learning_rate"), self._constant(self._decay, "decay"),
                self._constant(self._momentum, "momentum"),
                self._constant(self._epsilon, "epsilon")]


def _as_dtype(tensor, dtype):
    """Hyperparameters are float32 constants; a float64 variable's sparse ops want float64."""
    dtype = dtype.base_dtype
    return tensor if tensor.dtype.base_dtype == dtype else math_ops.cast(tensor, dtype)
