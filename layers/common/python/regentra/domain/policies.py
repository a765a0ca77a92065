"""Priority policy escalations (API.md "Priority", `GET/PUT /settings/policies`). Pure.

Each policy only asks for HIGH through the guarded path (domain/priority.py), so it raises
LOW/MEDIUM to HIGH and leaves HIGH and CRITICAL alone; none ever lowers a priority.

| policy         | raises a ticket's priority to HIGH when ...                     | source                |
|----------------|-----------------------------------------------------------------|-----------------------|
| vip            | it is created for a client marked `vip`                         | policy:vip            |
| spike          | it is its client's `threshold`-th within `window_minutes`       | policy:spike          |
| ai_security    | the analyzer reports a security incident (ticket or reply)      | policy:ai_security    |
| ai_frustration | the analyzer reports customer frustration (ticket or reply)     | policy:ai_frustration |
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

POLICIES_SETTING = "policies"
VIP, SPIKE, AI_SECURITY, AI_FRUSTRATION = (
    "policy:vip",
    "policy:spike",
    "policy:ai_security",
    "policy:ai_frustration",
)


class SpikePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    enabled: bool = True
    threshold: int = Field(default=5, ge=2, le=1000)
    window_minutes: int = Field(default=15, ge=1, le=1440)


class PolicySettings(BaseModel):
    """The tenant's escalation switches; a new tenant gets API.md's defaults (all on, 5 in 15)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    vip: bool = True
    spike: SpikePolicy = Field(default_factory=SpikePolicy)
    ai_security: bool = True
    ai_frustration: bool = True


# --- spike counting -------------------------------------------------------------------------------
# Tickets are counted per client in fixed time buckets (an atomic ADD on one counter item per
# bucket; the repository never queries tickets for this). A bucket is one minute for windows up to
# MAX_BUCKETS minutes, longer beyond, so the window is read with one BatchGet of at most
# MAX_BUCKETS counters. The window is exact to one bucket: it covers the current bucket and the
# ones before it that start within `window_minutes` of the ticket.

MAX_BUCKETS = 100
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def bucket_minutes(window_minutes: int) -> int:
    return max(1, math.ceil(window_minutes / MAX_BUCKETS))


def bucket_start(at: datetime, minutes: int) -> datetime:
    elapsed = int((at - _EPOCH).total_seconds() // 60)
    return _EPOCH + timedelta(minutes=elapsed - elapsed % minutes)


def bucket_name(start: datetime) -> str:
    return start.strftime("%Y-%m-%dT%H:%M")


def window_buckets(at: datetime, window_minutes: int) -> tuple[int, list[str]]:
    """(bucket length, names of the buckets that make up the window ending at `at`, newest first).
    The first name is the bucket `at` is counted in."""
    size = bucket_minutes(window_minutes)
    current = bucket_start(at, size)
    count = max(1, math.ceil(window_minutes / size))
    return size, [bucket_name(current - timedelta(minutes=size * i)) for i in range(count)]


def is_spike(count: int, policy: SpikePolicy) -> bool:
    return policy.enabled and count >= policy.threshold
