"""DELETE /automations/{id} (admin) — 204; its evaluation log stays readable only while it exists."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.automations import delete_rule

app = make_app()


@app.delete("/automations/<rule_id>")
def delete_automation(rule_id: str):
    delete_rule(principal(app), rule_id, deps())
    return json_response(204, None)


handler = lambda_handler(app)
