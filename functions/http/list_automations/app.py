"""GET /automations (admin) — the tenant's rules in the order they run."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.automations import list_rules

app = make_app()


@app.get("/automations")
def list_automations():
    return json_response(200, {"items": list_rules(principal(app), deps()), "next_cursor": None})


handler = lambda_handler(app)
