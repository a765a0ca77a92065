"""Clients (the MSP's customer companies), their contacts, and the tenant's inbound channels."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from regentra.cursors import scope_of
from regentra.domain.ids import new_id
from regentra.errors import ConcurrentUpdate, NotFound, ValidationFailed
from regentra.identity import Principal
from regentra.services.deps import Deps
from regentra.services.ports import Client, Contact, Page
from regentra.services.requests import (
    ChannelSettings,
    CreateClient,
    CreateContact,
    ListContactsQuery,
    PageQuery,
    PatchClient,
    PatchContact,
)
from regentra.services.sla_policies import check_policy_exists

MAX_WRITE_ATTEMPTS = 5


def _client_visible(principal: Principal, client: Client | None) -> Client:
    if client is None or (principal.is_customer and client.id != principal.client_id):
        raise NotFound("Client not found.")
    return client


def create_client(principal: Principal, req: CreateClient, deps: Deps) -> Client:
    principal.require_staff_writer()
    check_policy_exists(principal, req.sla_policy_id, deps)
    now = deps.clock.now()
    client = Client(
        tenant_id=principal.tenant_id,
        id=new_id(now),
        name=req.name,
        vip=req.vip,
        email_domains=tuple(dict.fromkeys(req.email_domains)),
        sla_policy_id=req.sla_policy_id,
        created_at=now,
        updated_at=now,
    )
    return deps.directory.insert_client(client)


def get_client(principal: Principal, client_id: str, deps: Deps) -> Client:
    principal.require_staff()
    return _client_visible(principal, deps.directory.get_client(principal.tenant_id, client_id))


def list_clients(principal: Principal, query: PageQuery, deps: Deps) -> Page[Client]:
    principal.require_staff()
    scope = scope_of("clients", principal.tenant_id)
    return deps.directory.list_clients(principal.tenant_id, query.limit, query.cursor, scope)


def update_client(principal: Principal, client_id: str, req: PatchClient, deps: Deps) -> Client:
    principal.require_staff_writer()
    changes: dict[str, Any] = {k: getattr(req, k) for k in req.model_fields_set}
    if "name" in changes and changes["name"] is None:
        raise ValidationFailed("name may not be null.", [{"field": "name", "issue": "null"}])
    if "vip" in changes and changes["vip"] is None:
        raise ValidationFailed("vip may not be null.", [{"field": "vip", "issue": "null"}])
    if "email_domains" in changes:
        changes["email_domains"] = tuple(dict.fromkeys(changes["email_domains"] or ()))
    if "sla_policy_id" in changes:
        check_policy_exists(principal, changes["sla_policy_id"], deps)
    for _ in range(MAX_WRITE_ATTEMPTS):
        current = _client_visible(principal, deps.directory.get_client(principal.tenant_id, client_id))
        updated = replace(current, **changes, updated_at=deps.clock.now())
        try:
            return deps.directory.save_client(updated)
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate("client kept changing; try again")


def create_contact(principal: Principal, req: CreateContact, deps: Deps) -> Contact:
    principal.require_staff_writer()
    if deps.directory.get_client(principal.tenant_id, req.client_id) is None:
        raise ValidationFailed("No such client.", [{"field": "client_id", "issue": "unknown client"}])
    now = deps.clock.now()
    contact = Contact(
        tenant_id=principal.tenant_id,
        id=new_id(now),
        client_id=req.client_id,
        name=req.name,
        email=req.email,
        phone=req.phone,
        created_at=now,
        updated_at=now,
    )
    return deps.directory.insert_contact(contact)


def _contact_visible(principal: Principal, contact: Contact | None) -> Contact:
    if contact is None or (principal.is_customer and contact.id != principal.contact_id):
        raise NotFound("Contact not found.")
    return contact


def get_contact(principal: Principal, contact_id: str, deps: Deps) -> Contact:
    principal.require_staff()
    return _contact_visible(principal, deps.directory.get_contact(principal.tenant_id, contact_id))


def list_contacts(principal: Principal, query: ListContactsQuery, deps: Deps) -> Page[Contact]:
    principal.require_staff()
    scope = scope_of("contacts", principal.tenant_id, query.client_id)
    return deps.directory.list_contacts(
        principal.tenant_id, query.client_id, query.limit, query.cursor, scope
    )


def update_contact(principal: Principal, contact_id: str, req: PatchContact, deps: Deps) -> Contact:
    principal.require_staff_writer()
    changes: dict[str, Any] = {k: getattr(req, k) for k in req.model_fields_set}
    if "name" in changes and changes["name"] is None:
        raise ValidationFailed("name may not be null.", [{"field": "name", "issue": "null"}])
    for _ in range(MAX_WRITE_ATTEMPTS):
        current = _contact_visible(principal, deps.directory.get_contact(principal.tenant_id, contact_id))
        updated = replace(current, **changes, updated_at=deps.clock.now())
        try:
            return deps.directory.save_contact(updated, current)
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate("contact kept changing; try again")


CHANNELS = "channels"


def get_channels(principal: Principal, deps: Deps) -> dict[str, Any]:
    principal.require_admin()
    return deps.settings.get_settings(principal.tenant_id, CHANNELS) or {
        "support_emails": [],
        "sms_numbers": [],
    }


def put_channels(principal: Principal, req: ChannelSettings, deps: Deps) -> dict[str, Any]:
    principal.require_admin()
    body = req.model_dump(mode="json")
    previous = deps.settings.get_settings(principal.tenant_id, CHANNELS)
    deps.settings.put_channels(principal.tenant_id, body, previous, deps.clock.now())
    return body
