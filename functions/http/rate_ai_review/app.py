"""POST /ai/reviews/{id} — admins rate an AI suggestion once: {"rating": "correct"|"wrong",
"override"?: the right priority/category, or the corrected reply}."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.ai_reviews import rate_review
from regentra.services.requests import RateAiReview
from regentra.services.views import ai_review_view

app = make_app()


@app.post("/ai/reviews/<review_id>")
def rate_ai_review(review_id: str):
    caller = principal(app)
    caller.require_admin()
    req = parse_body(app, RateAiReview)
    return json_response(200, ai_review_view(rate_review(caller, review_id, req, deps())))


handler = lambda_handler(app)
