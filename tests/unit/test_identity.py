"""JWT claims → Principal (API.md "Identity"), and the role guards."""

from __future__ import annotations

from typing import Any

import pytest

from regentra.domain.enums import Role
from regentra.errors import Forbidden, Unauthorized
from regentra.identity import Principal, principal_from_claims


def claims(groups: Any, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sub": "u-1",
        "email": "u@msp.test",
        "custom:tenant_id": "t-1",
        "cognito:groups": groups,
    }
    base.update(extra)
    return base


CUSTOMER_EXTRA = {"custom:client_id": "cl-1", "custom:contact_id": "co-1"}


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ("[admin]", Role.ADMIN),
        ("admin", Role.ADMIN),
        ("[technician lead]", Role.LEAD),
        ("[lead technician]", Role.LEAD),
        ("admin,lead", Role.ADMIN),
        ("lead, readonly", Role.LEAD),
        ('["technician","readonly"]', Role.TECHNICIAN),
        (["readonly"], Role.READONLY),
        (["readonly", "technician"], Role.TECHNICIAN),
        (["customer", "admin"], Role.ADMIN),
        (["technician", "lead", "admin", "readonly"], Role.ADMIN),
        ("[readonly customer]", Role.READONLY),
        ("[unknown technician]", Role.TECHNICIAN),
    ],
)
def test_groups_shapes_and_strongest_role_wins(groups: Any, role: Role) -> None:
    p = principal_from_claims(claims(groups, **CUSTOMER_EXTRA))
    assert p.role == role


def test_staff_principal_fields() -> None:
    p = principal_from_claims(claims("[technician]"))
    assert p == Principal(tenant_id="t-1", user_id="u-1", role=Role.TECHNICIAN, email="u@msp.test")
    assert p.is_staff and not p.is_customer
    assert p.source == "staff:u-1"


def test_customer_principal_fields() -> None:
    p = principal_from_claims(claims("[customer]", **CUSTOMER_EXTRA))
    assert p.role == Role.CUSTOMER
    assert (p.client_id, p.contact_id, p.tenant_id, p.user_id) == ("cl-1", "co-1", "t-1", "u-1")
    assert p.is_customer and not p.is_staff
    assert p.source == "customer:co-1"


def test_customer_without_contact_is_named_by_user() -> None:
    p = principal_from_claims(claims(["customer"], **{"custom:client_id": "cl-1"}))
    assert p.contact_id is None
    assert p.source == "customer:u-1"


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {},
        {"sub": "u-1", "cognito:groups": "[admin]"},  # no tenant
        claims("[admin]", **{"custom:tenant_id": ""}),
        claims("[admin]", **{"custom:tenant_id": "   "}),
        {"custom:tenant_id": "t-1", "cognito:groups": "[admin]"},  # no sub
        claims("[admin]", sub=""),
        claims("[superuser]"),  # unknown group
        claims(""),
        claims("[]"),
        claims([]),
        claims(None),
        {"sub": "u-1", "custom:tenant_id": "t-1"},  # no groups claim at all
    ],
)
def test_unauthorized_tokens(bad: Any) -> None:
    with pytest.raises(Unauthorized) as info:
        principal_from_claims(bad)
    assert info.value.code == "unauthorized"


@pytest.mark.parametrize("client", [None, "", "  "])
def test_customer_without_client_is_unauthorized(client: str | None) -> None:
    extra = {"custom:contact_id": "co-1"}
    if client is not None:
        extra["custom:client_id"] = client
    with pytest.raises(Unauthorized):
        principal_from_claims(claims("[customer]", **extra))


def test_staff_does_not_need_client() -> None:
    assert principal_from_claims(claims("[lead]")).client_id is None


# Role guards: which roles each guard lets through (True) or refuses with 403 (False).
ROLES = [Role.ADMIN, Role.LEAD, Role.TECHNICIAN, Role.READONLY, Role.CUSTOMER]
GUARDS_TABLE: dict[str, tuple[bool, bool, bool, bool, bool]] = {
    #                        admin  lead   tech   readonly customer
    "require_staff":        (True,  True,  True,  True,    False),
    "require_staff_writer": (True,  True,  True,  False,   False),
    "require_admin":        (True,  False, False, False,   False),
    "require_writer":       (True,  True,  True,  False,   True),
}  # fmt: skip
GUARDS = {guard: dict(zip(ROLES, row, strict=True)) for guard, row in GUARDS_TABLE.items()}
GUARD_CASES = [(g, r, ok) for g, table in GUARDS.items() for r, ok in table.items()]
GUARD_IDS = [f"{g}-{r}" for g, r, _ in GUARD_CASES]


def test_guard_table_covers_every_role() -> None:
    assert all(set(table) == set(Role) for table in GUARDS.values())
    assert len(GUARD_CASES) == 20


@pytest.mark.parametrize(("guard", "role", "allowed"), GUARD_CASES, ids=GUARD_IDS)
def test_role_guards(guard: str, role: Role, allowed: bool) -> None:
    p = principal_from_claims(claims([role.value], **CUSTOMER_EXTRA))
    assert p.role == role
    check = getattr(p, guard)
    if allowed:
        check()
    else:
        with pytest.raises(Forbidden) as info:
            check()
        assert info.value.code == "forbidden"
