"""Session: runs a Graph's ops on torch, holding the values (variables, queues) of one run-time.

`run` resolves fetches and feeds once per signature and caches a compiled Plan for it, so a
repeated run costs the feed conversions, the kernel calls and the fetch copies.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time

import torch

from scopeflow import errors
from scopeflow.client import fetches as fetch_lib
from scopeflow.client import tracing
from scopeflow.client.placement import Placer
from scopeflow.client.plan import compile_plan
from scopeflow.framework import ops
from scopeflow.framework.kernel_context import run_deadline
from scopeflow.framework.operation import Tensor


class _SessionStack(threading.local):
    def __init__(self):
        self.stack: list = []


_default_sessions = _SessionStack()


def get_default_session():
    """The innermost session made default (`with sess:` / `as_default()`) in this thread."""
    stack = _default_sessions.stack
    return stack[-1] if stack else None


def run_with_default(fetch, feed_dict=None, session=None):
    """Tensor.eval / Operation.run: run `fetch` in `session` or the default session."""
    what = ("evaluate tensor using `eval()`" if isinstance(fetch, Tensor)
            else "execute operation using `run()`")
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError(
                f"Cannot {what}: No default session is registered. Use `with "
                "sess.as_default()` or pass an explicit session to "
                f"`{'eval' if isinstance(fetch, Tensor) else 'run'}(session=sess)`"
            )
    if session.graph is not fetch.graph:
        kind = "tensor" if isinstance(fetch, Tensor) else "operation"
        raise ValueError(
            f"Cannot use the given session to {what.split(' using')[0]}: the {kind}'s graph "
            "is different from the session's graph."
        )
    return session.run(fetch, feed_dict)


class BaseSession:
    """A session on one graph; values of stateful ops live in `self._resources`."""

    def __init__(self, target="", graph=None, config=None):
        if target not in ("", "local", None):
            raise errors.UnimplementedError(
                None, None, f"Session target {target!r}: only in-process sessions ('') exist")
        self._graph = graph if graph is not None else ops.get_default_graph()
        self._config = config
        self._resources: dict = {}
        self._generators: dict = {}
        self._plans: dict = {}
        self._compile_lock = threading.RLock()
        self._placer = Placer(config)
        self._closed = False
        self._default_stack: list = []
        threads = getattr(config, "intra_op_parallelism_threads", 0) if config else 0
        if threads and threads > 0:
            torch.set_num_threads(int(threads))

    @property
    def graph(self):
        return self._graph

    @property
    def graph_def(self):
        return self._graph.as_graph_def()

    @property
    def sess_str(self) -> str:
        return ""

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs the ops needed for `fetches`; returns numpy values in the same structure.

        `options.timeout_in_ms` bounds how long blocking ops (queues, readers) wait."""
        timeout_ms = getattr(options, "timeout_in_ms", 0) if options is not None else 0
        if timeout_ms > 0:
            token = run_deadline.set(time.monotonic() + timeout_ms / 1000.0)
            try:
                return self._run(fetches, feed_dict, options, run_metadata)
            finally:
                run_deadline.reset(token)
        return self._run(fetches, feed_dict, options, run_metadata)

    def _run(self, fetches, feed_dict, options, run_metadata):
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if run_metadata is not None and tracing.wants_trace(options, run_metadata):
            return self._run_traced(fetches, feed_dict, run_metadata)
        if not isinstance(fetches, fetch_lib.STRUCTURES):
            key, leaves, rebuild = fetches, (fetches,), None
        else:
            leaves, rebuild = fetch_lib.flatten(fetches)
            key = leaves = tuple(leaves)
        feed_keys = tuple(feed_dict) if feed_dict else ()
        try:
            plan = self._plans.get((key, feed_keys))
        except TypeError:  # an unhashable fetch or feed key: say which
            fetch_lib.check_hashable(leaves, feed_keys)
            raise
        if plan is None:
            plan = self._compile(key, leaves, feed_keys)
        values = self._call(plan, feed_dict.values() if feed_keys else ())
        return values[0] if rebuild is None else rebuild(values)

    def _run_traced(self, fetches, feed_dict, run_metadata):
        leaves, rebuild = fetch_lib.flatten(fetches)
        feed_keys = tuple(feed_dict) if feed_dict else ()
        plan = self._compile(("trace", tuple(leaves)), leaves, feed_keys, traced=True)
        trace: list = []
        values = self._call(plan, [*(feed_dict.values() if feed_keys else ()), trace])
        tracing.fill_step_stats(run_metadata, plan, trace)
        return rebuild(values)

    @staticmethod
    def _call(plan, args):
        """Runs a plan; errors name the op whose generated line raised."""
        try:
            return plan.fn(*args)
        except errors.OpError as e:
            e._attach_op(plan.op_at(e.__traceback__))
            raise
        except Exception as e:
            op = plan.op_at(e.__traceback__)
            if op is None:
                raise
            raise errors.InvalidArgumentError(
                None, op, f"{op.type} op '{op.name}' failed: {type(e).__name__}: {e}"
            ) from e

    def _compile(self, key, leaves, feed_keys, traced=False):
        with self._compile_lock:
            plan = self._plans.get((key, feed_keys))
            if plan is None:
                resolved = [fetch_lib.resolve_fetch(self._graph, leaf) for leaf in leaves]
                feeds, adapt = fetch_lib.resolve_feeds(self._graph, feed_keys)
                plan = compile_plan(self, self._placer, resolved, feeds, traced)
                if adapt is not None:  # SparseTensor keys: one value feeds three tensors
                    plan.fn = adapt(plan.fn)
                self._plans[(key, feed_keys)] = plan
            return plan

    def plan_for(self, fetches, feed_dict=None):
        """The compiled Plan (print it to read the generated code) for a run signature."""
        leaves, _ = fetch_lib.flatten(fetches)
        feed_keys = tuple(feed_dict) if feed_dict else ()
        key = tuple(leaves) if isinstance(fetches, fetch_lib.STRUCTURES) else leaves[0]
        return self._compile(key, tuple(leaves), feed_keys)

    def _generator_for(self, op, device) -> torch.Generator:
        """One generator per random op per session, seeded from the op's seed attrs."""
        with self._compile_lock:
            key = (op.name, str(device))
            gen = self._generators.get(key)
            if gen is None:
                gen = torch.Generator(device=device)
                seed, seed2 = op.attrs.get("seed", 0), op.attrs.get("seed2", 0)
                if seed or seed2:
                    gen.manual_seed(hash((int(seed), int(seed2))) & 0x7FFF_FFFF_FFFF_FFFF)
                else:
                    gen.manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)
                self._generators[key] = gen
            return gen

    def close(self) -> None:
        """Releases the session's values; later runs raise RuntimeError."""
        if not self._closed:
            self._closed = True
            for value in list(self._resources.values()):
                closer = getattr(value, "close", None)
                if callable(closer):
                    with contextlib.suppress(Exception):
                        closer()
            self._resources.clear()
            self._plans.clear()

    @contextlib.contextmanager
    def as_default(self):
        """Makes this the default session (for eval/run) and its graph the default graph."""
        _default_sessions.stack.append(self)
        try:
            with self._graph.as_default():
                yield self
        finally:
            _default_sessions.stack.remove(self)

    def __enter__(self):
        context = self.as_default()
        context.__enter__()
        self._default_stack.append(context)
        return self

    def __exit__(self, exc_type, exc, tb):
        self._default_stack.pop().__exit__(exc_type, exc, tb)
        self.close()
        return False

    def __del__(self):
        with contextlib.suppress(Exception):
            if not self._closed:
                self.close()


class Session(BaseSession):
    """`tf.Session(target='', graph=None, config=None)`."""


class InteractiveSession(BaseSession):
    """A session that makes itself the default on creation (for shells and notebooks)."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._interactive_context = self.as_default()
        self._interactive_context.__enter__()

    def close(self) -> None:
        context, self._interactive_context = getattr(self, "_interactive_context", None), None
        super().close()
        if context is not None:
            with contextlib.suppress(Exception):
                context.__exit__(None, None, None)


__all__ = ["InteractiveSession", "Session", "get_default_session"]
