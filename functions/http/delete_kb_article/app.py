"""DELETE /kb/articles/{id}"""

from regentra.api.http import json_response, lambda_handler, make_app, principal
from regentra.services.kb import delete_article

app = make_app()


@app.delete("/kb/articles/<article_id>")
def delete_kb_article(article_id: str):
    caller = principal(app)
    caller.require_staff_writer()
    delete_article(caller, article_id)
    return json_response(204, None)


handler = lambda_handler(app)
