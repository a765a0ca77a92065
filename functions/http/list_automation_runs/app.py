"""GET /automations/{id}/runs (admin) — every evaluation of the rule, newest first: matched or not,
which conditions matched, what its actions did."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_query, principal
from regentra.services.automations import list_runs
from regentra.services.requests import PageQuery

app = make_app()


@app.get("/automations/<rule_id>/runs")
def list_automation_runs(rule_id: str):
    caller = principal(app)
    query = parse_query(app, PageQuery)
    page = list_runs(caller, rule_id, query.limit, query.cursor, deps())
    return json_response(200, {"items": page.items, "next_cursor": page.next_cursor})


handler = lambda_handler(app)
