"""DELETE /tickets/{id}/master — demote a master to an ordinary ticket (409 while it has children)."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.cascades import demote
from regentra.services.views import ticket_view

app = make_app()


@app.delete("/tickets/<ticket_id>/master")
def demote_master(ticket_id: str):
    caller = principal(app)
    caller.require_staff_writer()
    d = deps()
    ticket = demote(caller, ticket_id, d)
    return json_response(200, ticket_view(ticket, d.clock.now(), caller))


handler = lambda_handler(app)
