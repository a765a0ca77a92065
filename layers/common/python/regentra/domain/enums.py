"""The API's enums (API.md "Enums"): one name for one idea across code, API and docs."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    WAITING_ON_CUSTOMER = "WAITING_ON_CUSTOMER"
    ESCALATED = "ESCALATED"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


class Priority(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class Channel(StrEnum):
    MANUAL = "MANUAL"
    EMAIL = "EMAIL"
    PORTAL = "PORTAL"
    CHAT = "CHAT"
    SMS = "SMS"


class SlaStatus(StrEnum):
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    BREACHED = "BREACHED"
    MET = "MET"


class Role(StrEnum):
    ADMIN = "admin"
    LEAD = "lead"
    TECHNICIAN = "technician"
    READONLY = "readonly"
    CUSTOMER = "customer"


STAFF_ROLES = frozenset({Role.ADMIN, Role.LEAD, Role.TECHNICIAN, Role.READONLY})
STAFF_WRITER_ROLES = frozenset({Role.ADMIN, Role.LEAD, Role.TECHNICIAN})
