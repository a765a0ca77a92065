"""POST /tickets/{id}/replies — a public reply from staff or from the customer (portal)."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.conversation import reply_as
from regentra.services.requests import CreateReply
from regentra.services.views import reply_view

app = make_app()


@app.post("/tickets/<ticket_id>/replies")
def create_reply(ticket_id: str):
    caller = principal(app)
    caller.require_writer()
    req = parse_body(app, CreateReply)
    outcome = reply_as(caller, ticket_id, req.body, req.set_status, deps())
    body = reply_view(outcome.reply, caller)
    body["ticket_id"] = outcome.ticket.id
    if outcome.follow_up_of is not None:  # the ticket was closed: the reply started a follow-up
        body["follow_up_ticket_id"] = outcome.ticket.id
    return json_response(201, body)


handler = lambda_handler(app)
