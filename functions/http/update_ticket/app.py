"""PATCH /tickets/{id} — staff change status, priority, assignee or subject; If-Match guards."""

from regentra.api.http import deps, if_match, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.requests import PatchTicket
from regentra.services.tickets import update_ticket
from regentra.services.views import ticket_view

app = make_app()


@app.patch("/tickets/<ticket_id>")
def update_ticket_route(ticket_id: str):
    caller = principal(app)
    caller.require_staff_writer()
    req = parse_body(app, PatchTicket)
    d = deps()
    ticket = update_ticket(caller, ticket_id, req, if_match(app), d)
    return json_response(200, ticket_view(ticket, d.clock.now(), caller))


handler = lambda_handler(app)
