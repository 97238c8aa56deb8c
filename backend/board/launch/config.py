"""Jobs declared in a launch config file (`--launch_config FILE`, TOML or JSON).

TOML form (JSON is the same structure: {"jobs": [...]})::

    [[jobs]]
    name = "sweep"
    title = "My sweep"                     # optional, defaults to the name
    description = "..."                    # optional
    argv = ["{python}", "train.py", "--out", "{run_dir}", "--lr", "{lr}"]
    cwd = "."                              # optional, relative to this file (the default)
    env = {DATA = "/data"}                 # optional, added to the board's environment

    [[jobs.params]]
    name = "lr"
    type = "float"                         # int, float, str, bool or choice
    default = 0.1
    min = 0.0                              # optional (int, float)
    max = 1.0
    choices = ["a", "b"]                   # choice only
    help = "learning rate"                 # optional
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from board.launch.errors import ConfigError
from board.launch.jobs import Job, JobRegistry, Param, builtin_jobs

JOB_KEYS = {"name", "title", "description", "argv", "cwd", "env", "params"}
PARAM_KEYS = {"name", "type", "default", "min", "max", "choices", "help"}


def load_registry(config: str | Path | None) -> JobRegistry:
    """The built-in jobs plus those in `config` (None: the built-ins only)."""
    registry = builtin_jobs()
    if config is None:
        return registry
    path = Path(config)
    for index, job in enumerate(load_jobs(path)):
        if job.name in registry:
            raise ConfigError(f"{path}: jobs[{index}]: job name {job.name!r} is already taken "
                              f"(by a built-in job or an earlier entry)")
        registry.add(job)
    return registry


def load_jobs(path: Path) -> list[Job]:
    data = _read(path)
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, list):
        raise ConfigError(f"{path}: expected a list of jobs under the key 'jobs'")
    return [_job(path, index, entry) for index, entry in enumerate(jobs)]


def _read(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"launch config {path}: cannot be read: {err.strerror}") from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(raw)
        return tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as err:  # JSON and TOML decode errors included
        kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
        raise ConfigError(f"{path}: not valid {kind}: {err}") from None


def _job(path: Path, index: int, entry: Any) -> Job:
    where = f"{path}: jobs[{index}]"
    if isinstance(entry, dict) and isinstance(entry.get("name"), str):
        where += f" ({entry['name']!r})"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a table/object")
    _check_keys(where, entry, JOB_KEYS, required=("name", "argv"))
    argv = entry["argv"]
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        raise ConfigError(f"{where}: argv must be a list of strings (it is never run by a shell)")
    env = entry.get("env", {})
    if not isinstance(env, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
        raise ConfigError(f"{where}: env must map names to strings")
    cwd = (path.parent / _string(where, entry, "cwd", ".")).resolve()
    if not cwd.is_dir():
        raise ConfigError(f"{where}: cwd {str(cwd)!r} is not a directory")
    params = entry.get("params", [])
    if not isinstance(params, list):
        raise ConfigError(f"{where}: params must be a list")
    try:
        return Job(
            name=_string(where, entry, "name", ""),
            title=_string(where, entry, "title", entry["name"]),
            description=_string(where, entry, "description", ""),
            argv_template=tuple(argv),
            params=tuple(_param(f"{where}: params[{i}]", p) for i, p in enumerate(params)),
            cwd=cwd,
            env=dict(env),
        )
    except ValueError as err:
        raise ConfigError(f"{where}: {err}") from None


def _param(where: str, entry: Any) -> Param:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a table/object")
    if isinstance(entry.get("name"), str):
        where += f" ({entry['name']!r})"
    _check_keys(where, entry, PARAM_KEYS, required=("name", "type", "default"))
    choices = entry.get("choices", [])
    if not isinstance(choices, list):
        raise ConfigError(f"{where}: choices must be a list")
    try:
        return Param(name=_string(where, entry, "name", ""), type=_string(where, entry, "type", ""),
                     default=entry["default"], help=_string(where, entry, "help", ""),
                     min=entry.get("min"), max=entry.get("max"), choices=tuple(choices))
    except ValueError as err:
        raise ConfigError(f"{where}: {err}") from None


def _check_keys(where: str, entry: dict, allowed: set[str], required: tuple[str, ...]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (allowed: "
                          f"{', '.join(sorted(allowed))})")
    missing = [key for key in required if key not in entry]
    if missing:
        raise ConfigError(f"{where}: missing key {missing[0]!r}")


def _string(where: str, entry: dict, key: str, default: str) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string, got {value!r}")
    return value
