"""POST /kb/articles — staff (admin/lead/technician) add a knowledge-base article."""

from regentra.api.http import deps, json_response, lambda_handler, make_app, parse_body, principal
from regentra.services.kb import create_article
from regentra.services.requests import KbArticleBody
from regentra.services.views import kb_article_view

app = make_app()


@app.post("/kb/articles")
def create_kb_article():
    caller = principal(app)
    caller.require_staff_writer()
    return json_response(201, kb_article_view(create_article(caller, parse_body(app, KbArticleBody), deps())))


handler = lambda_handler(app)
