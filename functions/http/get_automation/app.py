"""GET /automations/{id} (admin)"""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.automations import get_rule

app = make_app()


@app.get("/automations/<rule_id>")
def get_automation(rule_id: str):
    return json_response(200, get_rule(principal(app), rule_id, deps()))


handler = lambda_handler(app)
