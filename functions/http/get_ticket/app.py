"""GET /tickets/{id} — the ticket and everything on its detail page, in one Query."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.tickets import get_ticket
from regentra.services.views import detail_view

app = make_app()


@app.get("/tickets/<ticket_id>")
def get_ticket_route(ticket_id: str):
    caller = principal(app)
    d = deps()
    return json_response(200, detail_view(get_ticket(caller, ticket_id, d), d.clock.now(), caller))


handler = lambda_handler(app)
