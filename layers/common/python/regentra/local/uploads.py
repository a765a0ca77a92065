"""What S3's presigned POST and GET do, for the local stack: /_local/uploads takes the form a
browser posts (checking the signed policy: key, type, size, expiry), stores the file and raises
the ObjectCreated event; /_local/blobs/<token> serves a signed download."""

from __future__ import annotations

import json
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import unquote

from regentra.clock import get_clock, iso
from regentra.cursors import decode_cursor
from regentra.errors import ValidationFailed
from regentra.services.ports import BlobStore


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"error": {"code": code, "message": message, "details": []}}).encode()
    return status, {"Content-Type": "application/json"}, body


def _form(headers: dict[str, str], body: bytes) -> dict[str, tuple[str | None, bytes]]:
    content_type = headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return {}
    msg = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in msg.iter_parts() if msg.is_multipart() else []:
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str):
            fields[name] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return fields


def s3_event(key: str, size: int) -> dict[str, Any]:
    """S3's "Object Created" event as EventBridge delivers it."""
    return {
        "version": "0",
        "id": "local",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "000000000000",
        "time": (iso(get_clock().now()) or "")[:19] + "Z",
        "region": "us-east-1",
        "resources": ["arn:aws:s3:::local"],
        "detail": {
            "version": "0",
            "bucket": {"name": "local"},
            "object": {"key": key, "size": size, "etag": "0", "sequencer": "0"},
            "request-id": "local",
            "requester": "local",
            "source-ip-address": "127.0.0.1",
            "reason": "PostObject",
        },
    }


def upload_route(
    secret: str, blobs: BlobStore, functions: list[str], invoke: Callable[[str, dict[str, Any]], Any]
) -> Callable[[str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]:
    def handle(_rest: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        fields = _form(headers, body)
        if "policy" not in fields or "file" not in fields:
            return _error(
                400, "validation_error", "A multipart form with policy and file fields is required."
            )
        try:
            policy = decode_cursor(secret, "upload", fields["policy"][1].decode())
        except (ValidationFailed, UnicodeDecodeError):
            return _error(403, "forbidden", "The upload policy is not valid.")
        data = fields["file"][1]
        content_type = fields.get("Content-Type", (None, b""))[1].decode(errors="replace")
        if get_clock().now().timestamp() > float(policy["exp"]):
            return _error(403, "forbidden", "The upload policy has expired.")
        if content_type != policy["type"]:
            return _error(403, "forbidden", "The file type does not match the policy.")
        if not 0 < len(data) <= int(policy["max"]):
            return _error(413, "payload_too_large", "The file is larger than the policy allows.")
        blobs.put(str(policy["key"]), data, content_type)
        for function in functions:
            invoke(function, s3_event(str(policy["key"]), len(data)))
        return 204, {}, b""

    return handle


def download_route(
    secret: str, blobs: BlobStore
) -> Callable[[str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]:
    def handle(rest: str, _headers: dict[str, str], _body: bytes) -> tuple[int, dict[str, str], bytes]:
        try:
            grant = decode_cursor(secret, "download", unquote(rest))
        except ValidationFailed:
            return _error(403, "forbidden", "The download link is not valid.")
        if get_clock().now().timestamp() > float(grant["exp"]):
            return _error(403, "forbidden", "The download link has expired.")
        try:
            data = blobs.get(str(grant["key"]))
        except (OSError, ValueError):
            return _error(404, "not_found", "No such file.")
        name = str(grant.get("name", "file")).replace('"', "")
        return (
            200,
            {
                "Content-Type": "application/octet-stream",
                "Content-Disposition": f'attachment; filename="{name}"',
            },
            data,
        )

    return handle
