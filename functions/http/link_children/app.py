"""POST /tickets/{id}/children {"child_ids": [...]} — link children to a master:
{"linked": [...], "rejected": [{"id", "reason", "message"}]}."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.cascades import link_children
from regentra.services.requests import LinkChildren

app = make_app()


@app.post("/tickets/<ticket_id>/children")
def link_children_route(ticket_id: str):
    caller = principal(app)
    caller.require_staff_writer()
    req = parse_body(app, LinkChildren)
    result = link_children(caller, ticket_id, req.child_ids, deps())
    return json_response(200, result.as_dict())


handler = lambda_handler(app)
