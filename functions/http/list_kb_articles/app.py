"""GET /kb/articles — staff list the tenant's knowledge base, newest first (`limit`, `cursor`)."""

from regentra.api.http import json_response, lambda_handler, make_app, parse_query, principal
from regentra.services.kb import list_articles
from regentra.services.requests import PageQuery
from regentra.services.views import kb_article_view

app = make_app()


@app.get("/kb/articles")
def list_kb_articles():
    caller = principal(app)
    caller.require_staff()
    page = list_articles(caller, parse_query(app, PageQuery))
    return json_response(
        200, {"items": [kb_article_view(a) for a in page.items], "next_cursor": page.next_cursor}
    )


handler = lambda_handler(app)
