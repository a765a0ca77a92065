"""GET /kb/articles/{id}"""

from regentra.api.http import json_response, lambda_handler, make_app, principal
from regentra.services.kb import get_article
from regentra.services.views import kb_article_view

app = make_app()


@app.get("/kb/articles/<article_id>")
def get_kb_article(article_id: str):
    caller = principal(app)
    caller.require_staff()
    return json_response(200, kb_article_view(get_article(caller, article_id)))


handler = lambda_handler(app)
