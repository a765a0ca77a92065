"""The service desk overview (GET /reports/sla), served from counters kept as tickets change:
one Query over the days asked for, never a read of every ticket."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from regentra.errors import ValidationFailed
from regentra.identity import Principal
from regentra.services.deps import Deps
from regentra.services.requests import SlaReportQuery

MAX_DAYS = 366
PRIORITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")


def _summary(c: dict[str, float]) -> dict[str, Any]:
    def part(name: str) -> dict[str, Any]:
        met, breached, count = (
            c.get(f"{name}_met", 0),
            c.get(f"{name}_breached", 0),
            c.get(f"{name}_count", 0),
        )
        decided = met + breached
        return {
            "met": int(met),
            "breached": int(breached),
            "compliance_percent": round(100 * met / decided, 1) if decided else None,
            "average_business_minutes": round(c.get(f"{name}_minutes", 0) / count, 1) if count else None,
        }

    return {
        "response": part("response"),
        "resolution": part("resolution"),
        "breaches": int(c.get("breaches", 0)),
    }


def report_range(query: SlaReportQuery, deps: Deps) -> tuple[date, date]:
    """The days a report covers: `from`..`to` (default the last 30 days), at most MAX_DAYS."""
    last = query.to or deps.clock.now().date()
    first = query.from_ or (last - timedelta(days=29))
    if first > last:
        raise ValidationFailed("from is after to.", [{"field": "from", "issue": "after to"}])
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed(
            f"At most {MAX_DAYS} days at a time.", [{"field": "to", "issue": "range too long"}]
        )
    return first, last


def sla_report(principal: Principal, query: SlaReportQuery, deps: Deps) -> dict[str, Any]:
    principal.require_staff()
    first, last = report_range(query, deps)
    by_priority: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_client: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    total: dict[str, float] = defaultdict(float)
    per_day: dict[str, float] = defaultdict(float)
    for day, client_id, priority, counters in deps.tickets.sla_stats(
        principal.tenant_id, first.isoformat(), last.isoformat()
    ):
        if query.client_id and client_id != query.client_id:
            continue
        for field, value in counters.items():
            by_priority[priority][field] += value
            by_client[client_id][field] += value
            total[field] += value
        per_day[day] += counters.get("breaches", 0)
    days = [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "client_id": query.client_id,
        "overall": _summary(total),
        "by_priority": {p: _summary(by_priority.get(p, {})) for p in PRIORITIES},
        "by_client": {c: _summary(v) for c, v in sorted(by_client.items())},
        "breaches_per_day": [{"date": d, "breaches": int(per_day.get(d, 0))} for d in days],
    }


def time_report(principal: Principal, query: SlaReportQuery, deps: Deps) -> dict[str, Any]:
    """Billable and non-billable minutes per client and per technician, by work date."""
    principal.require_staff()
    first, last = report_range(query, deps)
    by_client: dict[str, dict[str, int]] = defaultdict(
        lambda: {"billable_minutes": 0, "non_billable_minutes": 0}
    )
    by_tech: dict[str, dict[str, int]] = defaultdict(
        lambda: {"billable_minutes": 0, "non_billable_minutes": 0}
    )
    total = {"billable_minutes": 0, "non_billable_minutes": 0}
    for _day, client_id, tech, billable, non_billable in deps.tickets.time_stats(
        principal.tenant_id, first.isoformat(), last.isoformat()
    ):
        if query.client_id and client_id != query.client_id:
            continue
        for bucket in (by_client[client_id], by_tech[tech], total):
            bucket["billable_minutes"] += billable
            bucket["non_billable_minutes"] += non_billable
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "client_id": query.client_id,
        "total": total,
        "by_client": dict(sorted(by_client.items())),
        "by_technician": dict(sorted(by_tech.items())),
    }
