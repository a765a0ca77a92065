"""GET /reports/time?from=&to=&client_id= (staff) — minutes per client and per technician."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_query, principal
from regentra.services.reports import time_report
from regentra.services.requests import TimeReportQuery

app = make_app()


@app.get("/reports/time")
def time_report_route():
    return json_response(200, time_report(principal(app), parse_query(app, TimeReportQuery), deps()))


handler = lambda_handler(app)
