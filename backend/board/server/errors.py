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
