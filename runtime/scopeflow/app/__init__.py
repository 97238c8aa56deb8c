"""tf.app: `flags` and `run()`, as the TensorFlow 0.6 tutorial scripts use them."""

from __future__ import annotations

import sys
from collections.abc import Callable

from scopeflow.app import flags

__all__ = ["flags", "run"]


def run(main: Callable[[list[str]], int | None] | None = None, argv: list[str] | None = None):
    """Parse flags from `argv` (default sys.argv), then exit with `main(remaining argv)`.

    `main` defaults to the `main` function of the `__main__` module, as in TensorFlow.
    """
    argv = sys.argv if argv is None else argv
    rest = flags.FLAGS._parse_flags(argv[1:])
    if main is None:
        main = sys.modules["__main__"].main
    sys.exit(main([argv[0], *rest]))
