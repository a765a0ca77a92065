"""Sending SMS through AWS End User Messaging SMS (``pinpoint-sms-voice-v2`` SendTextMessage)."""

from __future__ import annotations

from typing import Any

from regentra.adapters.delivery_errors import (
    DeliveryError,
    PermanentSendError,
    TransientSendError,
    delivery_error,
)

__all__ = ["DeliveryError", "EndUserMessagingSms", "PermanentSendError", "TransientSendError"]

_TRANSIENT = frozenset({"ThrottlingException", "InternalServerException"})
_PERMANENT = frozenset(
    {
        "ValidationException",  # number, origination identity or body invalid
        "ConflictException",  # e.g. the destination opted out
        "ResourceNotFoundException",  # origination identity, configuration set
        "AccessDeniedException",
        "ServiceQuotaExceededException",  # spend limit reached
    }
)


class EndUserMessagingSms:
    """Sends transactional SMS; the client is created on first use (or injected)."""

    def __init__(self, region: str, client: Any = None) -> None:
        self._region = region
        self._client = client

    def _sms(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("pinpoint-sms-voice-v2", region_name=self._region)
        return self._client

    def send(self, *, to: str, origination: str, body: str, ticket_id: str | None = None) -> str:
        """Send ``body`` to the E.164 number ``to`` from ``origination`` (a phone number, sender
        id, pool or their ARN); the provider's MessageId. ``ticket_id`` goes into the message
        ``Context`` (returned in delivery events). ``TransientSendError`` (retry later) or
        ``PermanentSendError`` (do not) when the service does not take it."""
        request: dict[str, Any] = {
            "DestinationPhoneNumber": to,
            "OriginationIdentity": origination,
            "MessageBody": body,
            "MessageType": "TRANSACTIONAL",
        }
        if ticket_id:
            request["Context"] = {"ticket_id": ticket_id}
        try:
            response = self._sms().send_text_message(**request)
        except Exception as exc:
            error = delivery_error(exc, provider="sms", transient=_TRANSIENT, permanent=_PERMANENT)
            if error is None:
                raise
            raise error from exc
        return str(response["MessageId"])
