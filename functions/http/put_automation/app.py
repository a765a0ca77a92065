"""PUT /automations/{id} (admin) — replace a rule."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.domain.automation import RuleBody
from regentra.services.automations import put_rule

app = make_app()


@app.put("/automations/<rule_id>")
def put_automation(rule_id: str):
    caller = principal(app)
    caller.require_admin()
    return json_response(200, put_rule(caller, rule_id, parse_body(app, RuleBody), deps()))


handler = lambda_handler(app)
