"""Execution plans: prune the graph to a run's fetches, order it, compile it to Python.

A plan is straight-line Python, one line per op (as torch.fx emits code), exec'd under a
fake filename registered with linecache so tracebacks show the generated line; its source
stays readable as `plan.code`. Set SCOPEFLOW_DEBUG=1 to print each plan when compiled.
"""

from __future__ import annotations

import itertools
import linecache
import os
import sys
import time

from scopeflow import errors
from scopeflow.client.feeds import make_feeder, to_numpy
from scopeflow.framework import dtypes
from scopeflow.framework.kernel_context import KernelContext
from scopeflow.framework.operation import Operation, Tensor

_counter = itertools.count()
# Ops whose output is a variable reference: like TensorFlow's ref edges, the value is read
# where it is used, so a reader gated on the variable's initializer sees the new value.
READ_AT_USE = frozenset({"Variable"})
# Ops whose value never changes: computed once when the plan is compiled, then bound as a
# global of the plan (kernels never write into their inputs, so sharing it is safe).
COMPUTE_ONCE = frozenset({"Const"})
_DEBUG = int(os.environ.get("SCOPEFLOW_DEBUG", "0") or 0)


def op_dependencies(op: Operation, fed: set) -> list[Operation]:
    """The ops `op` needs run first: producers of its non-ref, non-fed inputs, control inputs."""
    refs = op.spec.ref_inputs
    deps = [t.op for i, t in enumerate(op.inputs) if i not in refs and t not in fed]
    deps.extend(op.control_inputs)
    return deps


def prune_to_fetches(roots: list[Operation], fed: set) -> list[Operation]:
    """The ops needed for `roots`, in an order where every op follows its dependencies.

    Feeds cut the graph; stateful ops reached through control inputs are kept (they are the
    reason a control input exists). Iterative, so deep chains do not hit the recursion limit.
    """
    order: list[Operation] = []
    done: set[Operation] = set()
    on_path: set[Operation] = set()
    for root in roots:
        if root in done:
            continue
        stack = [(root, iter(op_dependencies(root, fed)))]
        on_path.add(root)
        while stack:
            op, deps = stack[-1]
            for dep in deps:
                if dep in done:
                    continue
                if dep in on_path:
                    raise errors.InvalidArgumentError(
                        None, dep, f"Graph has a cycle through op '{dep.name}'")
                on_path.add(dep)
                stack.append((dep, iter(op_dependencies(dep, fed))))
                break
            else:
                stack.pop()
                on_path.discard(op)
                done.add(op)
                order.append(op)
    return order


class Plan:
    """A compiled run: `fn(*feed_values)` returns one value per fetch leaf (None for ops)."""

    def __init__(self, fn, code: str, filename: str, line_ops: dict[int, Operation],
                 ops: list[Operation], timed_ops: list[Operation] | None = None):
        self.fn = fn
        self.code = code
        self.filename = filename
        self.line_ops = line_ops
        self.ops = ops
        # A traced plan takes a list as its last argument and appends, per op run,
        # (index into timed_ops, start ns, end ns).
        self.timed_ops = timed_ops

    def op_at(self, tb):
        """The op whose generated line raised, from a traceback; None if not in the plan."""
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.filename:
                return self.line_ops.get(tb.tb_lineno)
            tb = tb.tb_next
        return None

    def __str__(self) -> str:
        return self.code


