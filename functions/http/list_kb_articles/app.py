"""GET /kb/articles — staff list the tenant's knowledge base (by title)."""

from regentra.api.http import json_response, lambda_handler, make_app, principal
from regentra.services.kb import list_articles
from regentra.services.views import kb_article_view

app = make_app()


@app.get("/kb/articles")
def list_kb_articles():
    caller = principal(app)
    caller.require_staff()
    return json_response(200, {"items": [kb_article_view(a) for a in list_articles(caller)]})


handler = lambda_handler(app)
