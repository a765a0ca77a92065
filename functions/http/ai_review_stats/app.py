"""GET /ai/reviews/stats — admins: drafts accepted / edited / rejected, ratings per kind, pending."""

from regentra.api.http import json_response, lambda_handler, make_app, principal
from regentra.services.ai_reviews import review_stats

app = make_app()


@app.get("/ai/reviews/stats")
def ai_review_stats():
    caller = principal(app)
    caller.require_admin()
    return json_response(200, review_stats(caller))


handler = lambda_handler(app)
