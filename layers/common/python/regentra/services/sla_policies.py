"""SLA policies: the tenant's default (/settings/sla) and named ones (/sla-policies) for clients.

A ticket snapshots its policy at creation, so a change applies to tickets created afterwards.
"""

from __future__ import annotations

from typing import Any

from regentra.domain.ids import is_valid_id, new_id
from regentra.domain.sla_policy import SlaPolicySettings, default_sla_policy
from regentra.errors import Conflict, NotFound, ValidationFailed
from regentra.identity import Principal
from regentra.services.deps import Deps
from regentra.services.sla import DEFAULT_POLICY_SETTING, policy_setting_name

NAMED_PREFIX = "sla_policy#"


def _view(policy: SlaPolicySettings, policy_id: str | None = None) -> dict[str, Any]:
    body = policy.model_dump(mode="json")
    if policy_id is None:
        body.pop("name", None)
    else:
        body["id"] = policy_id
    return body


def get_default_policy(principal: Principal, deps: Deps) -> dict[str, Any]:
    principal.require_admin()
    stored = deps.settings.get_settings(principal.tenant_id, DEFAULT_POLICY_SETTING)
    return _view(SlaPolicySettings.model_validate(stored) if stored else default_sla_policy())


def put_default_policy(principal: Principal, policy: SlaPolicySettings, deps: Deps) -> dict[str, Any]:
    principal.require_admin()
    if policy.name is not None:
        raise ValidationFailed("The default policy has no name.", [{"field": "name", "issue": "not allowed"}])
    deps.settings.put_settings(
        principal.tenant_id, DEFAULT_POLICY_SETTING, policy.model_dump(mode="json"), deps.clock.now()
    )
    return _view(policy)


def _require_name(policy: SlaPolicySettings) -> None:
    if not policy.name:
        raise ValidationFailed("A named policy needs a name.", [{"field": "name", "issue": "required"}])


def create_policy(principal: Principal, policy: SlaPolicySettings, deps: Deps) -> dict[str, Any]:
    principal.require_admin()
    _require_name(policy)
    policy_id = new_id(deps.clock.now())
    body = {**policy.model_dump(mode="json"), "id": policy_id}
    deps.settings.put_settings(principal.tenant_id, policy_setting_name(policy_id), body, deps.clock.now())
    return _view(policy, policy_id)


def _load(principal: Principal, policy_id: str, deps: Deps) -> SlaPolicySettings:
    if not is_valid_id(policy_id):
        raise NotFound("SLA policy not found.")
    body = deps.settings.get_settings(principal.tenant_id, policy_setting_name(policy_id))
    if body is None:
        raise NotFound("SLA policy not found.")
    body.pop("id", None)
    return SlaPolicySettings.model_validate(body)


def get_policy(principal: Principal, policy_id: str, deps: Deps) -> dict[str, Any]:
    principal.require_admin()
    return _view(_load(principal, policy_id, deps), policy_id)


def list_policies(principal: Principal, deps: Deps) -> list[dict[str, Any]]:
    principal.require_admin()
    out = []
    for body in deps.settings.list_settings(principal.tenant_id, NAMED_PREFIX):
        policy_id = body.pop("id")
        out.append(_view(SlaPolicySettings.model_validate(body), policy_id))
    return sorted(out, key=lambda p: (p["name"] or "", p["id"]))


def put_policy(principal: Principal, policy_id: str, policy: SlaPolicySettings, deps: Deps) -> dict[str, Any]:
    principal.require_admin()
    _require_name(policy)
    _load(principal, policy_id, deps)
    body = {**policy.model_dump(mode="json"), "id": policy_id}
    deps.settings.put_settings(principal.tenant_id, policy_setting_name(policy_id), body, deps.clock.now())
    return _view(policy, policy_id)


def delete_policy(principal: Principal, policy_id: str, deps: Deps) -> None:
    principal.require_admin()
    _load(principal, policy_id, deps)
    if deps.directory.client_uses_policy(principal.tenant_id, policy_id):
        raise Conflict(
            "This policy is assigned to a client; assign another policy first.",
            [{"field": "id", "issue": "in use"}],
        )
    deps.settings.delete_settings(principal.tenant_id, policy_setting_name(policy_id))


def check_policy_exists(principal: Principal, policy_id: str | None, deps: Deps) -> None:
    """A client may only be assigned a policy that exists (400 otherwise)."""
    if policy_id is None:
        return
    if (
        not is_valid_id(policy_id)
        or deps.settings.get_settings(principal.tenant_id, policy_setting_name(policy_id)) is None
    ):
        raise ValidationFailed("No such SLA policy.", [{"field": "sla_policy_id", "issue": "unknown policy"}])
