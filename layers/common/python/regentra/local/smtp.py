"""The local SMTP server: mail to a tenant's support address is stored the way SES's S3 action
stores it, then handed to the function the template's SES receipt rule names."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from regentra.clock import get_clock
from regentra.local.events import ses_event
from regentra.services.ports import BlobStore

MAX_MESSAGE_BYTES = 30 * 1024 * 1024  # SES's receiving limit with an S3 action


class _Handler:
    def __init__(
        self, blobs: BlobStore, functions: list[str], invoke: Callable[[str, dict[str, Any]], Any]
    ) -> None:
        self.blobs = blobs
        self.functions = functions
        self.invoke = invoke

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or (envelope.content if isinstance(envelope.content, bytes) else b"")
        message_id = uuid.uuid4().hex
        self.blobs.put(f"inbound/{message_id}", raw, "message/rfc822")
        event = ses_event(message_id, raw, [str(r).lower() for r in envelope.rcpt_tos], get_clock().now())
        for function in self.functions:
            self.invoke(function, event)
        return "250 Message accepted for delivery"


def start_smtp(
    host: str, port: int, blobs: BlobStore, functions: list[str], invoke: Callable[[str, dict[str, Any]], Any]
) -> Controller:
    controller = Controller(
        _Handler(blobs, functions, invoke),
        hostname=host,
        port=port,
        data_size_limit=MAX_MESSAGE_BYTES,
        decode_data=False,
    )
    controller.start()
    return controller
