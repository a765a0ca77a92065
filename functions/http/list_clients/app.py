"""GET /clients — staff list the tenant's clients."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_query, principal
from regentra.services.directory import list_clients
from regentra.services.requests import PageQuery
from regentra.services.views import client_view

app = make_app()


@app.get("/clients")
def list_clients_route():
    page = list_clients(principal(app), parse_query(app, PageQuery), deps())
    return json_response(
        200, {"items": [client_view(c) for c in page.items], "next_cursor": page.next_cursor}
    )


handler = lambda_handler(app)
