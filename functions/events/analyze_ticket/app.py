"""Bus -> the AI analyzer: on TicketCreated and on each customer ReplyAdded, store the analysis
(staff-only) and the suggested priority; priority itself moves only by the AI policies (raise only)."""

from regentra.api.bus import bus_handler
from regentra.services.analyzer import analyze_event

handler = bus_handler(analyze_event)