class _Emitter:
    """Builds a plan's source; holds the kernel, context and device globals it refers to."""

    def __init__(self, session, placer, traced: bool = False):
        self.session = session
        self.placer = placer
        self.traced = traced
        self.timed_ops: list[Operation] = []
        self.env: dict = {"_np": to_numpy, "_clock": time.time_ns}
        self.lines: list[str] = []
        self.line_ops: dict[int, Operation] = {}
        self.names: dict[Tensor, str] = {}
        self.devices: dict[Tensor, object] = {}
        self.remaining: dict[Tensor, int] = {}  # reads left before a value can be freed

    def add_global(self, prefix: str, value) -> str:
        name = f"{prefix}{len(self.env)}"
        self.env[name] = value
        return name

    def emit_feed(self, index: int, tensor: Tensor) -> None:
        feeder = self.add_global("feed", make_feeder(tensor))
        self.names[tensor] = f"f{index}"
        self.devices[tensor] = None  # fed values are host tensors
        self.lines.append(f"    f{index} = {feeder}(a{index})")

    def emit_op(self, op: Operation, uses: dict[Tensor, int]) -> None:
        device, _ = self.placer.place(op)
        spec = op.spec
        if spec.kernel is None:
            raise errors.UnimplementedError(None, op, f"Op type '{op.type}' has no kernel")
        kernel = self.add_global(f"k_{_identifier(op.type)}_", spec.kernel)
        ctx = self.add_global("c", KernelContext(op, device, self.session))
        if op.type in READ_AT_USE:
            for t in op.outputs:
                self.names[t], self.devices[t] = f"{kernel}({ctx})", device
            return
        if op.type in COMPUTE_ONCE:
            value = self.add_global("const", spec.kernel(self.env[ctx]))
            for t in op.outputs:
                self.names[t], self.devices[t] = value, device
            return
        args = [ctx]
        if spec.inline is not None and _no_strings(op):
            args, kernel = [], self.add_global(f"i_{_identifier(op.type)}_", spec.inline)
        for i, t in enumerate(op.inputs):
            args.append(repr(t.op.name) if i in spec.ref_inputs else self._input(t, device))
        line = self._assign_outputs(op, f"{kernel}({', '.join(args)})", device, uses)
        if self.traced:
            self.lines.append("    _s = _clock()")
        self.lines.append(line + f"  # {op.name}")
        self.line_ops[len(self.lines) + 1] = op  # +1: the `def` line comes first
        if self.traced:
            self.lines.append(f"    _trace.append(({len(self.timed_ops)}, _s, _clock()))")
            self.timed_ops.append(op)
        self._free_after(op)

    def _assign_outputs(self, op: Operation, call: str, device, uses) -> str:
        """`v7_0 = call`, `v7_0, _, = call` or a bare `call`, naming the outputs read later."""
        outs = []
        for t in op.outputs:
            if t in self.names or not uses.get(t):  # fed, or nobody reads it
                outs.append("_")
                continue
            self.devices[t] = device
            self.names[t] = f"v{op._id}_{t.value_index}"
            outs.append(self.names[t])
        if len(outs) == 1 and outs[0] != "_":
            return f"    {outs[0]} = {call}"
        if len(outs) > 1 and any(o != "_" for o in outs):
            return f"    {', '.join(outs)}, = {call}"
        return f"    {call}"

    def _free_after(self, op: Operation) -> None:
        """`del` the values `op` was the last reader of, as torch.fx frees its env."""
        dead = []
        for i, t in enumerate(op.inputs):
            if i in op.spec.ref_inputs:
                continue
            self.remaining[t] -= 1
            name = self.names[t]
            local = name.isidentifier() and not name.startswith("const")
            if self.remaining[t] == 0 and local and name not in dead:
                dead.append(name)
        if dead:
            self.lines.append(f"    del {', '.join(dead)}")

    def fetch_expression(self, leaf) -> str:
        """How the plan returns a fetch: a numpy copy, never a view of session state."""
        if isinstance(leaf, Operation):
            return "None"
        name = self.names[leaf]
        device = self.devices.get(leaf)
        on_host = device is None or device.type == "cpu"
        simple = leaf.dtype.as_torch is not None and leaf.dtype.base_dtype != dtypes.bfloat16
        if not (on_host and simple) or leaf.get_shape().ndims is None:
            return f"_np({name})"
        if leaf.get_shape().ndims == 0:
            return f"{name}.numpy()[()]"  # a numpy scalar, as TensorFlow returns
        return f"{name}.numpy().copy()"

    def _input(self, t: Tensor, device) -> str:
        name = self.names[t]
        source = self.devices.get(t)
        if t.dtype.as_torch is None or device == source or (
                source is None and device.type == "cpu"):
            return name
        return f"{name}.to({self.add_global('dev', device)})"


def _no_strings(op: Operation) -> bool:
    return all(t.dtype.as_torch is not None for t in op.inputs + op.outputs)


def _identifier(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text)


def compile_plan(session, placer, leaves: list, feeds: list[Tensor], traced=False) -> Plan:
    """Compiles the run of `leaves` (Tensors and Operations) given `feeds` (fed Tensors).

    A `traced` plan times every op (see Plan.timed_ops) for RunMetadata step stats.
    """
    fed = set(feeds)
    roots = []
    for leaf in leaves:
        if isinstance(leaf, Operation):
            roots.append(leaf)
        elif leaf not in fed:
            roots.append(leaf.op)
    order = prune_to_fetches(roots, fed)
    _check_placeholders_fed(order)
    uses = _count_uses(order, leaves, fed)
    emitter = _Emitter(session, placer, traced)
    emitter.remaining = dict(uses)
    for i, t in enumerate(feeds):
        emitter.emit_feed(i, t)
    for op in order:
        emitter.emit_op(op, uses)
    results = [emitter.fetch_expression(leaf) for leaf in leaves]
    params = ", ".join([f"a{i}" for i in range(len(feeds))] + (["_trace"] if traced else []))
    filename = f"<scopeflow-plan-{next(_counter)}>"
    body = emitter.lines + [f"    return ({', '.join(results)}{',' if results else ''})"]
    code = "\n".join([f"def run_plan({params}):"] + body) + "\n"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    exec(compile(code, filename, "exec"), emitter.env)  # noqa: S102 - our own generated code
    if _DEBUG:
        print(f"scopeflow plan {filename}:\n{code}", file=sys.stderr)
    return Plan(emitter.env["run_plan"], code, filename, emitter.line_ops, order,
                emitter.timed_ops if traced else None)


def _check_placeholders_fed(order: list[Operation]) -> None:
    for op in order:
        if op.type == "Placeholder":
            dtype = op.get_attr("dtype")
            raise errors.InvalidArgumentError(
                None, op,
                f"You must feed a value for placeholder tensor '{op.name}' with dtype "
                f"{dtype.name}",
            )


def _count_uses(order: list[Operation], leaves: list, fed: set) -> dict[Tensor, int]:
    uses: dict[Tensor, int] = {}
    for op in order:
        refs = op.spec.ref_inputs
        for i, t in enumerate(op.inputs):
            if i not in refs:
                uses[t] = uses.get(t, 0) + 1
    for leaf in leaves:
        if isinstance(leaf, Tensor):
            uses[leaf] = uses.get(leaf, 0) + 1
    return uses
