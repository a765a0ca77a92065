"""Build the trigger payloads AWS would send: API Gateway HTTP API v2 and EventBridge schedule."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from regentra.clock import iso
from regentra.local.template import Route


def http_api_event(
    route: Route,
    *,
    method: str,
    path: str,
    path_params: dict[str, str],
    query: str,
    headers: dict[str, str],
    body: bytes | None,
    claims: dict[str, Any] | None,
    now: datetime,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    multi: dict[str, list[str]] = {}
    for k, v in parse_qsl(query, keep_blank_values=True):
        multi.setdefault(k, []).append(v)
    text: str | None = None
    is_b64 = False
    if body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text, is_b64 = base64.b64encode(body).decode(), True
    request_context: dict[str, Any] = {
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": "127.0.0.1",
        "domainPrefix": "local",
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": f"{route.method} {route.path}",
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now.timestamp() * 1000),
    }
    if claims is not None:
        request_context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return {
        "version": "2.0",
        "routeKey": f"{route.method} {route.path}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {k.lower(): v for k, v in headers.items()},
        # API Gateway joins repeated query parameters with commas.
        "queryStringParameters": {k: ",".join(v) for k, v in multi.items()} or None,
        "pathParameters": path_params or None,
        "requestContext": request_context,
        "body": text,
        "isBase64Encoded": is_b64,
    }


def schedule_event(rule_name: str, at: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": (iso(at) or "")[:19] + "Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:events:us-east-1:000000000000:rule/{rule_name}"],
        "detail": {},
    }


def ses_event(message_id: str, raw: bytes, recipients: list[str], now: datetime) -> dict[str, Any]:
    """The SES receipt-rule Lambda event for a message the rule already stored in S3."""
    import email
    import email.policy

    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    stamp = iso(now) or ""
    headers = [{"name": k, "value": str(v)} for k, v in msg.items()][:200]
    common = {
        "from": [str(msg.get("From", ""))],
        "to": [str(msg.get("To", ""))],
        "subject": str(msg.get("Subject", "")),
        "messageId": str(msg.get("Message-ID", "")),
        "date": str(msg.get("Date", "")),
        "returnPath": str(msg.get("Return-Path", "")),
    }
    verdict = {"status": "PASS"}
    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": stamp,
                        "source": str(msg.get("Return-Path", "") or msg.get("From", "")).strip("<>"),
                        "messageId": message_id,
                        "destination": recipients,
                        "headersTruncated": False,
                        "headers": headers,
                        "commonHeaders": common,
                    },
                    "receipt": {
                        "timestamp": stamp,
                        "processingTimeMillis": 1,
                        "recipients": recipients,
                        "spamVerdict": dict(verdict),
                        "virusVerdict": dict(verdict),
                        "spfVerdict": dict(verdict),
                        "dkimVerdict": dict(verdict),
                        "dmarcVerdict": dict(verdict),
                        "action": {
                            "type": "Lambda",
                            "functionArn": "arn:aws:lambda:us-east-1:000000000000:function:local",
                            "invocationType": "Event",
                        },
                    },
                },
            }
        ]
    }


def sns_event(topic_arn: str, message: str, message_id: str, now: datetime) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:local",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": topic_arn,
                    "Subject": None,
                    "Message": message,
                    "Timestamp": iso(now),
                    "SignatureVersion": "1",
                    "Signature": "LOCAL",
                    "SigningCertUrl": "https://local.invalid/cert",
                    "UnsubscribeUrl": "https://local.invalid/unsubscribe",
                    "MessageAttributes": {},
                },
            }
        ]
    }
