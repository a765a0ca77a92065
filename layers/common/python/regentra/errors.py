"""Typed errors raised by domain and services.

Each carries a stable machine `code`; the HTTP layer (regentra.api.errors) is the
only place that turns them into a status code and the API.md error shape.
"""

from __future__ import annotations

from typing import Any


class RegentraError(Exception):
    code = "error"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class ValidationFailed(RegentraError):
    code = "validation_error"


class Unauthorized(RegentraError):
    code = "unauthorized"


class Forbidden(RegentraError):
    code = "forbidden"


class NotFound(RegentraError):
    code = "not_found"


class InvalidTransition(RegentraError):
    code = "invalid_transition"


class Conflict(RegentraError):
    code = "conflict"


class VersionMismatch(RegentraError):
    """The caller's If-Match version is stale."""

    code = "version_mismatch"


class PayloadTooLarge(RegentraError):
    code = "payload_too_large"


class ConcurrentUpdate(RegentraError):
    """A conditional write lost a race; services retry it, callers never see it."""

    code = "conflict"
