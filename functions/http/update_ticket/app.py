"""PATCH /tickets/{id} — staff change status, priority, assignee or subject; If-Match guards."""

from regentra.api.http import deps, if_match, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.cascades import cascade_prompt
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
    body = ticket_view(ticket, d.clock.now(), caller)
    # A master with children just moved to RESOLVED / CLOSED: how many children a cascade would touch.
    prompt = cascade_prompt(d, ticket, req.status)
    if prompt is not None:
        body["cascade_prompt"] = prompt
    return json_response(200, body)


handler = lambda_handler(app)
