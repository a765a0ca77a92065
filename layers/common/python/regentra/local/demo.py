"""Demo data for `regentra local`: one MSP, a few clients, contacts and tickets. Seeded once."""

from __future__ import annotations

from typing import Any

from regentra.domain.enums import Priority, Role, Status
from regentra.identity import Principal
from regentra.services import cascades, directory, kb, tickets
from regentra.services.deps import Deps
from regentra.services.requests import (
    ChannelSettings,
    CreateClient,
    CreateContact,
    CreateTicket,
    KbArticleBody,
    PatchTicket,
)

DEMO_TENANT = "demo-msp"
DEMO_ADMIN = Principal(
    tenant_id=DEMO_TENANT, user_id="alice-admin", role=Role.ADMIN, email="alice@demo-msp.test"
)
DEMO_TECH = "tom-tech"
SEED_MARKER = "demo_seed"

DEMO_ARTICLES: list[tuple[str, str, list[str]]] = [
    (
        "Resetting a VPN token",
        "Use this when a user's VPN token stopped working, shows the wrong code or was lost.\n\n"
        "## Check the token first\n\nAsk the user to check the phone's clock is set automatically; "
        "a token app with a wrong clock gives codes the VPN refuses.\n\n"
        "## Reset the token\n\n1. Open the VPN admin console and find the user.\n"
        "2. Choose *Reset token* and send the new enrolment link.\n"
        "3. The user scans the QR code in the authenticator app and signs in to the VPN again.\n\n"
        "## If it still fails\n\nCheck the account is not locked in the directory and escalate to network.",
        ["vpn", "token", "remote-access"],
    ),
    (
        "Printer shows offline",
        "## Quick checks\n\n1. Power-cycle the printer.\n2. Check the network cable or Wi-Fi.\n"
        "3. On the PC, remove and re-add the printer from the print server.\n\n"
        "## Print queue stuck\n\nRestart the Print Spooler service on the print server.",
        ["printer"],
    ),
    (
        "Mailbox full",
        "## Free space\n\nEmpty Deleted Items, archive old mail and remove large attachments.\n\n"
        "## Raise the quota\n\nFor Exchange Online plans with archiving, enable the online archive.",
        ["email", "outlook"],
    ),
]


