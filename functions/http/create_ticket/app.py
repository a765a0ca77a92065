"""POST /tickets — staff (MANUAL) or customer (PORTAL) creates a ticket; Idempotency-Key supported."""

from regentra.api.http import deps, header, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.requests import CreateTicket
from regentra.services.tickets import create_ticket_view

app = make_app()


@app.post("/tickets")
def create_ticket():
    caller = principal(app)
    req = parse_body(app, CreateTicket)
    d = deps()
    d.once.register_lambda_context(app.lambda_context)
    return json_response(201, create_ticket_view(caller, req, header(app, "Idempotency-Key"), d))


handler = lambda_handler(app)
