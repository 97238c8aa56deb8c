"""tf.app.flags: command-line flags defined at import time, parsed on first use.

As in TensorFlow 0.6, flags live in one module-level parser; `FLAGS.name` parses `sys.argv`
the first time a flag is read (unknown arguments are left alone for the program).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


def _str2bool(text: str) -> bool:
    lowered = str(text).lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise argparse.ArgumentTypeError(f"expected a boolean (true/false), got {text!r}")


class _FlagValues:
    """The FLAGS object: attribute access returns parsed values; assignment overrides them."""

    def __init__(self) -> None:
        object.__setattr__(self, "_parser", argparse.ArgumentParser(allow_abbrev=False))
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_parsed", False)
        object.__setattr__(self, "_booleans", set())

    def _parse_flags(self, argv: list[str] | None = None) -> list[str]:
        """Parse `argv` (default sys.argv[1:]); return the arguments no flag claimed."""
        args = sys.argv[1:] if argv is None else list(argv)
        namespace, rest = self._parser.parse_known_args(self._spell_booleans(args))
        self._values.update(vars(namespace))
        object.__setattr__(self, "_parsed", True)
        return rest

    def _spell_booleans(self, args: list[str]) -> list[str]:
        """`--name=false` -> `--noname`: a bare `--name` then never swallows the next word."""
        booleans = self._booleans
        out = []
        for arg in args:
            name, sep, value = arg.partition("=")
            if sep and name.startswith("--") and name[2:] in booleans:
                try:
                    arg = name if _str2bool(value) else f"--no{name[2:]}"
                except argparse.ArgumentTypeError:
                    self._parser.error(f"argument {name}: expected true or false, got {value!r}")
            out.append(arg)
        return out

    def _reset(self) -> None:
        """Forget parsed values so the next read parses again (for tests and re-runs)."""
        self._values.clear()
        object.__setattr__(self, "_parsed", False)

    def __getattr__(self, name: str) -> Any:
        if not self._parsed:
            self._parse_flags()
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no flag named {name!r} is defined") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if not self._parsed:
            self._parse_flags()
        self._values[name] = value

    def __contains__(self, name: str) -> bool:
        return any(a.dest == name for a in self._parser._actions)


FLAGS = _FlagValues()


def _define(name: str, default: Any, help_text: str, kind: Any) -> None:
    parser = FLAGS._parser
    # A re-imported module may define its flags again: the later definition wins.
    stale = [a for a in parser._actions if a.dest == name]
    for action in stale:
        parser._remove_action(action)
        for opt in action.option_strings:
            parser._option_string_actions.pop(opt, None)
    FLAGS._booleans.discard(name)
    if kind is bool:
        FLAGS._booleans.add(name)
        parser.add_argument(f"--{name}", action="store_true", default=default, help=help_text)
        parser.add_argument(f"--no{name}", dest=name, action="store_false",
                            help=argparse.SUPPRESS)
    else:
        parser.add_argument(f"--{name}", type=kind, default=default, help=help_text)
    FLAGS._values.setdefault(name, default)
    if FLAGS._parsed:
        FLAGS._values[name] = default


def DEFINE_string(flag_name: str, default_value: str | None, docstring: str) -> None:
    _define(flag_name, default_value, docstring, str)


def DEFINE_integer(flag_name: str, default_value: int | None, docstring: str) -> None:
    _define(flag_name, default_value, docstring, int)


def DEFINE_float(flag_name: str, default_value: float | None, docstring: str) -> None:
    _define(flag_name, default_value, docstring, float)


def DEFINE_boolean(flag_name: str, default_value: bool, docstring: str) -> None:
    _define(flag_name, default_value, docstring, bool)


DEFINE_bool = DEFINE_boolean
