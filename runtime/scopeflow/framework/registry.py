"""The op registry: one entry per op type, holding everything the runtime knows about it.

An entry ties together, for one op type such as "MatMul":
  - `infer(op)`: static dtype and shape inference, run when the op is added to a graph.
    It reads `op.inputs` (Tensors with `.dtype` and `.get_shape()`) and `op.get_attr(name)`
    and returns one `(DType, TensorShape)` per output. Incompatible inputs raise ValueError
    with TensorFlow's wording.
  - `kernel(ctx, *inputs)`: the torch implementation. `ctx` is the op's KernelContext (bound
    once per op per compiled plan: `ctx.op`, `ctx.attrs`, `ctx.device`, `ctx.resources`);
    inputs are torch tensors (numpy object arrays for strings). It returns one value, or a
    tuple of values for an op with several outputs.
  - `grad(op, *output_grads)`: the symbolic gradient, registered with `@RegisterGradient`
    (usually in a *_grad.py module beside the ops); returns graph Tensors, one per input,
    None where an input gets no gradient.
  - `stateful`: ops with side effects or session state (variables, queues, random numbers)
    are never constant-folded, and pruning keeps them when reached through control inputs.
  - `inline`: optionally, the same computation as a function of the input values alone
    (`torch.add`). A plan calls it directly, skipping the kernel's ctx argument and any
    wrapper layers, whenever none of the op's inputs or outputs is a string tensor.
  - `ref_inputs`: indices of inputs that are variable references (Assign's `ref`). The
    session does not read them: the kernel gets the variable op's name (a str) in their
    place and reaches the value in `ctx.resources[name]`; the op is placed with the variable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

InferFn = Callable[[Any], list]
KernelFn = Callable[..., Any]
GradFn = Callable[..., Any]


@dataclass
class OpSpec:
    type: str
    infer: InferFn
    kernel: KernelFn | None
    grad: GradFn | None = None
    stateful: bool = False
    # True once NotDifferentiable was declared: gradients stop here without an error.
    not_differentiable: bool = False
    ref_inputs: tuple[int, ...] = ()
    inline: KernelFn | None = None


_REGISTRY: dict[str, OpSpec] = {}
# Gradients may be registered before their op (module import order); attach them later.
_PENDING_GRADS: dict[str, GradFn | None] = {}


def register_op(
    op_type: str,
    *,
    infer: InferFn,
    kernel: KernelFn | None,
    stateful: bool = False,
    ref_inputs: tuple[int, ...] = (),
    inline: KernelFn | None = None,
) -> OpSpec:
    """Register an op type; registering the same type twice is a programming error."""
    if op_type in _REGISTRY:
        raise KeyError(f"op type {op_type!r} is already registered")
    spec = OpSpec(op_type, infer, kernel, stateful=stateful, ref_inputs=tuple(ref_inputs),
                  inline=inline)
    if op_type in _PENDING_GRADS:
        _attach_grad(spec, _PENDING_GRADS.pop(op_type))
    _REGISTRY[op_type] = spec
    return spec


def _attach_grad(spec: OpSpec, fn: GradFn | None) -> None:
    if fn is None:
        spec.grad, spec.not_differentiable = None, True
    else:
        spec.grad, spec.not_differentiable = fn, False


def RegisterGradient(op_type: str) -> Callable[[GradFn], GradFn]:
    """Decorator: `@RegisterGradient("Tanh") def _tanh_grad(op, grad): ...`."""

    def decorate(fn: GradFn) -> GradFn:
        spec = _REGISTRY.get(op_type)
        if spec is None:
            _PENDING_GRADS[op_type] = fn
        else:
            _attach_grad(spec, fn)
        return fn

    return decorate


def NotDifferentiable(op_type: str) -> None:
    """Declare that `op_type` has no gradient (tf.NoGradient in TensorFlow 0.6)."""
    spec = _REGISTRY.get(op_type)
    if spec is None:
        _PENDING_GRADS[op_type] = None
    else:
        _attach_grad(spec, None)


NoGradient = NotDifferentiable


def get_spec(op_type: str) -> OpSpec:
    try:
        return _REGISTRY[op_type]
    except KeyError:
        raise KeyError(f"no op type {op_type!r} is registered") from None


def registered_types() -> list[str]:
    return sorted(_REGISTRY)
