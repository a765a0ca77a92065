"""Every minute: end live chats idle for 30 minutes (from the sparse due index); each becomes a
CHAT ticket, once."""

from regentra.api.jobs import scheduled_handler
from regentra.services.chat import run_end_idle_chats

handler = scheduled_handler(run_end_idle_chats)
