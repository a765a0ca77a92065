"""Bus -> the tenant's automation rules for the event's trigger (and SLA alerts to the assignee)."""

from regentra.api.bus import bus_handler
from regentra.services.automations import run_automations

handler = bus_handler(run_automations)