def seed(deps: Deps) -> dict[str, Any] | None:
    """Create the demo tenant's data unless it exists; returns what was made (None if present)."""
    marker = deps.settings.get_settings(DEMO_TENANT, SEED_MARKER)
    if marker is not None:
        return marker
    admin = DEMO_ADMIN
    directory.put_channels(
        admin, ChannelSettings(support_emails=["support@demo-msp.test"], sms_numbers=["+15550100100"]), deps
    )
    acme = directory.create_client(
        admin, CreateClient(name="Acme Dental", email_domains=["acme-dental.test"]), deps
    )
    birch = directory.create_client(
        admin, CreateClient(name="Birch Logistics", email_domains=["birch.test"]), deps
    )
    cobalt = directory.create_client(
        admin, CreateClient(name="Cobalt Law", vip=True, email_domains=["cobalt-law.test"]), deps
    )
    dana = directory.create_contact(
        admin,
        CreateContact(
            client_id=acme.id, name="Dana Reyes", email="dana@acme-dental.test", phone="+15550100201"
        ),
        deps,
    )
    erik = directory.create_contact(
        admin, CreateContact(client_id=birch.id, name="Erik Lund", email="erik@birch.test"), deps
    )
    fay = directory.create_contact(
        admin, CreateContact(client_id=cobalt.id, name="Fay Okafor", email="fay@cobalt-law.test"), deps
    )
    tech = Principal(tenant_id=DEMO_TENANT, user_id=DEMO_TECH, role=Role.TECHNICIAN)
    made = []
    for client, contact, subject, priority, status in [
        (acme, dana, "VPN down for the whole front desk", "HIGH", None),
        (acme, dana, "New starter needs a laptop and an account", "LOW", None),
        (birch, erik, "Warehouse printer offline", "MEDIUM", Status.IN_PROGRESS),
        (cobalt, fay, "Suspicious email asking for a password reset", "CRITICAL", Status.ESCALATED),
        (birch, erik, "Shared mailbox permissions", "MEDIUM", Status.WAITING_ON_CUSTOMER),
    ]:
        t = tickets.create_ticket(
            tech,
            CreateTicket(
                subject=subject,
                description=subject + ".",
                priority=Priority(priority),
                client_id=client.id,
                contact_id=contact.id,
            ),
            deps,
        )
        if status is not None:
            t = tickets.update_ticket(
                tech, t.id, PatchTicket(status=status, assignee_id=DEMO_TECH), None, deps
            )
        made.append(t.id)
    # A master incident with four children (one already resolved), to show the cascade.
    master = tickets.create_ticket(
        tech,
        CreateTicket(
            subject="Email outage: Exchange Online not delivering",
            description="Mail is not arriving for several clients since 08:40.",
            priority=Priority.HIGH,
            client_id=acme.id,
            contact_id=dana.id,
        ),
        deps,
    )
    cascades.promote(admin, master.id, deps)
    children = []
    for client, contact, subject in [
        (acme, dana, "No new email since this morning"),
        (birch, erik, "Outlook says 'trying to connect'"),
        (cobalt, fay, "Clients report our emails bounce"),
        (birch, erik, "Shared mailbox not updating"),
    ]:
        child = tickets.create_ticket(
            tech,
            CreateTicket(
                subject=subject,
                description=subject + ".",
                priority=Priority.MEDIUM,
                client_id=client.id,
                contact_id=contact.id,
            ),
            deps,
        )
        children.append(child.id)
    cascades.link_children(admin, master.id, children, deps)
    tickets.update_ticket(tech, children[-1], PatchTicket(status=Status.RESOLVED), None, deps)
    made += [master.id, *children]
    for title, body, tags in DEMO_ARTICLES:
        kb.create_article(admin, KbArticleBody(title=title, body=body, tags=tags), deps)
    summary = {
        "tenant_id": DEMO_TENANT,
        "clients": {"Acme Dental": acme.id, "Birch Logistics": birch.id, "Cobalt Law": cobalt.id},
        "contacts": {"Dana Reyes": dana.id, "Erik Lund": erik.id, "Fay Okafor": fay.id},
        "users": {"admin": "alice-admin", "technician": DEMO_TECH, "readonly": "rita-readonly"},
        "tickets": made,
    }
    from regentra.adapters.dynamo.repository import DynamoSettingsRepository

    DynamoSettingsRepository().put_settings(DEMO_TENANT, SEED_MARKER, summary, deps.clock.now())
    return summary


def sign_ins(summary: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Who the local sign-in page offers: the demo MSP's staff and one customer contact per client."""
    if not summary:
        return []
    tenant = summary["tenant_id"]
    users = summary["users"]
    people = [
        {"label": "Alice (admin)", "role": "admin", "user_id": users["admin"], "name": "Alice"},
        {"label": "Tom (technician)", "role": "technician", "user_id": users["technician"], "name": "Tom"},
        {"label": "Rita (read-only)", "role": "readonly", "user_id": users["readonly"], "name": "Rita"},
    ]
    clients = summary["clients"]
    contacts = summary["contacts"]
    for name, client in (
        ("Dana Reyes", "Acme Dental"),
        ("Erik Lund", "Birch Logistics"),
        ("Fay Okafor", "Cobalt Law"),
    ):
        people.append(
            {
                "label": f"{name} (customer, {client})",
                "role": "customer",
                "user_id": contacts[name],
                "name": name,
                "client_id": clients[client],
                "contact_id": contacts[name],
            }
        )
    return [{"tenant_id": tenant, **p} for p in people]
