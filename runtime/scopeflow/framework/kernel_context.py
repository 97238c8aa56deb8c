"""KernelContext: what a kernel sees of its op and of the session running it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar

import torch

# When the Session.run in progress on this thread must end (time.monotonic()), from
# RunOptions.timeout_in_ms; None when the run has no deadline. Per thread, because queue
# runner threads run the same session concurrently with their own options.
run_deadline: ContextVar[float | None] = ContextVar("run_deadline", default=None)
# Guards the making of session resources: kernels of several threads (queue runners, readers)
# may ask for the same one at once, and exactly one must be made.
_MAKING = threading.Lock()


class KernelContext:
    """Bound once per op per compiled plan.

    `op` the Operation, `attrs` its attr dict, `device` the torch.device it runs on,
    `resources` the session's state dict keyed by op name (variables, queues, readers),
    `session` the Session, `cache` a slot a kernel may fill once (a Const's torch value),
    `generator` a torch.Generator for random ops, seeded from the graph/op seeds and kept
    per session so that values repeat from one session to the next.
    """

    __slots__ = ("_generator", "attrs", "cache", "device", "op", "resources", "session")

    def __init__(self, op, device: torch.device, session):
        self.op = op
        self.attrs = op.attrs
        self.device = device
        self.session = session
        self.resources = session._resources if session is not None else {}
        self.cache = None
        self._generator = None

    @property
    def generator(self) -> torch.Generator:
        if self._generator is None:
            self._generator = self.session._generator_for(self.op, self.device)
        return self._generator

    def session_resource(self, name: str, make: Callable[[], object]) -> object:
        """`resources[name]`, made by `make()` (under a lock) when this session has none yet:
        the state of a stateful op (a queue, a reader) that any of its kernels may need first."""
        value = self.resources.get(name)
        if value is None:
            with _MAKING:
                value = self.resources.get(name)
                if value is None:
                    value = self.resources[name] = make()
        return value

    def blocking_timeout(self) -> float | None:
        """Seconds a blocking kernel (a queue, a reader) may wait, None for no limit: the
        config's operation_timeout_in_ms or what is left of the run's timeout_in_ms,
        whichever ends first (DeadlineExceeded when it runs out)."""
        config = getattr(self.session, "_config", None)
        ms = getattr(config, "operation_timeout_in_ms", 0) or 0
        limit = ms / 1000.0 if ms > 0 else None
        deadline = run_deadline.get()
        if deadline is not None:
            left = max(0.0, deadline - time.monotonic())
            limit = left if limit is None else min(limit, left)
        return limit

    def __repr__(self) -> str:
        return f"KernelContext(op={self.op.name!r}, device={self.device})"
