"""Bus -> AI draft outcomes: a staff reply (or the ticket resolved / closed) decides whether the
ticket's open draft was accepted, edited or rejected. Idempotent on the draft (written once)."""

from regentra.api.bus import bus_handler
from regentra.services.ai_reviews import settle_draft_event

handler = bus_handler(settle_draft_event)
