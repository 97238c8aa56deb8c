"""The job registry: what the board may launch, each job with a typed parameter schema and an
argv template (a list, never a shell line).

In a template, `{name}` inside any element is replaced by the value of parameter `name`,
`{run_dir}` by the run's directory and `{python}` by the board's interpreter; nothing else is
expanded. Any other `{identifier}` is an error when the job is defined, so a typo shows up
at start-up rather than as a literal argument.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from board.launch.errors import InvalidParamError, UnknownJobError

PARAM_TYPES = ("int", "float", "str", "bool", "choice")
RESERVED_NAMES = ("run_dir", "python")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
JOB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MAX_STR_LENGTH = 4096


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    help: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple = ()

    def __post_init__(self):
        if not NAME.match(self.name) or self.name in RESERVED_NAMES:
            raise ValueError(f"bad parameter name {self.name!r} (an identifier, not "
                             f"{' or '.join(RESERVED_NAMES)})")
        if self.type not in PARAM_TYPES:
            raise ValueError(f"parameter {self.name!r}: type must be one of "
                             f"{', '.join(PARAM_TYPES)}, got {self.type!r}")
        for bound in ("min", "max"):
            value = getattr(self, bound)
            if value is not None and (self.type not in ("int", "float") or not _is_number(value)):
                raise ValueError(f"parameter {self.name!r}: {bound} needs a number and an int "
                                 f"or float parameter")
        if self.type == "choice":
            if not self.choices or not all(isinstance(c, (str, int, float)) for c in self.choices):
                raise ValueError(f"parameter {self.name!r}: a choice needs a non-empty list of "
                                 f"choices (strings or numbers)")
        elif self.choices:
            raise ValueError(f"parameter {self.name!r}: choices only go with type 'choice'")
        try:
            self.check(self.default)
        except InvalidParamError as err:
            raise ValueError(f"default: {err}") from None

    def describe(self) -> dict:
        """The schema entry served by GET /api/launch/jobs."""
        out = {"name": self.name, "type": self.type, "default": self.default, "help": self.help}
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        if self.choices:
            out["choices"] = list(self.choices)
        return out

    def check(self, value: Any) -> Any:
        """`value` converted to this parameter's type (strings from a form are accepted for
        numbers and bools), or InvalidParamError naming the parameter."""
        value = self._convert(value)
        if self.min is not None and value < self.min:
            self._fail(f"must be >= {self.min}", value)
        if self.max is not None and value > self.max:
            self._fail(f"must be <= {self.max}", value)
        return value

    def format(self, value: Any) -> str:
        """How a checked value appears in argv."""
        if isinstance(value, bool):
            return "true" if value else "false"
        return repr(value) if isinstance(value, float) else str(value)

    def _convert(self, value: Any) -> Any:
        if self.type == "int":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            elif isinstance(value, str):
                value = _parse(int, value.strip())
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            self._fail("must be an integer", value)
        if self.type == "float":
            if isinstance(value, str):
                value = _parse(float, value.strip())
            if _is_number(value) and math.isfinite(value):
                return float(value)
            self._fail("must be a finite number", value)
        if self.type == "bool":
            value = {"true": True, "false": False}.get(value, value) if isinstance(
                value, str) else value
            if isinstance(value, bool):
                return value
            self._fail("must be true or false", value)
        if self.type == "choice":
            for choice in self.choices:
                if value == choice or (isinstance(value, str) and value == str(choice)):
                    return choice
            self._fail(f"must be one of {', '.join(map(str, self.choices))}", value)
        if not isinstance(value, str):
            self._fail("must be a string", value)
        if len(value) > MAX_STR_LENGTH or "\0" in value:
            self._fail(f"must be at most {MAX_STR_LENGTH} characters, without NUL", value[:40])
        return value

    def _fail(self, why: str, value: Any):
        raise InvalidParamError(f"parameter {self.name!r} {why}, got {value!r}")


def _parse(kind, text: str) -> Any:
    try:
        return kind(text)
    except ValueError:
        return text  # left for the type check to reject with the parameter's name


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    description: str
    argv_template: tuple[str, ...]
    params: tuple[Param, ...] = ()
    cwd: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if not JOB_NAME.match(self.name):
            raise ValueError(f"bad job name {self.name!r} (letters, digits, '.', '_', '-')")
        if not self.argv_template:
            raise ValueError(f"job {self.name!r}: argv must not be empty")
        names = [p.name for p in self.params]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"job {self.name!r}: parameter {duplicates[0]!r} is declared twice")
        known = set(names) | set(RESERVED_NAMES)
        for element in self.argv_template:
            for placeholder in PLACEHOLDER.findall(element):
                if placeholder not in known:
                    raise ValueError(
                        f"job {self.name!r}: argv element {element!r} uses {{{placeholder}}}, "
                        f"which is neither a parameter nor one of "
                        f"{', '.join('{' + n + '}' for n in RESERVED_NAMES)}")

    def describe(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": [p.describe() for p in self.params]}

    def check_params(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter's value: the given ones checked, the others their defaults."""
        by_name = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(by_name))
        if unknown:
            known = ", ".join(by_name) or "none"
            raise InvalidParamError(f"unknown parameter {unknown[0]!r} for job {self.name!r} "
                                    f"(parameters: {known})")
        return {p.name: p.check(given[p.name]) if p.name in given else p.default
                for p in self.params}

    def argv(self, values: Mapping[str, Any], run_dir: Path,
             python: str = sys.executable) -> list[str]:
        """The command for checked `values` (see check_params) writing into `run_dir`."""
        text = {p.name: p.format(values[p.name]) for p in self.params}
        text.update(run_dir=str(run_dir), python=python)
        return [PLACEHOLDER.sub(lambda m: text[m[1]], element) for element in self.argv_template]


