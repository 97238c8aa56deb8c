"""Errors a client may see. Pure code raises these; the app maps them to HTTP in one place
(`board.server.app`), with a JSON body ``{"detail": message}``."""

from __future__ import annotations


class PublicError(Exception):
    """An error whose message is safe and useful to show to the client."""

    http_code = 500


class NotFoundError(PublicError):
    """An unknown run, tag, index or file (404)."""

    http_code = 404


class InvalidArgumentError(PublicError):
    """A parameter with a bad value (422)."""

    http_code = 422


class ForbiddenError(PublicError):
    """A request this client may not make, e.g. a launch from off the machine (403)."""

    http_code = 403


class ConflictError(PublicError):
    """A request the current state refuses, e.g. a run directory that exists (409)."""

    http_code = 409


class UnsupportedMediaTypeError(PublicError):
    """A body that is not JSON where JSON is required (415)."""

    http_code = 415
