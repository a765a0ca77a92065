"""POST /tickets/{id}/master — promote a ticket to master (409 if it is a child)."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.cascades import promote
from regentra.services.views import ticket_view

app = make_app()


@app.post("/tickets/<ticket_id>/master")
def promote_master(ticket_id: str):
    caller = principal(app)
    caller.require_staff_writer()
    d = deps()
    ticket = promote(caller, ticket_id, d)
    return json_response(200, ticket_view(ticket, d.clock.now(), caller))


handler = lambda_handler(app)
