"""POST /tickets/{id}/time-entries — billable or non-billable minutes worked (staff)."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.conversation import add_time_entry
from regentra.services.requests import CreateTimeEntry
from regentra.services.views import time_entry_view

app = make_app()


@app.post("/tickets/<ticket_id>/time-entries")
def create_time_entry(ticket_id: str):
    caller = principal(app)
    caller.require_staff_writer()
    req = parse_body(app, CreateTimeEntry)
    entry = add_time_entry(caller, ticket_id, req.minutes, req.billable, req.note, req.work_date, deps())
    return json_response(201, time_entry_view(entry))


handler = lambda_handler(app)
