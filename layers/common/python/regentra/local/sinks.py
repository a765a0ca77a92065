"""Where the local stack's outbound side effects land, so the API and the UI can show them:
events that would go to EventBridge, and (later) mail and SMS. Kept in memory and appended
to JSON-lines files in the data dir, so they survive a restart."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from regentra.clock import get_clock, iso


class LocalSink:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._items: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        if path is not None and path.exists():
            self._items = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def append(self, item: dict[str, Any]) -> None:
        with self._lock:
            self._items.append(item)
            if self.path is not None:
                with self.path.open("a") as fh:
                    fh.write(json.dumps(item, default=str) + "\n")

    def items(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._items)


class LocalEventBus:
    """The EventPublisher port, locally: events land in a sink (GET /_local/events)."""

    def __init__(self, sink: LocalSink) -> None:
        self.sink = sink

    def publish(self, events: list[dict[str, Any]]) -> None:
        for e in events:
            self.sink.append({"id": e["id"], "type": e["type"], "at": e["at"], "detail": e["detail"]})
        # As EventBridge would: hand them to the functions whose template rules match (local/bus.py).
        from regentra.local.bus import route

        route(events)


_sinks: dict[str, LocalSink] = {}


def sink(name: str, data_dir: Path | None = None) -> LocalSink:
    """The process-wide sink of that name (created on first use, in the data dir if given)."""
    if name not in _sinks:
        _sinks[name] = LocalSink(data_dir / f"{name}.jsonl" if data_dir else None)
    return _sinks[name]


def reset_sinks() -> None:
    _sinks.clear()


class LocalMailer:
    """The Mailer port, locally: the message lands in the outbox (GET /_local/outbox)."""

    def __init__(self, sink: LocalSink) -> None:
        self.sink = sink

    def send_raw(
        self, raw: bytes, *, from_address: str, to_address: str, ticket_id: str | None = None
    ) -> str:
        import email
        import email.policy

        msg = email.message_from_bytes(raw, policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",)) if hasattr(msg, "get_body") else None
        body = part.get_content().replace("\r\n", "\n").rstrip("\n") if part is not None else ""
        self.sink.append(
            {
                "channel": "EMAIL",
                "to": to_address,
                "from": from_address,
                "subject": str(msg["Subject"] or ""),
                "body": body,
                "message_id": str(msg["Message-ID"] or "").strip(),
                "in_reply_to": str(msg["In-Reply-To"]).strip() if msg["In-Reply-To"] else None,
                "references": " ".join(str(msg["References"] or "").split()) or None,
                "ticket_id": ticket_id,
                "sent_at": iso(get_clock().now()),
                "raw": raw.decode("utf-8", errors="replace"),
            }
        )
        return str(msg["Message-ID"] or "").strip()


class LocalSms:
    def __init__(self, sink: LocalSink) -> None:
        self.sink = sink

    def send(self, *, to: str, origination: str, body: str, ticket_id: str | None = None) -> str:
        import uuid

        message_id = f"local-sms-{uuid.uuid4().hex[:16]}"
        self.sink.append(
            {
                "channel": "SMS",
                "to": to,
                "from": origination,
                "subject": None,
                "body": body,
                "message_id": message_id,
                "ticket_id": ticket_id,
                "sent_at": iso(get_clock().now()),
            }
        )
        return message_id


class LocalBlobStore:
    """The BlobStore port, locally: files under <data dir>/blobs."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"bad blob key {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()


class LocalAttachmentStore:
    """Presigned uploads and downloads against the local gateway (/_local/uploads, /_local/blobs),
    signed with the data dir's secret, with the same size and type limits S3 would enforce."""

    def __init__(self, base_url: str, secret: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.secret = secret

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_s: int) -> dict[str, Any]:
        from regentra.cursors import encode_cursor

        policy = {
            "key": key,
            "type": content_type,
            "max": max_bytes,
            "exp": get_clock().now().timestamp() + expires_s,
        }
        return {
            "url": f"{self.base_url}/_local/uploads",
            "fields": {"policy": encode_cursor(self.secret, "upload", policy), "Content-Type": content_type},
            "method": "POST",
        }

    def presign_download(self, key: str, filename: str, expires_s: int) -> str:
        from urllib.parse import quote

        from regentra.cursors import encode_cursor

        token = encode_cursor(
            self.secret,
            "download",
            {"key": key, "exp": get_clock().now().timestamp() + expires_s, "name": filename},
        )
        return f"{self.base_url}/_local/blobs/{quote(token)}"
