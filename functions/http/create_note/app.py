"""POST /tickets/{id}/notes — an internal note (staff only; never shown to customers or sent)."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.conversation import add_note
from regentra.services.requests import CreateNote
from regentra.services.views import note_view

app = make_app()


@app.post("/tickets/<ticket_id>/notes")
def create_note(ticket_id: str):
    caller = principal(app)
    caller.require_staff_writer()
    return json_response(
        201, note_view(add_note(caller, ticket_id, parse_body(app, CreateNote).body, deps()))
    )


handler = lambda_handler(app)
