"""GET /tickets — list with filters, newest activity first, opaque cursors."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_query, principal
from regentra.services.requests import ListTicketsQuery
from regentra.services.tickets import list_tickets
from regentra.services.views import ticket_view

app = make_app()


@app.get("/tickets")
def list_tickets_route():
    caller = principal(app)
    d = deps()
    page = list_tickets(caller, parse_query(app, ListTicketsQuery), d)
    now = d.clock.now()
    return json_response(
        200, {"items": [ticket_view(t, now, caller) for t in page.items], "next_cursor": page.next_cursor}
    )


handler = lambda_handler(app)
