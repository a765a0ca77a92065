"""GET /reports/sla?from=&to=&client_id= (staff) — the service desk overview, from counters."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_query, principal
from regentra.services.reports import sla_report
from regentra.services.requests import SlaReportQuery

app = make_app()


@app.get("/reports/sla")
def sla_report_route():
    return json_response(200, sla_report(principal(app), parse_query(app, SlaReportQuery), deps()))


handler = lambda_handler(app)
