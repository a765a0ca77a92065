"""POST /automations (admin) — add a rule; an invalid one is a 400 with details."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.domain.automation import RuleBody
from regentra.services.automations import create_rule

app = make_app()


@app.post("/automations")
def create_automation():
    caller = principal(app)
    caller.require_admin()
    return json_response(201, create_rule(caller, parse_body(app, RuleBody), deps()))


handler = lambda_handler(app)
