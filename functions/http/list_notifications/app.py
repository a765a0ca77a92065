"""GET /notifications (staff) — the caller's in-app notifications (automations, SLA alerts)."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_query, principal
from regentra.services.automations import list_notifications
from regentra.services.requests import PageQuery

app = make_app()


@app.get("/notifications")
def list_notifications_route():
    query = parse_query(app, PageQuery)
    page = list_notifications(principal(app), query.limit, query.cursor, deps())
    return json_response(200, {"items": page.items, "next_cursor": page.next_cursor})


handler = lambda_handler(app)
