"""Who is calling: the JWT claims of API.md "Identity", read into one Principal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from regentra.domain.enums import STAFF_ROLES, STAFF_WRITER_ROLES, Role
from regentra.errors import Forbidden, Unauthorized

# When a user is in several groups, the strongest role wins.
_ROLE_ORDER = [Role.ADMIN, Role.LEAD, Role.TECHNICIAN, Role.READONLY, Role.CUSTOMER]


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    user_id: str
    role: Role
    email: str | None = None
    client_id: str | None = None
    contact_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def source(self) -> str:
        """How this caller is named in activity logs."""
        return f"staff:{self.user_id}" if self.is_staff else f"customer:{self.contact_id or self.user_id}"

    def require_staff(self) -> None:
        if not self.is_staff:
            raise Forbidden("Only staff may do this.")

    def require_staff_writer(self) -> None:
        self.require_staff()
        if self.role not in STAFF_WRITER_ROLES:
            raise Forbidden("Read-only users may not change anything.")

    def require_admin(self) -> None:
        if self.role != Role.ADMIN:
            raise Forbidden("Only admins may do this.")

    def require_writer(self) -> None:
        """Staff who may write, or a customer (customers' writes are limited by each route)."""
        if self.role == Role.READONLY:
            raise Forbidden("Read-only users may not change anything.")


def _groups(raw: Any) -> list[str]:
    # API Gateway HTTP APIs flatten list claims to strings such as "[admin lead]" or "admin,lead".
    if isinstance(raw, list):
        return [str(g).strip() for g in raw]
    text = str(raw or "").strip().strip("[]")
    return [g.strip().strip('"') for g in text.replace(",", " ").split() if g.strip()]


def principal_from_claims(claims: Mapping[str, Any] | None) -> Principal:
    if not claims:
        raise Unauthorized("A valid bearer token is required.")
    tenant_id = str(claims.get("custom:tenant_id") or "").strip()
    user_id = str(claims.get("sub") or "").strip()
    groups = set(_groups(claims.get("cognito:groups")))
    role = next((r for r in _ROLE_ORDER if r.value in groups), None)
    if not tenant_id or not user_id or role is None:
        raise Unauthorized("The token does not name a tenant, a user and a known role.")
    client_id = str(claims.get("custom:client_id") or "").strip() or None
    contact_id = str(claims.get("custom:contact_id") or "").strip() or None
    if role == Role.CUSTOMER and not client_id:
        raise Unauthorized("A customer token must name its client.")
    return Principal(
        tenant_id=tenant_id,
        user_id=user_id,
        role=role,
        email=str(claims.get("email")) if claims.get("email") else None,
        client_id=client_id,
        contact_id=contact_id,
    )
