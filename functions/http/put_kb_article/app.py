"""PUT /kb/articles/{id} — replace an article's title, body and tags."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.kb import put_article
from regentra.services.requests import KbArticleBody
from regentra.services.views import kb_article_view

app = make_app()


@app.put("/kb/articles/<article_id>")
def put_kb_article(article_id: str):
    caller = principal(app)
    caller.require_staff_writer()
    req = parse_body(app, KbArticleBody)
    return json_response(200, kb_article_view(put_article(caller, article_id, req, deps())))


handler = lambda_handler(app)
