"""Sending mail through Amazon SES: the raw MIME of ``build_reply_email`` as it is.

SES API v2 ``SendEmail`` with ``Content.Raw`` (moto 5 implements it, as SES v1
``SendRawEmail``). The envelope recipient is ``to_address`` only: SES does not add the
message's To/Cc/Bcc headers when ``Destination`` is given.
"""

from __future__ import annotations

import re
from typing import Any

from regentra.adapters.delivery_errors import (
    DeliveryError,
    PermanentSendError,
    TransientSendError,
    delivery_error,
)

__all__ = ["DeliveryError", "PermanentSendError", "SesMailer", "TransientSendError"]

# SES v2 error codes beyond the common throttling/fault ones (see delivery_errors).
_TRANSIENT = frozenset(
    {
        "TooManyRequestsException",  # sending rate
        "LimitExceededException",  # quota (daily sending quota, API limits)
        "SendingPausedException",  # account or configuration set paused: resumes without a change here
    }
)
_PERMANENT = frozenset(
    {
        "MessageRejected",  # content (a virus, an address SES refuses), unverified sender in the sandbox
        "BadRequestException",  # invalid address or message
        "MailFromDomainNotVerifiedException",
        "AccountSuspendedException",
        "NotFoundException",  # configuration set or identity
        "AccessDeniedException",
    }
)

_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_.@-]")  # SES message tag values: ASCII letters, digits, _ - . @


class SesMailer:
    """Sends raw mail through SES v2; the client is created on first use (or injected)."""

    def __init__(self, region: str, client: Any = None) -> None:
        self._region = region
        self._client = client

    def _ses(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("sesv2", region_name=self._region)
        return self._client

    def send_raw(
        self, raw: bytes, *, from_address: str, to_address: str, ticket_id: str | None = None
    ) -> str:
        """Send the MIME bytes from ``from_address`` (a verified identity) to ``to_address``;
        the provider's MessageId. ``ticket_id`` becomes the message tag ``ticket_id`` (in SES
        delivery/bounce events). ``TransientSendError`` (retry later) or ``PermanentSendError``
        (do not) when SES does not take it."""
        request: dict[str, Any] = {
            "FromEmailAddress": from_address,
            "Destination": {"ToAddresses": [to_address]},
            "Content": {"Raw": {"Data": raw}},
        }
        tag = _TAG_UNSAFE.sub("_", ticket_id or "")[:256]
        if tag:
            request["EmailTags"] = [{"Name": "ticket_id", "Value": tag}]
        try:
            response = self._ses().send_email(**request)
        except Exception as exc:
            error = delivery_error(exc, provider="ses", transient=_TRANSIENT, permanent=_PERMANENT)
            if error is None:
                raise
            raise error from exc
        return str(response["MessageId"])
