"""POST /tickets/{id}/cascade {"status?", "assignee_id?", "resolution?", "reply?": {"body"}} —
push a master's change to its children (a Step Functions execution) → 202 {"cascade_id"}."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.cascades import start_cascade
from regentra.services.requests import StartCascade

app = make_app()


@app.post("/tickets/<ticket_id>/cascade")
def start_cascade_route(ticket_id: str):
    caller = principal(app)
    caller.require_staff_writer()
    req = parse_body(app, StartCascade)
    cascade = start_cascade(caller, ticket_id, req, deps())
    return json_response(202, {"cascade_id": cascade.id})


handler = lambda_handler(app)
