"""KernelContext: what a kernel sees of its op and of the session running it."""

from __future__ import annotations

import torch


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

    def __repr__(self) -> str:
        return f"KernelContext(op={self.op.name!r}, device={self.device})"
