"""PUT /sla-policies/{id} (admin) — applies to tickets created afterwards."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.domain.sla_policy import SlaPolicySettings
from regentra.services.sla_policies import put_policy

app = make_app()


@app.put("/sla-policies/<policy_id>")
def put_sla_policy(policy_id: str):
    caller = principal(app)
    caller.require_admin()
    return json_response(200, put_policy(caller, policy_id, parse_body(app, SlaPolicySettings), deps()))


handler = lambda_handler(app)
