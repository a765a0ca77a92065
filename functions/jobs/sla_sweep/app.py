"""Every minute: notice SLA timers that turned AT_RISK or BREACHED (each once), from the due index."""

from regentra.api.jobs import scheduled_handler
from regentra.services.sla_jobs import run_sla_sweep

handler = scheduled_handler(run_sla_sweep)
