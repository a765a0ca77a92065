"""POST /automations/{id}/test (admin) {"ticket_id"} — dry run: would the rule execute on this ticket,
which conditions match, what its actions would do. Nothing is written."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.automations import dry_run_rule
from regentra.services.requests import DryRunAutomation

app = make_app()


@app.post("/automations/<rule_id>/test")
def test_automation(rule_id: str):
    caller = principal(app)
    caller.require_admin()
    req = parse_body(app, DryRunAutomation)
    return json_response(200, dry_run_rule(caller, rule_id, req.ticket_id, deps()))


handler = lambda_handler(app)
