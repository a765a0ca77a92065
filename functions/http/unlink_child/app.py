"""DELETE /tickets/{id}/children/{child_id} — unlink a child from its master → 204."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.cascades import unlink_child

app = make_app()


@app.delete("/tickets/<ticket_id>/children/<child_id>")
def unlink_child_route(ticket_id: str, child_id: str):
    caller = principal(app)
    caller.require_staff_writer()
    unlink_child(caller, ticket_id, child_id, deps())
    return json_response(204, None)


handler = lambda_handler(app)