class JobRegistry:
    """Jobs by name, in the order they were registered."""

    def __init__(self, jobs: list[Job] = ()):
        self._jobs: dict[str, Job] = {}
        for job in jobs:
            self.add(job)

    def add(self, job: Job) -> None:
        if job.name in self._jobs:
            raise ValueError(f"job {job.name!r} is already registered")
        self._jobs[job.name] = job

    def get(self, name: str) -> Job:
        if name not in self._jobs:
            known = ", ".join(self._jobs) or "none"
            raise UnknownJobError(f"unknown job {name!r} (known jobs: {known})")
        return self._jobs[name]

    def __contains__(self, name: str) -> bool:
        return name in self._jobs

    def __iter__(self) -> Iterator[Job]:
        return iter(self._jobs.values())

    def names(self) -> list[str]:
        return list(self._jobs)


MNIST = Job(
    name="mnist",
    title="MNIST (Mechanics 101)",
    description="TensorFlow's Mechanics 101 tutorial: a two-layer fully connected network "
                "trained on MNIST (or scikit-learn's 8x8 digits when offline), with loss "
                "summaries, the graph and checkpoints in the run directory.",
    argv_template=("{python}", "-m", "scopeflow.examples.mnist.fully_connected_feed",
                   "--train_dir", "{run_dir}", "--max_steps", "{max_steps}",
                   "--learning_rate", "{learning_rate}", "--batch_size", "{batch_size}",
                   "--hidden1", "{hidden1}", "--hidden2", "{hidden2}", "--dataset", "{dataset}"),
    params=(
        Param("max_steps", "int", 1000, "training steps (a summary every 100)", 1, 1_000_000),
        Param("learning_rate", "float", 0.01, "gradient descent step size", 1e-6, 10.0),
        Param("batch_size", "int", 100, "examples per step", 1, 10_000),
        Param("hidden1", "int", 128, "units in the first hidden layer", 1, 4096),
        Param("hidden2", "int", 32, "units in the second hidden layer", 1, 4096),
        Param("dataset", "choice", "auto",
              "mnist (its files in the run directory or a download), digits (bundled with "
              "scikit-learn, offline) or auto (mnist when its files are there, else digits)",
              choices=("auto", "digits", "mnist")),
    ),
)


def builtin_jobs() -> JobRegistry:
    """The examples that ship with scopeflow."""
    return JobRegistry([MNIST])
