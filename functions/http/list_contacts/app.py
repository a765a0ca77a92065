"""GET /contacts?client_id= — staff list contacts."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_query, principal
from regentra.services.directory import list_contacts
from regentra.services.requests import ListContactsQuery
from regentra.services.views import contact_view

app = make_app()


@app.get("/contacts")
def list_contacts_route():
    page = list_contacts(principal(app), parse_query(app, ListContactsQuery), deps())
    return json_response(
        200, {"items": [contact_view(c) for c in page.items], "next_cursor": page.next_cursor}
    )


handler = lambda_handler(app)
