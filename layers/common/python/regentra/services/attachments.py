"""Ticket attachments from the portal (and staff): the file goes straight to the blob store with
a presigned upload limited in size and type; the S3 event marks it uploaded; downloads are
presigned too, and only for those who may read the ticket."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from regentra.domain.conversation import Attachment
from regentra.domain.ids import is_valid_id, new_id
from regentra.domain.tickets import Activity
from regentra.errors import ConcurrentUpdate, NotFound, ValidationFailed
from regentra.identity import Principal
from regentra.services.deps import Deps
from regentra.services.ports import AttachmentStore
from regentra.services.tickets import MAX_WRITE_ATTEMPTS

MAX_BYTES = 10 * 1024 * 1024
UPLOAD_SECONDS = 15 * 60
DOWNLOAD_SECONDS = 5 * 60
ALLOWED_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/msword",
        "application/vnd.ms-excel",
        "message/rfc822",
    }
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
UPLOAD_PREFIX = "uploads/"


def _readable_ticket(principal: Principal, ticket_id: str, deps: Deps) -> Any:
    if not is_valid_id(ticket_id):
        raise NotFound("Ticket not found.")
    ticket = deps.tickets.get(principal.tenant_id, ticket_id)
    if ticket is None or (principal.is_customer and ticket.client_id != principal.client_id):
        raise NotFound("Ticket not found.")
    return ticket


def upload_key(tenant_id: str, ticket_id: str, attachment_id: str, filename: str) -> str:
    return f"{UPLOAD_PREFIX}{tenant_id}/{ticket_id}/{attachment_id}/{filename}"


def parse_upload_key(key: str) -> tuple[str, str, str] | None:
    parts = key.split("/")
    if len(parts) != 5 or parts[0] + "/" != UPLOAD_PREFIX:
        return None
    return parts[1], parts[2], parts[3]


def start_upload(
    principal: Principal,
    ticket_id: str,
    filename: str,
    content_type: str,
    size: int,
    deps: Deps,
    store: AttachmentStore,
) -> tuple[Attachment, dict[str, Any]]:
    principal.require_writer()
    if content_type not in ALLOWED_TYPES:
        raise ValidationFailed(
            "This file type is not accepted.",
            [{"field": "content_type", "issue": "not allowed", "allowed": sorted(ALLOWED_TYPES)}],
        )
    if not 0 < size <= MAX_BYTES:
        raise ValidationFailed(
            f"Files must be 1 byte to {MAX_BYTES} bytes.", [{"field": "size", "issue": "out of range"}]
        )
    safe = _UNSAFE.sub("_", filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(" .")[:120]
    if not safe:
        raise ValidationFailed("The file needs a name.", [{"field": "filename", "issue": "empty"}])
    for _ in range(MAX_WRITE_ATTEMPTS):
        ticket = _readable_ticket(principal, ticket_id, deps)
        now = deps.clock.now()
        attachment_id = new_id(now)
        key = upload_key(principal.tenant_id, ticket.id, attachment_id, safe)
        attachment = Attachment(
            id=attachment_id,
            ticket_id=ticket.id,
            filename=safe,
            content_type=content_type,
            size=size,
            key=key,
            state="pending",
            uploaded_by=principal.source,
            created_at=now,
        )
        activity = [
            Activity(
                at=now,
                actor=principal.user_id,
                source=principal.source,
                change={"event": "attachment_added", "attachment_id": attachment_id, "filename": safe},
            )
        ]
        try:
            deps.tickets.save(replace(ticket, updated_at=now), activity, records=[attachment])
        except ConcurrentUpdate:
            continue
        return attachment, store.presign_upload(key, content_type, size, UPLOAD_SECONDS)
    raise ConcurrentUpdate("The ticket kept changing; try again.")


def download(
    principal: Principal, ticket_id: str, attachment_id: str, deps: Deps, store: AttachmentStore
) -> tuple[Attachment, str]:
    _readable_ticket(principal, ticket_id, deps)
    attachment = (
        deps.tickets.get_attachment(principal.tenant_id, ticket_id, attachment_id)
        if is_valid_id(attachment_id)
        else None
    )
    if attachment is None or attachment.state != "uploaded":
        raise NotFound("Attachment not found.")
    return attachment, store.presign_download(attachment.key, attachment.filename, DOWNLOAD_SECONDS)


def upload_landed(deps: Deps, key: str, size: int) -> bool:
    """The blob store says an upload landed (S3 ObjectCreated): list it on its ticket."""
    parsed = parse_upload_key(key)
    if parsed is None:
        return False
    tenant_id, ticket_id, attachment_id = parsed
    attachment = deps.tickets.get_attachment(tenant_id, ticket_id, attachment_id)
    if attachment is None or attachment.key != key or size > MAX_BYTES:
        return False
    return deps.tickets.mark_attachment_uploaded(tenant_id, ticket_id, attachment_id, size)
