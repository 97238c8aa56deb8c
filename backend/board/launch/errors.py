"""What can go wrong when launching; the server maps each class to an HTTP status."""

from __future__ import annotations


class LaunchError(Exception):
    """Base class; the message is safe to show to the client."""


class UnknownJobError(LaunchError):
    """No registered job has this name."""


class InvalidParamError(LaunchError):
    """A parameter is unknown, has the wrong type or is out of range (the message names it)."""


class InvalidRunError(LaunchError):
    """A run name that is malformed or would leave the logdir."""


class RunExistsError(LaunchError):
    """The run's directory already exists."""


class NotLocalError(LaunchError):
    """Runs can only be launched into one local logdir."""


class UnknownLaunchError(LaunchError):
    """No launch has this id."""


class InvalidOffsetError(LaunchError):
    """A log offset outside the log."""


class StartFailedError(LaunchError):
    """The job's program could not be started (a missing executable, a bad cwd)."""


class ConfigError(LaunchError):
    """A launch config file that cannot be used (the message names the file and entry)."""
