"""Why an outbound message (mail, SMS) was not accepted by its provider: retry it or give up.

The adapters raise only these for provider refusals; the caller retries a
``TransientSendError`` later (with backoff) and records a ``PermanentSendError`` on the reply
as not delivered. A transient error after a timeout can mean the provider did accept the
message: a retry may deliver it twice (the mail carries the same Message-ID both times).
"""

from __future__ import annotations

from collections.abc import Iterable

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ParamValidationError,
    ReadTimeoutError,
)

__all__ = ["DeliveryError", "PermanentSendError", "TransientSendError", "delivery_error"]


class DeliveryError(Exception):
    """The provider did not take the message: ``provider`` ("ses", "sms"), its error ``code`` and
    HTTP ``status`` when known. ``str(error)`` is the message."""

    retryable = False

    def __init__(
        self, message: str, *, provider: str | None = None, code: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.code = code
        self.status = status


class TransientSendError(DeliveryError):
    """Throttled, a provider fault, a network failure: the same message may go through later."""

    retryable = True


class PermanentSendError(DeliveryError):
    """Rejected or invalid (address, content, sender identity, account): retrying will not help."""


# Codes AWS services use for throttling and their own faults, whatever the service.
_TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "LimitExceededException",
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "InternalServerException",
        "InternalServiceError",
        "InternalServiceErrorException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
    }
)
_NETWORK_ERRORS = (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError)


def delivery_error(
    exc: BaseException,
    *,
    provider: str,
    transient: Iterable[str] = (),
    permanent: Iterable[str] = (),
) -> DeliveryError | None:
    """The ``DeliveryError`` for an exception a boto3 call raised, or None when it is not a
    provider's answer about the message (missing credentials and the like: let those surface).

    Codes in ``permanent`` win, then ``transient`` and the common throttling/fault codes; an
    unknown code is transient on HTTP 429 or 5xx and permanent otherwise (a 4xx is about the
    request). Network failures and timeouts are transient; a request botocore refused to send
    (parameter validation) is permanent.
    """
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "") or None
        text = str(error.get("Message") or exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        status = int(status) if status is not None else None
        message = f"{provider}: {code or 'error'}: {text}"
        if code in set(permanent):
            return PermanentSendError(message, provider=provider, code=code, status=status)
        if code in _TRANSIENT_CODES or code in set(transient):
            return TransientSendError(message, provider=provider, code=code, status=status)
        if status is not None and (status == 429 or status >= 500):
            return TransientSendError(message, provider=provider, code=code, status=status)
        return PermanentSendError(message, provider=provider, code=code, status=status)
    if isinstance(exc, _NETWORK_ERRORS):
        return TransientSendError(f"{provider}: {exc}", provider=provider, code=type(exc).__name__)
    if isinstance(exc, ParamValidationError):
        return PermanentSendError(f"{provider}: {exc}", provider=provider, code=type(exc).__name__)
    return None
