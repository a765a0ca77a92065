"""GET /ai/reviews?state=pending — admins: AI suggestions (drafts, priorities, categories) by
confidence, with their reasons; cursor-paged."""

from regentra.api.http import json_response, lambda_handler, make_app, parse_query, principal
from regentra.services.ai_reviews import list_reviews
from regentra.services.requests import ListAiReviewsQuery
from regentra.services.views import ai_review_view

app = make_app()


@app.get("/ai/reviews")
def list_ai_reviews():
    caller = principal(app)
    caller.require_admin()
    page = list_reviews(caller, parse_query(app, ListAiReviewsQuery))
    return json_response(
        200, {"items": [ai_review_view(r) for r in page.items], "next_cursor": page.next_cursor}
    )


handler = lambda_handler(app)
