"""GET /sla-policies/{id} (admin)"""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.sla_policies import get_policy

app = make_app()


@app.get("/sla-policies/<policy_id>")
def get_sla_policy(policy_id: str):
    return json_response(200, get_policy(principal(app), policy_id, deps()))


handler = lambda_handler(app)
