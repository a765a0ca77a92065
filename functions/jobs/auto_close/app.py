"""Every minute: close tickets RESOLVED for 24 hours, unless a reply or reopen came first."""

from regentra.api.jobs import scheduled_handler
from regentra.services.sla_jobs import run_auto_close

handler = scheduled_handler(run_auto_close)
