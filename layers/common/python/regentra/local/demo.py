"""Demo data for `regentra local`: one MSP, a few clients, contacts and tickets. Seeded once."""

from __future__ import annotations

from typing import Any

from regentra.domain.enums import Priority, Role, Status
from regentra.identity import Principal
from regentra.services import directory, tickets
from regentra.services.deps import Deps
from regentra.services.requests import (
    ChannelSettings,
    CreateClient,
    CreateContact,
    CreateTicket,
    PatchTicket,
)

DEMO_TENANT = "demo-msp"
DEMO_ADMIN = Principal(
    tenant_id=DEMO_TENANT, user_id="alice-admin", role=Role.ADMIN, email="alice@demo-msp.test"
)
DEMO_TECH = "tom-tech"
SEED_MARKER = "demo_seed"


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
