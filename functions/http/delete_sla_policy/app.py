"""DELETE /sla-policies/{id} (admin) — 409 while a client is assigned to it."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, principal
from regentra.services.sla_policies import delete_policy

app = make_app()


@app.delete("/sla-policies/<policy_id>")
def delete_sla_policy(policy_id: str):
    delete_policy(principal(app), policy_id, deps())
    return json_response(204, None)


handler = lambda_handler(app)
