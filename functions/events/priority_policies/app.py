"""Bus -> the VIP and spike policies on TicketCreated (raise LOW/MEDIUM to HIGH, never lower)."""

from regentra.api.bus import bus_handler
from regentra.services.policies import apply_creation_policies

handler = bus_handler(apply_creation_policies)
